//! The README's example of sessions, guards and acks together, kept compiling (and building its
//! router: trybuild runs what it compiles).
use axum::{Form, response::Redirect, routing::post};
use rain_core::prelude::*;
use rain_core::session::{Session, User, require_user};

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    /// Nobody deletes anything in this room.
    fn no_delete(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
        match ctx.event() {
            Some("delete") => Err("deleting is not allowed here".into()),
            _ => Ok(()),
        }
    }

    /// Logged-in users only (the `connect_error` says "not logged in: log in first").
    #[websocket("room", guard = require_user, event_guard = no_delete)]
    async fn room(socket: SocketRef, user: User) {
        socket.join("everyone");
        socket.emit("welcome", &user.name).ok();
        socket.on(
            "message",
            async |socket: SocketRef, user: User, Data::<String>(text)| {
                let line = json!({ "from": user.name, "text": text });
                // The return value is the sender's ack: `null`, or `{ "error": "..." }`.
                socket.within("everyone").emit("message", &line).await
            },
        );
    }
}

#[derive(serde::Deserialize)]
struct Login {
    name: String,
}

/// `POST /login`: returning the session writes its signed cookie.
async fn log_in(mut session: Session, Form(login): Form<Login>) -> (Session, Redirect) {
    session.log_in(User::new(login.name.clone(), login.name)); // check a password first
    (session, Redirect::to("/"))
}

#[tokio::main]
async fn main() -> Result<(), rain_core::Error> {
    let app = App::discover()?.route("/login", post(log_in));
    // The README serves it (`.serve_from_env().await`); a compile test only builds it.
    app.router().map(drop)
}
