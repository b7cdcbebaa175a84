use rain_core::{ack::Ack, prelude::*};
use serde::Serialize;

#[derive(Serialize)]
struct Score {
    points: u32,
}

#[derive(Debug)]
struct NoSuchRoom;

impl std::fmt::Display for NoSuchRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no such room")
    }
}

async fn named(socket: SocketRef, Data(room): Data<String>) -> Result<Score, NoSuchRoom> {
    socket.join(room.clone());
    match room.is_empty() {
        true => Err(NoSuchRoom),
        false => Ok(Score { points: 1 }),
    }
}

#[component(name = "handlers", version = "1.0")]
mod handlers {
    use super::*;

    #[websocket("acks")]
    async fn acks(socket: SocketRef) {
        socket.on("nothing", async || {});
        socket.on("value", async |Data::<Value>(value)| json!({ "echo": value }));
        socket.on("text", async || "text");
        socket.on("owned", async |socket: SocketRef| socket.id.to_string());
        socket.on("number", async || 42_u64);
        socket.on("list", async || vec![1, 2, 3]);
        socket.on("maybe", async || Option::<bool>::None);
        socket.on("struct", async || Ack(Score { points: 3 }));
        socket.on("result", async |Data::<i64>(n)| match n {
            0 => Err("zero"),
            n => Ok(Score { points: n as u32 }),
        });
        socket.on("named", named);
        socket.on("by hand", async |ack: AckSender, TryData::<Value>(_)| {
            ack.send("acked").ok();
        });
        socket.on("others", async |socket: SocketRef, io: SocketIo| {
            socket.within("room").emit("hi", "all").await.ok();
            io.of("/").map(|ns| ns.emit("hi", "everyone"));
        });
        let typed = socket.clone();
        socket.on("disconnect me", async move || typed.disconnect().is_ok());
    }
}

fn main() {}
