use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("room", recover = 120)]
    async fn room(_socket: SocketRef) {}
}

fn main() {}
