use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("cursor", event_rate = 120, event_burst = 0)]
    async fn cursor(_socket: SocketRef) {}
}

fn main() {}
