use rain_core::prelude::*;

#[component(name = "chat room", version = "1", nmae = "chat")]
mod chat {
    use super::*;

    #[websocket("/room")]
    async fn room(_socket: SocketRef, _count: u32) {}

    #[websocket("lobby")]
    fn lobby(_socket: SocketRef) {}

    #[websocket("lobby")]
    async fn lobby_again(_socket: SocketRef) {}
}

fn main() {}
