//! Everything a typed handler does, compiled: `on` with and without an ack, `emit`,
//! `emit_with_ack`, `within(...).emit`, `broadcast().emit`, and the untyped socket beside.

use rain_core::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Deserialize, TS)]
pub struct Hello {
    pub name: String,
}

#[derive(Clone, Serialize, TS)]
pub struct Bye {
    pub message: String,
}

#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub socket_id: String,
}

rain_core::events! {
    /// Greetings, both ways.
    pub Greetings {
        /// The client greets.
        hello: receive Hello,
        /// The server says goodbye.
        bye: emit Bye,
        /// The client asks who it is; the ack tells.
        whoami: receive () => Identity,
        /// The server asks the client whether it is still there; the ack says.
        still_there: emit () => bool,
        /// A keyword as the event name.
        r#type: receive String,
    }
}

#[component(name = "greeter", version = "1.0")]
mod greeter {
    use super::*;

    #[websocket("greetings")]
    async fn greetings(socket: TypedSocket<Greetings>) {
        socket.socket().join("everyone");
        socket.on(Greetings::hello, async |socket, hello| {
            let bye = Bye {
                message: format!("Goodbye, {}", hello.name),
            };
            socket.emit(Greetings::bye, &bye).ok();
            socket.within("everyone").emit(Greetings::bye, &bye).await.ok();
            socket.broadcast().emit(Greetings::bye, &bye).await.ok();
            let _still_there: bool = socket
                .emit_with_ack(Greetings::still_there, &())
                .await
                .unwrap_or(false);
        });
        socket.on(Greetings::whoami, async |socket, ()| Identity {
            socket_id: socket.socket().id.to_string(),
        });
        socket.on(Greetings::r#type, async |_, _text: String| {});
        assert_eq!(Greetings::r#type.name(), "type");
    }
}

fn main() {}
