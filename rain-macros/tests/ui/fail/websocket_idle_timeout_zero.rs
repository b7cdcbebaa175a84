use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("cursor", idle_timeout = "0s")]
    async fn cursor(_socket: SocketRef) {}
}

fn main() {}
