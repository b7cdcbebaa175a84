//! Recoverable sockets: a room socket with a window of 3 s, one of 300 ms and one of a minute,
//! for the recovery tests (a proxy cuts their connections).

use rain_core::prelude::*;

#[component(name = "recovery", version = "1.0")]
mod recoverable {
    use super::*;

    /// A room, recoverable for 3 s.
    #[websocket("room", recover = "3s")]
    async fn room(socket: SocketRef) {
        serve(&socket);
    }

    /// The same room, recoverable for 300 ms only.
    #[websocket("brief", recover = "300ms")]
    async fn brief(socket: SocketRef) {
        serve(&socket);
    }

    /// The same room, recoverable for a minute: the reconnect storm's.
    #[websocket("lasting", recover = "1m")]
    async fn lasting(socket: SocketRef) {
        serve(&socket);
    }

    /// What a handler keeps with its socket, and gets back on a recovery.
    #[derive(Clone)]
    struct Nickname(String);

    /// A message for `room`, or for everyone.
    #[derive(serde::Deserialize)]
    struct Say {
        #[serde(default)]
        room: String,
        n: Value,
    }

    /// Emits `welcome` `{ recovered }` on connect; `join` a room, `say` to a room (`said`),
    /// `direct` back to this socket alone (`later`: after 500 ms), `everyone` to every other socket (`heard`), `nick`
    /// keeps a nickname, `whoami` acks `{ recovered, nick, rooms }`.
    fn serve(socket: &SocketRef) {
        let nick = socket.recover::<Nickname>().map(|Nickname(nick)| nick);
        socket
            .emit(
                "welcome",
                &json!({ "recovered": socket.recovered(), "nick": nick }),
            )
            .ok();
        socket.on("join", async |socket: SocketRef, Data::<String>(room)| {
            socket.join(room);
            json!(true)
        });
        socket.on("say", async |socket: SocketRef, Data::<Say>(say)| {
            json!(socket.within(say.room).emit("said", &say.n).await.is_ok())
        });
        socket.on("direct", async |socket: SocketRef, Data::<Value>(n)| {
            json!(socket.emit("direct", &n).is_ok())
        });
        socket.on("later", async |socket: SocketRef, Data::<Value>(n)| {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            socket.emit("direct", &n).ok();
        });
        socket.on("everyone", async |socket: SocketRef, Data::<Value>(n)| {
            json!(socket.broadcast().emit("heard", &n).await.is_ok())
        });
        socket.on("nick", async |socket: SocketRef, Data::<String>(nick)| {
            socket.extensions.insert(Nickname(nick));
            json!(true)
        });
        socket.on("whoami", async |socket: SocketRef| {
            let mut rooms: Vec<String> = socket.rooms().iter().map(|r| r.to_string()).collect();
            rooms.sort();
            let nick = socket.extensions.get::<Nickname>().map(|Nickname(n)| n);
            json!({ "recovered": socket.recovered(), "nick": nick, "rooms": rooms })
        });
    }
}
