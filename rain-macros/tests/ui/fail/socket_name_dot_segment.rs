use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("chat/../room")]
    async fn room(_socket: SocketRef) {}
}

fn main() {}
