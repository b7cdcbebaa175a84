use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("room", guard = "require_user")]
    async fn room(_socket: SocketRef) {}
}

fn main() {}
