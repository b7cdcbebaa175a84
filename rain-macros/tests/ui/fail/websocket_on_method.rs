use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    struct Room;

    impl Room {
        #[websocket("room")]
        async fn room(&self, _socket: SocketRef) {}
    }
}

fn main() {}
