//! The intents example: RAIN's `intents-example` component, whose socket answers `hello` with
//! `bye`, and a `chat` component whose controller also reaches the intents example's socket and
//! shows who is logged in (`POST /login` with a name, `POST /logout`).
//!
//! [`app`] builds the app; `main.rs` serves it. Tests call [`app`] too.

use axum::{Form, response::Redirect, routing::post};
use rain_core::prelude::*;
use rain_core::session::{MaybeUser, Session, User};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a client sends to greet the server.
#[derive(Debug, Deserialize, TS)]
pub struct Hello {
    /// Whatever the client likes; the server ignores it.
    #[ts(optional)]
    pub ignored: Option<bool>,
}

/// How the server takes its leave.
#[derive(Debug, Serialize, TS)]
pub struct Bye {
    /// Always `Hello sir`.
    pub message: String,
}

/// Who the server takes a client for.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The client's socket id.
    pub socket_id: String,
    /// The namespace it is connected to.
    pub namespace: String,
}

rain_core::events! {
    /// The events of `chat/dummy socket`.
    pub Greetings {
        /// A client greets the server.
        hello: receive Hello,
        /// The server's answer to every `hello`.
        bye: emit Bye,
        /// A client asks who it is; the ack tells.
        whoami: receive () => Identity,
    }
}

/// The intents example component.
#[component(
    name = "intents-example",
    version = "1.0",
    assets = "components/intents-example"
)]
pub mod intents_example {
    use super::*;

    /// Answers every `hello` with a `bye`.
    #[websocket("chat/dummy socket")]
    async fn dummy_socket(socket: TypedSocket<Greetings>) {
        socket.on(Greetings::hello, async |socket, _hello| {
            let bye = Bye {
                message: "Hello sir".to_owned(),
            };
            socket.emit(Greetings::bye, &bye).ok();
        });
        socket.on(Greetings::whoami, async |socket, ()| Identity {
            socket_id: socket.socket().id.to_string(),
            namespace: socket.socket().ns().to_owned(),
        });
    }
}

/// An image shared in the chat room: its bytes travel as one binary attachment.
#[derive(Debug, Serialize, Deserialize)]
pub struct Image {
    /// Its media type: `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    pub r#type: String,
    /// The image file's bytes.
    pub data: Bytes,
    /// Who sent it, when logged in (set by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// The media types the chat relays.
pub const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// A chat room.
#[component(name = "chat", version = "1.0", assets = "components/chat")]
pub mod chat {
    use super::*;

    /// The room every client of this socket is in.
    const ROOM: &str = "everyone";

    /// Re-emits every `message` and every [`Image`] (`image`) to everyone connected, the sender
    /// included, on every node, signed with the sender's name when logged in, and acks the sender
    /// with `null`, or `{ "error": ... }` when it could not be delivered (or, for an image, is not
    /// one of [`IMAGE_TYPES`]); acks `whoami` with the name the client is logged in as. Who is in the room is its presence (`rain:presence`).
    ///
    /// Recoverable for 2 minutes: a client back within them gets the messages it missed.
    #[websocket("room", recover = "2m")]
    async fn room(socket: SocketRef, _presence: Presence) {
        socket.join(ROOM);
        socket.on(
            "whoami",
            async |MaybeUser(user): MaybeUser, ack: AckSender| {
                let name = user.map(|user| user.name);
                ack.send(&json!({ "name": name })).ok();
            },
        );
        socket.on(
            "message",
            async |socket: SocketRef, MaybeUser(user): MaybeUser, Data::<Value>(mut message)| {
                if let (Some(user), Some(fields)) = (user, message.as_object_mut()) {
                    fields.insert("from".to_owned(), user.name.into());
                }
                let delivered = socket.within(ROOM).emit("message", &message).await;
                if let Err(error) = &delivered {
                    tracing::warn!(%error, "chat message not delivered");
                }
                delivered // the handler's return value is the sender's ack
            },
        );
        socket.on(
            "image",
            async |socket: SocketRef, MaybeUser(user): MaybeUser, Data::<Image>(mut image)| {
                if !IMAGE_TYPES.contains(&image.r#type.as_str()) {
                    return Err(format!(
                        "`{}` is not an image type the chat shows: {}",
                        image.r#type,
                        IMAGE_TYPES.join(", ")
                    ));
                }
                image.from = user.map(|user| user.name);
                let delivered = socket.within(ROOM).emit("image", &image).await;
                delivered.map_err(|error| error.to_string())
            },
        );
    }
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct Login {
    /// The name to chat under.
    pub name: String,
}

/// `POST /login`: logs in under the name given (this example checks no password) and goes back
/// to `/`. The returned session writes the signed cookie that the sockets read.
async fn log_in(mut session: Session, Form(login): Form<Login>) -> (Session, Redirect) {
    let name = login.name.trim();
    if !name.is_empty() {
        session.log_in(User::new(name, name));
    }
    (session, Redirect::to("/"))
}

/// `POST /logout`: logs out and goes back to `/`.
async fn log_out(mut session: Session) -> (Session, Redirect) {
    session.log_out();
    (session, Redirect::to("/"))
}

/// The example app: both components, a main page at `/` showing them together, and the login
/// and logout routes.
pub fn app() -> Result<App, rain_core::Error> {
    Ok(App::discover()?
        .page(
            "/",
            Page::new("Rain intents example")
                .view("intents-example-1.0", "index")
                .view("chat-1.0", "index"),
        )
        .route("/login", post(log_in))
        .route("/logout", post(log_out)))
}

#[cfg(test)]
mod tests;
