use rain_core::prelude::*;

fn require_user(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    match ctx.socket().req_parts().headers.contains_key("cookie") {
        true => Ok(()),
        false => Err("sign in first".into()),
    }
}

fn not_banned(_ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    Ok(())
}

mod rules {
    use rain_core::guard::{GuardContext, Refusal};

    pub fn no_shouting(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
        match ctx.event() {
            Some(event) if event.chars().all(|c| c.is_uppercase()) => Err("no shouting".into()),
            _ => Ok(()),
        }
    }
}

#[component(name = "guarded", version = "1.0")]
mod guarded {
    use super::*;

    #[websocket("one", guard = require_user)]
    async fn one(_socket: SocketRef) {}

    #[websocket("list", guard = [require_user, not_banned])]
    async fn list(_socket: SocketRef) {}

    #[websocket("repeated", guard = require_user, guard = not_banned)]
    async fn repeated(_socket: SocketRef) {}

    #[websocket("events", event_guard = rules::no_shouting, guard = crate::require_user)]
    async fn events(socket: SocketRef) {
        socket.on("talk", async |Data::<String>(words)| words.len());
    }

    #[websocket("empty list", guard = [])]
    async fn empty_list(_socket: SocketRef) {}
}

fn main() {}
