//! The intents example: RAIN's `intents-example` component, whose socket answers `hello` with
//! `bye` and which serves RAIN's server intent `com.rain.test.serverside.INLINE_LOGGING`, and a
//! `chat` component whose controller also reaches the intents example's socket and shows who is
//! logged in (`POST /login` with a name, `POST /logout`). Version 2.0 of `chat` runs beside 1.0,
//! on a page of its own and through the view intent `com.rain.test.chat.SHOW` it serves: each
//! version has its own namespace, room and view. The chat keeps every message in its [`History`]
//! (SQLite by default, Postgres by `DATABASE_URL`), and a client that joins asks for the last ones.
//!
//! [`app`] builds the app around a [`History`]; `main.rs` opens one and serves the app. Tests call
//! [`app`] too.

use axum::{Form, response::Redirect, routing::post};
use rain_core::prelude::*;
use rain_core::session::{MaybeUser, Session, User};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub mod history;

pub use history::{History, Message};

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

/// What a page asks the server to log (the context of `INLINE_LOGGING`).
#[derive(Debug, Deserialize, TS)]
pub struct LogRequest {
    /// The text to log.
    pub message: String,
}

/// What the server logged, and for whom (the answer of `INLINE_LOGGING`).
#[derive(Debug, Serialize, TS)]
pub struct Logged {
    /// The text logged.
    pub logged: String,
    /// The name of the user logged in on the page's socket, or `null`.
    pub by: Option<String>,
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

    /// RAIN's inline logging: logs the page's message on the server, with who sent it, and
    /// answers what it logged.
    #[intent(
        category = "com.rain.test.general",
        action = "com.rain.test.serverside.INLINE_LOGGING"
    )]
    async fn do_logging(Data(request): Data<LogRequest>, MaybeUser(user): MaybeUser) -> Logged {
        let by = user.map(|user| user.name);
        tracing::info!(message = %request.message, by = ?by, "logged by an intent");
        Logged {
            logged: request.message,
            by,
        }
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

/// The room every client of a chat's `room` socket is in: one per namespace, so one per version.
const ROOM: &str = "everyone";

/// What a client whose message was not stored is told (the log has why).
const NOT_STORED: &str = "the chat's history is unavailable: the message was not sent; try again";

/// What a client asking for the history while it cannot be read is told (the log has why).
const UNAVAILABLE: &str = "the chat's history is unavailable; try again";

/// What every version of the chat does on its `room`: joins the room; answers `history` with the
/// room's last messages ([`History::last`]), oldest first; and relays every `message` to everyone
/// in it, the sender included, on every node, signed with the sender's name when logged in and
/// with what `stamp` adds.
///
/// A message is stored first, then delivered: one that cannot be stored (the database is
/// unreachable) is not delivered, so the history has every message the room saw, in the order
/// they were stored. The sender's ack is `null`, or `{ "error": ... }` when the message was
/// refused ([`Message::from_client`]), not stored, or stored but not delivered to every node.
/// A client that waits for each ack before sending the next has its messages stored and
/// delivered in the order it sent them; messages sent at once, by one client or several, may be
/// delivered in another order than the one they were stored in.
fn relay_messages(socket: &SocketRef, history: History, stamp: fn(&mut Message)) {
    socket.join(ROOM);
    let store = history.clone();
    socket.on("history", async move |socket: SocketRef| {
        store.last(socket.ns()).await.map_err(|error| {
            tracing::warn!(%error, "chat history not read");
            UNAVAILABLE
        })
    });
    socket.on(
        "message",
        async move |socket: SocketRef, MaybeUser(user): MaybeUser, Data::<Value>(sent)| {
            let mut message = Message::from_client(&sent).map_err(|bad| bad.to_string())?;
            if let Some(user) = user {
                message.set("from", user.name);
            }
            stamp(&mut message);
            if let Err(error) = history.append(socket.ns(), &message).await {
                tracing::warn!(%error, "chat message not stored, so not delivered");
                return Err(NOT_STORED.to_owned());
            }
            let delivered = socket.within(ROOM).emit("message", &message).await;
            delivered.map_err(|error| {
                tracing::warn!(%error, "chat message stored, but not delivered everywhere");
                error.to_string()
            }) // the handler's return value is the sender's ack
        },
    );
}

/// A chat room.
#[component(name = "chat", version = "1.0", assets = "components/chat")]
pub mod chat {
    use super::*;

    /// Stores every `message` (`{ "text": ... }`, 1 to 2,000 characters), then re-emits it, and
    /// re-emits every [`Image`] (`image`, not stored), to everyone connected, the sender
    /// included, on every node, signed with the sender's name when logged in; acks the sender
    /// with `null`, or `{ "error": ... }` when it was refused, could not be stored (then it is
    /// not delivered either) or could not be delivered (or, for an image, is not one of
    /// [`IMAGE_TYPES`]). Acks `history` with the last 50 messages, oldest first, and `whoami`
    /// with the name the client is logged in as. Who is in the room is its presence
    /// (`rain:presence`).
    ///
    /// Recoverable for 2 minutes: a client back within them gets the messages it missed.
    #[websocket("room", recover = "2m")]
    async fn room(socket: SocketRef, _presence: Presence, State(history): State<History>) {
        relay_messages(&socket, history, |_| {});
        socket.on(
            "whoami",
            async |MaybeUser(user): MaybeUser, ack: AckSender| {
                let name = user.map(|user| user.name);
                ack.send(&json!({ "name": name })).ok();
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

/// Stamps a chat 2.0 message with when the server relayed it: `sentAt`, in
/// milliseconds since the Unix epoch.
fn stamp_sent_at(message: &mut Message) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    message.set("sentAt", now);
}

/// Version 2.0 of the chat room, beside 1.0: its own namespace (`/chat-2.0/room`), so its own
/// room, and messages stamped with the time they were sent.
#[component(name = "chat", version = "2.0", assets = "components/chat-2.0")]
pub mod chat_v2 {
    use super::*;

    /// Stores and re-emits every `message` to everyone in chat 2.0's room, and answers
    /// `history`, as chat 1.0 does, each message stamped with `sentAt` (milliseconds since the
    /// Unix epoch). Its history is its own: its namespace is another.
    #[websocket("room")]
    async fn room(socket: SocketRef, State(history): State<History>) {
        relay_messages(&socket, history, stamp_sent_at);
    }

    /// RAIN's chat intent: shows chat 2.0's room, its `index` view, wherever a page asks (the
    /// intents example's page, whose own chat is 1.0, shows it in a dialog).
    #[intent(
        category = "com.rain.test.general",
        action = "com.rain.test.chat.SHOW",
        view = "index"
    )]
    const SHOW: () = ();
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

/// The example app: a main page at `/` showing the intents example and chat 1.x together, a
/// page at `/chat-2` showing chat 2.x, and the login and logout routes; the chat keeps its
/// messages in `history`.
///
/// The chat is named by version fragment (`chat@1`, `chat@2`), resolved when the app starts: a
/// chat 1.1 would replace 1.0 on `/` without a change here, and never show on `/chat-2`.
pub fn app(history: History) -> Result<App, rain_core::Error> {
    Ok(App::discover()?
        .state(history)
        .page(
            "/",
            Page::new("Rain intents example")
                .view("intents-example-1.0", "index")
                .view("chat@1", "index"),
        )
        .page("/chat-2", Page::new("Chat 2.0").view("chat@2", "index"))
        .route("/login", post(log_in))
        .route("/logout", post(log_out)))
}

#[cfg(test)]
mod tests;
