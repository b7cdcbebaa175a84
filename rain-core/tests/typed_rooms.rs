//! Rooms on a typed socket: `join`, `leave`, `rooms`, and typed emits to `within` (the sender
//! too), `to` (without it) and `except`, each awaited, driven by the test client.

use std::time::Duration;

use rain_core::{prelude::*, testing::TestServer};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A line said to a room.
#[derive(Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Line {
    /// The room.
    pub room: String,
    /// What is said.
    pub text: String,
}

rain_core::events! {
    /// A lobby's events.
    pub Lobby {
        /// Joins a room; the ack is every room the client is in.
        join: receive String => Vec<String>,
        /// Leaves a room; the ack is every room the client is still in.
        leave: receive String => Vec<String>,
        /// Says a line to the room, the sender included.
        shout: receive Line,
        /// Says a line to the room, the sender left out.
        whisper: receive Line,
        /// Says a line to everyone but the room's members.
        gossip: receive Line,
        /// A line said.
        said: emit Line,
    }
}

#[component(name = "lobby", version = "1.0")]
mod lobby {
    use super::*;

    /// The lobby: rooms joined and left on request, lines said to them.
    #[websocket("lobby")]
    async fn lobby(socket: TypedSocket<Lobby>) {
        socket.on(Lobby::join, async |socket, room| {
            socket.join(room);
            sorted(socket.rooms())
        });
        socket.on(Lobby::leave, async |socket, room| {
            socket.leave(room);
            sorted(socket.rooms())
        });
        socket.on(Lobby::shout, async |socket, line| {
            let room = line.room.clone();
            socket.within(room).emit(Lobby::said, &line).await.unwrap();
        });
        socket.on(Lobby::whisper, async |socket, line| {
            let room = line.room.clone();
            socket.to(room).emit(Lobby::said, &line).await.unwrap();
        });
        socket.on(Lobby::gossip, async |socket, line| {
            let room = line.room.clone();
            socket.except(room).emit(Lobby::said, &line).await.unwrap();
        });
    }
}

fn sorted(rooms: Vec<std::borrow::Cow<'static, str>>) -> Vec<String> {
    let mut rooms: Vec<String> = rooms.into_iter().map(String::from).collect();
    rooms.sort();
    rooms
}

fn line(room: &str, text: &str) -> Line {
    Line {
        room: room.to_owned(),
        text: text.to_owned(),
    }
}

const QUIET: Duration = Duration::from_millis(200);

#[tokio::test]
async fn typed_sockets_join_leave_and_emit_to_rooms() {
    let server = TestServer::start(App::discover).await.unwrap();
    let (a, b, c) = (
        server.client().connect().await.unwrap(),
        server.client().connect().await.unwrap(),
        server.client().connect().await.unwrap(),
    );
    let a = a.typed_socket::<Lobby>("lobby-1.0", "lobby").await.unwrap();
    let b = b.typed_socket::<Lobby>("lobby-1.0", "lobby").await.unwrap();
    let c = c.typed_socket::<Lobby>("lobby-1.0", "lobby").await.unwrap();
    for socket in [&a, &b] {
        let rooms = socket
            .emit_with_ack(Lobby::join, &"red".to_owned())
            .await
            .unwrap();
        assert!(rooms.contains(&"red".to_owned()), "{rooms:?}");
    }
    let rooms = a
        .emit_with_ack(Lobby::join, &"blue".to_owned())
        .await
        .unwrap();
    assert!(rooms.contains(&"blue".to_owned()) && rooms.contains(&"red".to_owned()));

    a.emit(Lobby::shout, &line("red", "all of red")).unwrap();
    for socket in [&a, &b] {
        assert_eq!(
            socket.expect(Lobby::said).await.unwrap(),
            line("red", "all of red")
        );
    }
    c.expect_none(Lobby::said, QUIET).await.unwrap();

    a.emit(Lobby::whisper, &line("red", "red but me")).unwrap();
    assert_eq!(
        b.expect(Lobby::said).await.unwrap(),
        line("red", "red but me")
    );
    a.expect_none(Lobby::said, QUIET).await.unwrap();

    a.emit(Lobby::gossip, &line("red", "not red")).unwrap();
    assert_eq!(c.expect(Lobby::said).await.unwrap(), line("red", "not red"));
    b.expect_none(Lobby::said, QUIET).await.unwrap();

    let rooms = b
        .emit_with_ack(Lobby::leave, &"red".to_owned())
        .await
        .unwrap();
    assert!(!rooms.contains(&"red".to_owned()), "{rooms:?}");
    a.emit(Lobby::shout, &line("red", "after b left")).unwrap();
    assert_eq!(
        a.expect(Lobby::said).await.unwrap(),
        line("red", "after b left")
    );
    b.expect_none(Lobby::said, QUIET).await.unwrap();
}
