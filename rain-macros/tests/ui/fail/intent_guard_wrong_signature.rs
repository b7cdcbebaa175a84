use rain_core::prelude::*;

fn require_user(socket: &SocketRef) -> bool {
    socket.connected()
}

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    #[intent(category = "journal", action = "LOG", guard = require_user)]
    async fn log() {}
}

fn main() {}
