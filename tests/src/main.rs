//! The server the end-to-end tests run against: the intents example's components, plus
//! components that exist only to misbehave (a panicking handler), to echo acks, to exercise
//! the event pipeline (return-value acks, guards, limits, sockets' own limits), to report
//! sessions (with the HTTP routes that log in and issue tokens), to observe deliveries and
//! shutdowns, or to show RAIN's client model in a browser (`model.rs`).
//!
//! Listens on `RAIN_ADDR` (the tests pass `127.0.0.1:0`) and prints `listening on http://<addr>`;
//! the chat's history is in `DATABASE_URL`, or in memory.

use rain_core::prelude::*;

// The example's components are linked through this crate, not through a call into it.
use intents_example as _;

mod model;
mod own_limits;
mod recovery;

/// Binary payloads, echoed byte for byte.
#[component(name = "binary", version = "1.0")]
mod binary {
    use super::*;

    /// A payload with attachments at two depths.
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Upload {
        name: String,
        data: Bytes,
        parts: Vec<Binary>,
    }

    /// Acks every `upload` with itself and emits it back as `uploaded`; acks `size` with the
    /// length of the bytes sent and `count` with the number of attachments; on `ask`, asks the client for bytes with `give` (sending three
    /// bytes) and emits what came back as `given`.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on(
            "upload",
            async |socket: SocketRef, Data::<Upload>(upload)| {
                socket.emit("uploaded", &upload).ok();
                Ack(upload)
            },
        );
        socket.on("size", async |Data::<Bytes>(bytes)| bytes.len());
        socket.on("count", async |Data::<Vec<Bytes>>(parts)| parts.len());
        socket.on("ask", async |socket: SocketRef| {
            let asked = Bytes::from_static(&[0, 1, 255]);
            let given = match socket.emit_with_ack::<_, Bytes>("give", &asked) {
                Ok(pending) => pending.await.map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            };
            match given {
                Ok(bytes) => socket.emit("given", &bytes).ok(),
                Err(error) => socket.emit("given", &json!({ "error": error })).ok(),
            };
        });
    }
}

/// Handlers that fail on purpose, to show that a failure stays with its socket.
#[component(name = "faults", version = "1.0", assets = "components/faults")]
mod faults {
    use super::*;

    /// Panics on every `panic` event.
    #[websocket("panics")]
    async fn panics(socket: SocketRef) {
        socket.on("panic", async || fail());
    }

    /// A `()` that never comes: a handler whose body is only `panic!()` has the type `!`, which
    /// is no ack.
    fn fail() {
        panic!("this handler panics on purpose");
    }

    /// Panics while handling the connection itself.
    #[websocket("panics on connect")]
    async fn panics_on_connect(_socket: SocketRef) {
        panic!("this connect handler panics on purpose");
    }
}

/// Acks and server-initiated acks.
#[component(name = "echo", version = "1.0")]
mod echo {
    use super::*;

    /// Acks every `echo` with its payload; on `ask`, asks the client and reports its answer.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on("echo", async |Data::<Value>(data), ack: AckSender| {
            ack.send(&data).ok();
        });
        socket.on("ask", async |socket: SocketRef, Data::<Value>(question)| {
            let answer = match socket.emit_with_ack::<_, Value>("question", &question) {
                Ok(pending) => pending.await.map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            };
            let report = match answer {
                Ok(answer) => json!({ "answer": answer }),
                Err(error) => json!({ "error": error }),
            };
            socket.emit("answered", &report).ok();
        });
    }
}

/// A socket whose handler sets its own disconnect handler, which Rain's counting must not replace.
#[component(name = "farewell", version = "1.0")]
mod farewell {
    use super::*;

    /// Tells the others in the namespace when a client leaves.
    #[websocket("farewell")]
    async fn farewell(socket: SocketRef) {
        socket.on_disconnect(async |socket: SocketRef| {
            let id = socket.id.to_string();
            // No one left to tell is not a failure.
            socket.broadcast().emit("left", &id).await.ok();
        });
    }
}

rain_core::events! {
    /// The events of `lifecycle/work`.
    pub Work {
        /// Works for the given number of milliseconds, then acks `"done"`.
        slow: receive u64 => String,
    }
}

/// What the robustness tests need: exactly-once bookkeeping and handlers that take time.
#[component(name = "lifecycle", version = "1.0")]
mod lifecycle {
    use super::*;

    /// Echoes every `note` back as `noted` (so a client sees each delivery) and acks it.
    #[websocket("notes")]
    async fn notes(socket: SocketRef) {
        socket.on(
            "note",
            async |socket: SocketRef, Data::<Value>(note), ack: AckSender| {
                socket.emit("noted", &note).ok();
                ack.send(&note).ok();
            },
        );
    }

    /// A handler still running when the server is told to stop.
    #[websocket("work")]
    async fn work(socket: TypedSocket<Work>) {
        socket.on(Work::slow, async |_socket, ms| {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            "done".to_owned()
        });
    }
}

/// A connect handler that awaits before it registers its event handlers: the events a client
/// sends at once must wait for them, in order, and not be lost.
#[component(name = "early", version = "1.0")]
mod early {
    use std::sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    };

    use super::*;
    use socketioxide::{
        handler::{self, FromMessageParts},
        socket::Socket,
    };

    /// The order in which the pipeline started this socket's handlers: numbered when the
    /// arguments are extracted, which the pipeline does in the order it dispatches events.
    struct Seq(u64);

    /// The counter behind [`Seq`], one per socket.
    #[derive(Clone, Default)]
    struct Counter(Arc<AtomicU64>);

    impl FromMessageParts<rain_core::Adapter> for Seq {
        type Error = std::convert::Infallible;

        fn from_message_parts(
            s: &Arc<Socket<rain_core::Adapter>>,
            _: &mut handler::Value,
            _: &Option<i64>,
        ) -> Result<Self, Self::Error> {
            let counter = s.extensions.get::<Counter>().unwrap_or_default();
            Ok(Self(counter.0.fetch_add(1, Ordering::SeqCst)))
        }
    }

    /// Registers `first` at once, sleeps 100 ms, then registers `second`; both ack
    /// `{ seq, data }`.
    #[websocket("late handlers")]
    async fn late_handlers(socket: SocketRef) {
        socket.extensions.insert(Counter::default());
        socket.on("first", async |Seq(seq), Data::<Value>(data)| {
            json!({ "seq": seq, "event": "first", "data": data })
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        socket.on("second", async |Seq(seq), Data::<Value>(data)| {
            json!({ "seq": seq, "event": "second", "data": data })
        });
    }

    /// Registers `first`, sleeps 100 ms, then panics: the held events still reach `first`.
    #[websocket("late panic")]
    async fn late_panic(socket: SocketRef) {
        socket.extensions.insert(Counter::default());
        socket.on("first", async |Seq(seq), Data::<Value>(data)| {
            json!({ "seq": seq, "event": "first", "data": data })
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        panic!("this connect handler panics on purpose, after registering its handler");
    }

    /// Registers `first`, then serves its socket in a loop until it is disconnected: events
    /// are held only for a while.
    #[websocket("serves in a loop")]
    async fn serves_in_a_loop(socket: SocketRef) {
        socket.extensions.insert(Counter::default());
        socket.on("first", async |Seq(seq), Data::<Value>(data)| {
            json!({ "seq": seq, "event": "first", "data": data })
        });
        while socket.connected() {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

/// The event pipeline: return values as acks, guards, and (with low `RAIN_*` limits) the rate
/// limit and the idle timeout.
#[component(name = "pipeline", version = "1.0")]
mod pipeline {
    use super::*;

    /// Acks with what each handler returns.
    #[websocket("acks")]
    async fn acks(socket: SocketRef) {
        socket.on(
            "value",
            async |Data::<Value>(value)| json!({ "echo": value }),
        );
        socket.on("divide", async |Data::<(i64, i64)>((a, b))| match b {
            0 => Err("cannot divide by zero"),
            b => Ok(a / b),
        });
        socket.on("nothing", async || {});
        socket.on("by hand", async |ack: AckSender| {
            ack.send("acked by hand").ok();
        });
        socket.on("maybe panic", async |Data::<bool>(panic)| {
            if panic {
                panic!("this event handler panics on purpose");
            }
            "calm"
        });
        socket.on("count", async || 1);
    }

    /// Lets in the clients that carry `token=letmein` in their query string.
    fn require_token(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
        match query(ctx).any(|pair| pair == "token=letmein") {
            true => Ok(()),
            false => Err("a token is required".into()),
        }
    }

    /// Keeps `user=mallory` out.
    fn not_banned(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
        match query(ctx).any(|pair| pair == "user=mallory") {
            true => Err(Refusal::new("mallory is banned")),
            false => Ok(()),
        }
    }

    /// Refuses the events whose names are in capitals.
    fn no_shouting(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
        match ctx.event() {
            Some(event) if event.chars().all(|c| !c.is_lowercase()) => Err("no shouting".into()),
            _ => Ok(()),
        }
    }

    /// Panics on the event `boom`: a guard's panic refuses, and stays with that event.
    fn panics_on_boom(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
        if ctx.event() == Some("boom") {
            panic!("this guard panics on purpose");
        }
        Ok(())
    }

    /// The `key=value` pairs of the query string the client connected with.
    fn query<'a>(ctx: &GuardContext<'a>) -> impl Iterator<Item = &'a str> {
        ctx.socket()
            .req_parts()
            .uri
            .query()
            .unwrap_or_default()
            .split('&')
    }

    /// Behind two connect guards and two event guards.
    #[websocket(
        "guarded",
        guard = [require_token, not_banned],
        event_guard = no_shouting,
        event_guard = panics_on_boom
    )]
    async fn guarded(socket: SocketRef) {
        socket.on("boom", async || "never acked");
        socket.on(
            "whisper",
            async |Data::<Value>(words)| json!({ "heard": words }),
        );
        socket.on("SHOUT", async || "never acked");
    }
}

/// Rooms, broadcasts and socket lists driven by the client, to test them across nodes.
#[component(name = "cluster", version = "1.0")]
mod cluster {
    use super::*;

    /// The room named in a request.
    #[derive(serde::Deserialize)]
    struct Target {
        room: String,
        #[serde(default)]
        socket: Option<String>,
        #[serde(default)]
        data: Value,
    }

    /// `join`/`leave` a room (this socket, or `socket` on any node), `to` a room (sender left
    /// out), `except` a room, `fetch` the sockets of a room, `kick` a socket; every request is
    /// acknowledged once done.
    #[websocket("rooms")]
    async fn rooms(socket: SocketRef) {
        socket.on(
            "join",
            async |socket: SocketRef, io: SocketIo, Data::<Target>(t), ack: AckSender| {
                let done = match &t.socket {
                    Some(id) => {
                        act_on(&io, socket.ns(), id, async |s| {
                            s.join(t.room.clone()).await.is_ok()
                        })
                        .await
                    }
                    None => {
                        socket.join(t.room.clone());
                        true
                    }
                };
                ack.send(&done).ok();
            },
        );
        socket.on(
            "leave",
            async |socket: SocketRef, io: SocketIo, Data::<Target>(t), ack: AckSender| {
                let done = match &t.socket {
                    Some(id) => {
                        act_on(&io, socket.ns(), id, async |s| {
                            s.leave(t.room.clone()).await.is_ok()
                        })
                        .await
                    }
                    None => {
                        socket.leave(t.room.clone());
                        true
                    }
                };
                ack.send(&done).ok();
            },
        );
        socket.on(
            "to",
            async |socket: SocketRef, Data::<Target>(t), ack: AckSender| {
                let sent = socket.to(t.room).emit("said", &t.data).await.is_ok();
                ack.send(&sent).ok();
            },
        );
        socket.on(
            "except",
            async |socket: SocketRef, Data::<Target>(t), ack: AckSender| {
                let sent = socket
                    .broadcast()
                    .except(t.room)
                    .emit("said", &t.data)
                    .await
                    .is_ok();
                ack.send(&sent).ok();
            },
        );
        socket.on(
            "fetch",
            async |socket: SocketRef, io: SocketIo, Data::<Target>(t), ack: AckSender| {
                let mut ids: Vec<String> = match io.of(socket.ns()) {
                    Some(ns) => ns
                        .within(t.room)
                        .fetch_sockets()
                        .await
                        .unwrap_or_default()
                        .iter()
                        .map(|s| s.data().id.to_string())
                        .collect(),
                    None => Vec::new(),
                };
                ids.sort();
                ack.send(&ids).ok();
            },
        );
        socket.on(
            "kick",
            async |socket: SocketRef, io: SocketIo, Data::<Target>(t), ack: AckSender| {
                let id = t.socket.unwrap_or_default();
                let kicked = act_on(&io, socket.ns(), &id, async |s| {
                    s.disconnect().await.is_ok()
                })
                .await;
                ack.send(&kicked).ok();
            },
        );
    }

    /// Presence beside a disconnect handler of the socket's own, which replaces Rain's: both
    /// the handler's `gone` and the presence leave must still come.
    #[websocket("presence with own disconnect")]
    async fn own_disconnect(socket: SocketRef, _presence: Presence) {
        socket.on_disconnect(async |socket: SocketRef, io: SocketIo| {
            if let Some(ns) = io.of(socket.ns()) {
                ns.emit("gone", &socket.id.to_string()).await.ok();
            }
        });
    }

    /// Runs `action` on the socket `id` of namespace `ns`, on whichever node it is.
    async fn act_on(
        io: &SocketIo,
        ns: &str,
        id: &str,
        action: impl AsyncFnOnce(socketioxide::socket::RemoteSocket<rain_core::Adapter>) -> bool,
    ) -> bool {
        let Some(ns) = io.of(ns) else { return false };
        let sockets = ns.fetch_sockets().await.unwrap_or_default();
        match sockets.into_iter().find(|s| s.data().id.as_str() == id) {
            Some(socket) => action(socket).await,
            None => false,
        }
    }
}

/// A socket declared outside its component's module, naming the component by path.
mod elsewhere {
    use rain_core::prelude::*;

    /// Greets on connect.
    #[websocket("elsewhere/greeter", component = crate::echo)]
    async fn greeter(socket: SocketRef) {
        socket
            .emit("greeting", "declared outside its component")
            .ok();
    }
}

/// Sessions seen from sockets: cookie or token, extractors, guards.
#[component(name = "accounts", version = "1.0")]
mod accounts {
    use super::*;
    use rain_core::session::{self, MaybeUser, Session, User};

    /// What a socket knows of its session.
    pub(crate) fn report(session: Result<Session, session::SessionError>) -> Value {
        match session {
            Ok(session) => json!({
                "sessionId": session.id(),
                "user": session.user(),
                "data": session.data(),
            }),
            Err(error) => json!({ "error": error.to_string() }),
        }
    }

    /// Emits `session` on connect; acks every `whoami` with the session and user as the event
    /// handler's own arguments see them.
    #[websocket("whoami")]
    async fn whoami(socket: SocketRef, MaybeUser(user): MaybeUser) {
        let mut connected = report(session::of(&socket));
        connected["userOnConnect"] = json!(user);
        socket.emit("session", &connected).ok();
        socket.on(
            "whoami",
            async |socket: SocketRef, MaybeUser(user): MaybeUser, ack: AckSender| {
                let mut answer = report(session::of(&socket));
                answer["userInEvent"] = json!(user);
                ack.send(&answer).ok();
            },
        );
    }

    /// Takes the user as an argument: greets it by name; never called without one.
    #[websocket("members")]
    async fn members(socket: SocketRef, user: User) {
        socket.emit("welcome", &user.name).ok();
    }

    /// Greets the user of a socket that passed the `require_user` guard.
    #[websocket("members only", guard = rain_core::session::require_user)]
    pub(crate) async fn members_only(socket: SocketRef, user: User) {
        socket.emit("welcome", &user.name).ok();
    }
}

/// HTTP routes that log in, out and issue tokens, answering with what the session holds.
mod account_routes {
    use axum::{Json, routing::post};
    use rain_core::{
        App,
        guard::{GuardContext, Refusal},
        session::{self, ReadSession, Session, Sessions, User},
    };
    use serde::Deserialize;
    use serde_json::Value;
    use socketioxide::handler::ConnectHandler as _;

    /// Who logs in, and what the session keeps besides.
    #[derive(Deserialize)]
    struct Login {
        id: String,
        name: String,
        #[serde(default)]
        data: serde_json::Map<String, Value>,
    }

    async fn log_in(mut session: Session, Json(login): Json<Login>) -> (Session, Json<Value>) {
        session.log_in(User::new(login.id, login.name));
        for (key, value) in login.data {
            session.insert(key, value);
        }
        let report = crate::accounts::report(Ok(session.clone()));
        (session, Json(report))
    }

    async fn log_out(mut session: Session) -> (Session, Json<Value>) {
        session.log_out();
        let report = crate::accounts::report(Ok(session.clone()));
        (session, Json(report))
    }

    async fn me(session: Session) -> Json<Value> {
        Json(crate::accounts::report(Ok(session)))
    }

    async fn token(sessions: Sessions, Json(login): Json<Login>) -> String {
        sessions.token_for(User::new(login.id, login.name))
    }

    async fn require_user(socket: rain_core::SocketRef) -> Result<(), Refusal> {
        session::require_user(&GuardContext::new(&socket, None))
    }

    /// Adds the routes, and the namespace `/guarded/members`, mounted by hand, that refuses
    /// sockets without a user as `accounts-1.0/members only` does with its `guard`.
    pub(crate) fn add(app: App) -> App {
        app.route("/accounts/login", post(log_in))
            .route("/accounts/logout", post(log_out))
            .route("/accounts/me", axum::routing::get(me))
            .route("/accounts/token", post(token))
            .on_socket_io(|io| {
                io.ns(
                    "/guarded/members",
                    crate::accounts::members_only
                        .with(require_user)
                        .with(ReadSession),
                );
            })
    }
}

/// Where the chat keeps its history: `DATABASE_URL` (a test's temporary SQLite file, or its own
/// Postgres), otherwise in memory: the test server never writes a database file where it runs.
fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let history = intents_example::History::connect(&database_url()).await?;
    model::pages(account_routes::add(intents_example::app(history)?))
        .page(
            "/faults",
            Page::new("Faulty controllers beside a working one")
                .view("faults-1.0", "throws")
                .view("faults-1.0", "broken")
                .view("intents-example-1.0", "index"),
        )
        .serve_from_env()
        .await?;
    Ok(())
}
