//! The example's sockets as pages use them, with Rain's test client (`rain_core::testing`): each
//! client one page, its sockets on one connection, against the app served on 127.0.0.1.

use rain_core::{prelude::*, session::User, testing::TestServer};

use crate::{History, app};

/// The app on an in-memory history, restartable: the restarted app keeps the same history.
async fn server() -> TestServer {
    let history = History::connect("sqlite::memory:").await.unwrap();
    TestServer::start(move || app(history.clone()))
        .await
        .unwrap()
}

#[tokio::test]
async fn hello_is_answered_with_bye() {
    let server = server().await;
    let page = server.client().connect().await.unwrap();
    let dummy = page
        .socket("intents-example-1.0", "chat/dummy socket")
        .await
        .unwrap();
    dummy.emit("hello", &json!({})).unwrap();
    assert_eq!(
        dummy.expect("bye").await.unwrap(),
        json!({ "message": "Hello sir" })
    );
}

#[tokio::test]
async fn a_message_reaches_everyone_in_the_room_signed_and_is_kept_in_the_history() {
    let mut server = server().await;
    let ada = server
        .client()
        .session(User::new("ada", "Ada"))
        .connect()
        .await
        .unwrap();
    let bob = server.client().connect().await.unwrap();
    let (ada_room, bob_room) = (
        ada.socket("chat-1.0", "room").await.unwrap(),
        bob.socket("chat-1.0", "room").await.unwrap(),
    );
    let ack = ada_room
        .emit_with_ack("message", &json!({ "text": "hi" }))
        .await
        .unwrap();
    assert_eq!(ack, Value::Null);
    for room in [&bob_room, &ada_room] {
        let heard = room.expect("message").await.unwrap();
        assert_eq!(
            (&heard["text"], &heard["from"]),
            (&json!("hi"), &json!("Ada"))
        );
    }
    // An empty message is refused, and nobody hears it.
    let refused = ada_room
        .emit_with_ack("message", &json!({ "text": "" }))
        .await
        .unwrap();
    assert!(refused["error"].is_string(), "{refused}");
    bob_room
        .expect_none("message", std::time::Duration::from_millis(200))
        .await
        .unwrap();
    // After a restart, a new page gets the history: the one message, as the room delivered it.
    server.restart().await.unwrap();
    let carol = server.client().connect().await.unwrap();
    let room = carol.socket("chat-1.0", "room").await.unwrap();
    let history = room.emit_with_ack("history", &()).await.unwrap();
    let texts: Vec<&Value> = history
        .as_array()
        .unwrap_or_else(|| panic!("history is a list: {history}"))
        .iter()
        .map(|message| &message["text"])
        .collect();
    assert_eq!(texts, [&json!("hi")]);
}

#[tokio::test]
async fn a_page_that_loses_its_connection_gets_the_messages_it_missed() {
    let server = server().await;
    let mut ada = server.client().connect().await.unwrap();
    let bob = server
        .client()
        .session(User::new("bob", "Bob"))
        .connect()
        .await
        .unwrap();
    let ada_room = ada.socket("chat-1.0", "room").await.unwrap();
    let bob_room = bob.socket("chat-1.0", "room").await.unwrap();
    // The chat room is recoverable: its first event is the announcement.
    ada_room.expect("rain:recovery").await.unwrap();

    ada.cut();
    for text in ["one", "two", "three"] {
        let ack = bob_room
            .emit_with_ack("message", &json!({ "text": text }))
            .await
            .unwrap();
        assert_eq!(ack, Value::Null);
    }
    ada.reconnect().await.unwrap();
    let ada_room = ada.socket("chat-1.0", "room").await.unwrap();
    assert!(ada_room.recovered(), "{:?}", ada_room.recovery_failure());
    for text in ["one", "two", "three"] {
        let heard = ada_room.expect("message").await.unwrap();
        assert_eq!(
            (&heard["text"], &heard["from"]),
            (&json!(text), &json!("Bob"))
        );
    }
    ada_room
        .expect_none("message", std::time::Duration::from_millis(200))
        .await
        .unwrap();
}
