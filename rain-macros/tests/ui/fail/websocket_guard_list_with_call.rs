use rain_core::prelude::*;

fn require_user(_ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    Ok(())
}

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("room", guard = [require_user, require_role("admin")])]
    async fn room(_socket: SocketRef) {}
}

fn main() {}
