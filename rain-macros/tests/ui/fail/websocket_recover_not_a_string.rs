use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("room", recover = two_minutes)]
    async fn room(_socket: SocketRef) {}
}

fn main() {}
