use rain_core::prelude::*;

fn require_user(_ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    Ok(())
}

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("room", event_guard = requre_user)]
    async fn room(_socket: SocketRef) {}
}

fn main() {}
