//! The server the end-to-end tests run against: the intents example's components, plus
//! components that exist only to misbehave (a panicking handler) or to echo acks.
//!
//! Listens on `RAIN_ADDR` (the tests pass `127.0.0.1:0`) and prints `listening on http://<addr>`.

use rain_core::prelude::*;

// The example's components are linked through this crate, not through a call into it.
use intents_example as _;

/// Handlers that fail on purpose, to show that a failure stays with its socket.
#[component(name = "faults", version = "1.0", assets = "components/faults")]
mod faults {
    use super::*;

    /// Panics on every `panic` event.
    #[websocket("panics")]
    async fn panics(socket: SocketRef) {
        socket.on("panic", async || {
            panic!("this handler panics on purpose");
        });
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

#[tokio::main]
async fn main() -> Result<(), rain_core::Error> {
    intents_example::app()?
        .page(
            "/faults",
            Page::new("Faulty controllers beside a working one")
                .view("faults-1.0", "throws")
                .view("faults-1.0", "broken")
                .view("intents-example-1.0", "index"),
        )
        .serve_from_env()
        .await
}
