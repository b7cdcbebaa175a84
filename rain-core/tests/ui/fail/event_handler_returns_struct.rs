use rain_core::prelude::*;

struct Score {
    points: u32,
}

#[component(name = "game", version = "1.0")]
mod game {
    use super::*;

    #[websocket("table")]
    async fn table(socket: SocketRef) {
        socket.on("score", async || Score { points: 3 });
    }
}

fn main() {}
