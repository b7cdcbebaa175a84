//! `rain_core::testing` against a real server: each test serves the components below on
//! 127.0.0.1 and drives them with the test client, as a page's runtime would.

use std::time::Duration;

use rain_core::{
    prelude::*,
    session::{MaybeUser, User},
    testing::{TestError, TestServer},
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

fn closed(_: &GuardContext<'_>) -> Result<(), Refusal> {
    Err("the vault is closed".into())
}

/// What the client greets with.
#[derive(Serialize, Deserialize, TS)]
pub struct Hello {
    /// Who greets.
    pub name: String,
}

/// What the server answers.
#[derive(Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Bye {
    /// Its words.
    pub message: String,
}

rain_core::events! {
    /// Greetings, both ways.
    pub Greetings {
        /// The client greets.
        hello: receive Hello,
        /// The server says goodbye.
        bye: emit Bye,
        /// The client asks for the time; the ack carries it.
        time: receive () => String,
        /// The client asks to be checked on: the server asks `still_there`.
        check: receive (),
        /// The server asks whether the client is still there; the ack says.
        still_there: emit () => bool,
    }
}

#[component(name = "lab", version = "1.0")]
mod lab {
    use super::*;

    /// Acks `echo` with its payload; `chatter` makes two events; `picture` sends bytes back and
    /// `upload` acks the length of the bytes it got.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on("echo", async |Data::<Value>(value)| value);
        socket.on("chatter", async |socket: SocketRef| {
            socket.emit("tally", &json!({ "count": 2 })).ok();
            socket.emit("note", "hi").ok();
        });
        socket.on("picture", async |socket: SocketRef| {
            socket
                .emit("picture", &Binary::from(b"\x89PNG".to_vec()))
                .ok();
        });
        socket.on("upload", async |Data::<Bytes>(bytes)| bytes.len());
    }

    /// `quiz` asks the client `question` with a request for an ack and tells it, as
    /// `answered`, what it answered; `scan` asks for bytes and tells how many came.
    #[websocket("quiz")]
    async fn quiz(socket: SocketRef) {
        socket.on(
            "quiz",
            async |socket: SocketRef, Data::<String>(question)| {
                let answer = match socket.emit_with_ack::<_, Value>("question", &question) {
                    Ok(ack) => ack
                        .await
                        .unwrap_or_else(|e| json!({ "error": e.to_string() })),
                    Err(error) => json!({ "error": error.to_string() }),
                };
                socket.emit("answered", &answer).ok();
            },
        );
        socket.on("scan", async |socket: SocketRef| {
            let scanned = match socket.emit_with_ack::<_, (String, Bytes)>("scan", &()) {
                Ok(ack) => match ack.await {
                    Ok((name, bytes)) => json!({ "name": name, "len": bytes.len() }),
                    Err(error) => json!({ "error": error.to_string() }),
                },
                Err(error) => json!({ "error": error.to_string() }),
            };
            socket.emit("scanned", &scanned).ok();
        });
    }

    /// Everyone joins the lobby; `say` is repeated to all of it.
    #[websocket("room")]
    async fn room(socket: SocketRef) {
        socket.join("lobby");
        socket.on("say", async |socket: SocketRef, Data::<String>(words)| {
            socket.within("lobby").emit("said", &words).await.ok();
        });
    }

    /// Recoverable: its events carry Rain's offsets, which the client takes off. Every socket
    /// is in the `desk` room, where `post` goes; `welcome` says whether it recovered.
    #[websocket("journal", recover = "1m")]
    async fn journal(socket: SocketRef) {
        if !socket.recovered() {
            socket.join("desk");
        }
        socket.emit("welcome", &socket.recovered()).ok();
        socket.on("write", async |socket: SocketRef, Data::<String>(line)| {
            socket.emit("written", &line).ok();
        });
        socket.on("post", async |socket: SocketRef, Data::<u32>(n)| {
            socket.within("desk").emit("posted", &n).await.ok();
            n
        });
    }

    #[websocket("vault", guard = closed)]
    async fn vault(_socket: SocketRef) {}

    /// Tells the client who it is logged in as, and what `auth` it connected with.
    #[websocket("whoami")]
    async fn whoami(socket: SocketRef, MaybeUser(user): MaybeUser, Data(auth): Data<Value>) {
        socket.emit("you", &user.map(|user| user.name)).ok();
        socket.emit("auth", &auth).ok();
    }

    #[websocket("greetings")]
    async fn greetings(socket: TypedSocket<Greetings>) {
        socket.on(Greetings::hello, async |socket, hello: Hello| {
            let bye = Bye {
                message: format!("Goodbye, {}", hello.name),
            };
            socket.emit(Greetings::bye, &bye).ok();
        });
        socket.on(Greetings::time, async |_, ()| "noon".to_owned());
        socket.on(Greetings::check, async |socket, ()| {
            let there = socket.emit_with_ack(Greetings::still_there, &()).await;
            let bye = Bye {
                message: format!("still there: {there:?}"),
            };
            socket.emit(Greetings::bye, &bye).ok();
        });
    }
}

async fn server() -> TestServer {
    TestServer::start(App::discover).await.unwrap()
}

#[tokio::test]
async fn an_echo_is_acked_with_its_payload() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    assert_eq!(echo.namespace(), "/lab-1.0/echo");
    let payload = json!({ "text": "ping", "n": [1, 2] });
    assert_eq!(echo.emit_with_ack("echo", &payload).await.unwrap(), payload);
}

#[tokio::test]
async fn a_broadcast_to_a_room_reaches_both_clients() {
    let server = server().await;
    let ada = server.client().connect().await.unwrap();
    let bob = server.client().connect().await.unwrap();
    let ada_room = ada.socket("lab-1.0", "room").await.unwrap();
    let bob_room = bob.socket("lab-1.0", "room").await.unwrap();
    ada_room.emit("say", "hello").unwrap();
    assert_eq!(bob_room.expect("said").await.unwrap(), json!("hello"));
    assert_eq!(ada_room.expect("said").await.unwrap(), json!("hello"));
    // Once, not twice.
    let quiet = Duration::from_millis(100);
    bob_room.expect_none("said", quiet).await.unwrap();
}

#[tokio::test]
async fn sockets_of_one_client_share_its_connection() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    let room = client.socket("lab-1.0", "room").await.unwrap();
    room.emit("say", "both").unwrap();
    assert_eq!(echo.emit_with_ack("echo", &1).await.unwrap(), json!(1));
    assert_eq!(room.expect("said").await.unwrap(), json!("both"));
    let again = client.socket("lab-1.0", "room").await.unwrap_err();
    assert!(
        matches!(again, TestError::AlreadyConnected { .. }),
        "{again}"
    );
    room.disconnect().await;
    client.socket("lab-1.0", "room").await.unwrap();
}

#[tokio::test]
async fn a_guard_refusal_is_the_error_message() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let error = client.socket("lab-1.0", "vault").await.unwrap_err();
    assert!(
        matches!(error, TestError::ConnectRefused { .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "the vault is closed");
    // The connection stays up for the other sockets.
    client.socket("lab-1.0", "echo").await.unwrap();
}

#[tokio::test]
async fn the_server_sees_the_session_user_and_the_auth() {
    let server = server().await;
    let ada = server
        .client()
        .session(User::new("7", "Ada"))
        .connect()
        .await
        .unwrap();
    let whoami = ada
        .socket("lab-1.0", "whoami")
        .auth(json!({ "room": 3 }))
        .await
        .unwrap();
    assert_eq!(whoami.expect("you").await.unwrap(), json!("Ada"));
    assert_eq!(whoami.expect("auth").await.unwrap(), json!({ "room": 3 }));
    let stranger = server.client().connect().await.unwrap();
    let whoami = stranger.socket("lab-1.0", "whoami").await.unwrap();
    assert_eq!(whoami.expect("you").await.unwrap(), Value::Null);
    // A token of the app's sessions, as the `auth` payload, is a session too.
    let token = server.sessions().token_for(User::new("8", "Bob"));
    let bob = server.client().auth(json!({ "token": token }));
    let bob = bob.connect().await.unwrap();
    let whoami = bob.socket("lab-1.0", "whoami").await.unwrap();
    assert_eq!(whoami.expect("you").await.unwrap(), json!("Bob"));
}

#[tokio::test]
async fn a_foreign_origin_is_refused_and_a_same_origin_page_is_not() {
    let server = server().await;
    let error = server
        .client()
        .origin("https://evil.example")
        .connect()
        .await
        .unwrap_err();
    let TestError::Refused { status, body } = &error else {
        panic!("expected a refusal, got {error:?}");
    };
    assert_eq!(status, "403 Forbidden");
    assert!(body.contains("https://evil.example"), "{body}");
    let own = server
        .client()
        .origin(server.url())
        .connect()
        .await
        .unwrap();
    own.socket("lab-1.0", "echo").await.unwrap();
}

#[tokio::test]
async fn expect_none_fails_on_an_event_that_comes() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    echo.emit("chatter", &()).unwrap();
    let error = echo
        .expect_none("tally", Duration::from_millis(500))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "`tally` arrived on /lab-1.0/echo when none was expected: {\"count\":2}"
    );
    echo.expect_none("tally", Duration::from_millis(50))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_timeout_says_what_arrived_instead() {
    let server = server().await;
    let client = server
        .client()
        .timeout(Duration::from_millis(300))
        .connect()
        .await
        .unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    echo.emit("chatter", &()).unwrap();
    let error = echo.expect("message").await.unwrap_err();
    assert!(matches!(error, TestError::Timeout { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "no `message` within 300ms on /lab-1.0/echo; arrived instead: `tally` {\"count\":2}, \
         `note` \"hi\""
    );
    // What arrived is still there, each by its name.
    assert_eq!(echo.expect("note").await.unwrap(), json!("hi"));
    assert_eq!(echo.expect("tally").await.unwrap(), json!({ "count": 2 }));
}

#[tokio::test]
async fn a_typed_socket_round_trips_the_declared_types() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let greetings = client
        .typed_socket::<Greetings>("lab-1.0", "greetings")
        .await
        .unwrap();
    let hello = Hello {
        name: "Ada".to_owned(),
    };
    greetings.emit(Greetings::hello, &hello).unwrap();
    let bye: Bye = greetings.expect(Greetings::bye).await.unwrap();
    assert_eq!(bye.message, "Goodbye, Ada");
    let time: String = greetings.emit_with_ack(Greetings::time, &()).await.unwrap();
    assert_eq!(time, "noon");

    // The server's request, answered with the declared ack type.
    greetings.emit(Greetings::check, &()).unwrap();
    let still_there = greetings
        .expect_request(Greetings::still_there)
        .await
        .unwrap();
    assert_eq!(still_there.payload(), &());
    still_there.ack(&true).unwrap();
    let bye = greetings.expect(Greetings::bye).await.unwrap();
    assert_eq!(bye.message, "still there: Ok(true)");
}

#[tokio::test]
async fn the_server_s_request_for_an_ack_is_answered() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let quiz = client.socket("lab-1.0", "quiz").await.unwrap();
    quiz.emit("quiz", "2 + 2?").unwrap();
    let question = quiz.expect_request("question").await.unwrap();
    assert_eq!(question.event(), "question");
    assert_eq!(question.payload(), json!("2 + 2?"));
    assert_eq!(question.payload_as::<String>().unwrap(), "2 + 2?");
    question.ack(&json!({ "answer": 4 })).unwrap();
    assert_eq!(
        quiz.expect("answered").await.unwrap(),
        json!({ "answer": 4 })
    );

    // Several arguments, one of them binary.
    quiz.emit("scan", &()).unwrap();
    let scan = quiz.expect_request("scan").await.unwrap();
    scan.ack(&("page 1", Bytes::from_static(b"\x00\x01\x02")))
        .unwrap();
    assert_eq!(
        quiz.expect("scanned").await.unwrap(),
        json!({ "name": "page 1", "len": 3 })
    );
}

#[tokio::test]
async fn an_event_sent_without_a_request_for_an_ack_is_not_one() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    echo.emit("chatter", &()).unwrap();
    let error = echo.expect_request("note").await.unwrap_err();
    assert!(
        matches!(error, TestError::NoAckRequested { ref event, .. } if event == "note"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "`note` arrived on /lab-1.0/echo without a request for an ack (the server sent it with \
         `emit`, not `emit_with_ack`); it was \"hi\""
    );
    // The other event is still there.
    assert_eq!(echo.expect("tally").await.unwrap(), json!({ "count": 2 }));
}

#[tokio::test]
async fn binary_attachments_arrive_as_bytes_and_leave_as_attachments() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    echo.emit("picture", &()).unwrap();
    let picture: Bytes = echo.expect_as("picture").await.unwrap();
    assert_eq!(&picture[..], b"\x89PNG");
    echo.emit("picture", &()).unwrap();
    // As JSON, an attachment is the array of its bytes.
    assert_eq!(
        echo.expect("picture").await.unwrap(),
        json!([0x89, b'P', b'N', b'G'])
    );
    let upload = Bytes::from_static(b"12345");
    assert_eq!(
        echo.emit_with_ack("upload", &upload).await.unwrap(),
        json!(5)
    );
}

#[tokio::test]
async fn a_recoverable_socket_announces_itself_and_its_offsets_are_taken_off() {
    let server = server().await;
    let client = server.client().connect().await.unwrap();
    let journal = client.socket("lab-1.0", "journal").await.unwrap();
    let announcement = journal.expect("rain:recovery").await.unwrap();
    assert_eq!(announcement["recovered"], json!(false), "{announcement}");
    journal.emit("write", "a line").unwrap();
    assert_eq!(journal.expect("written").await.unwrap(), json!("a line"));
}

#[tokio::test]
async fn a_cut_client_reconnects_and_recovers_what_its_room_got_meanwhile() {
    let server = server().await;
    let mut ada = server.client().connect().await.unwrap();
    let bob = server.client().connect().await.unwrap();
    let ada_journal = ada.socket("lab-1.0", "journal").await.unwrap();
    let bob_journal = bob.socket("lab-1.0", "journal").await.unwrap();
    assert!(!ada_journal.recovered());
    assert_eq!(ada_journal.expect("welcome").await.unwrap(), json!(false));
    assert_eq!(
        bob_journal.emit_with_ack("post", &0).await.unwrap(),
        json!(0)
    );
    assert_eq!(ada_journal.expect("posted").await.unwrap(), json!(0));

    ada.cut();
    let error = ada_journal.expect("posted").await.unwrap_err();
    assert!(
        error.to_string().contains("the test cut the connection"),
        "{error}"
    );
    for n in 1..=5 {
        assert_eq!(
            bob_journal.emit_with_ack("post", &n).await.unwrap(),
            json!(n)
        );
    }
    ada.reconnect().await.unwrap();
    let ada_journal = ada.socket("lab-1.0", "journal").await.unwrap();
    assert!(ada_journal.recovered());
    assert_eq!(ada_journal.recovery_failure(), None);
    for n in 1..=5 {
        assert_eq!(ada_journal.expect("posted").await.unwrap(), json!(n));
    }
    // The server's handler knows too, and the socket is back in its room.
    assert_eq!(ada_journal.expect("welcome").await.unwrap(), json!(true));
    assert_eq!(
        bob_journal.emit_with_ack("post", &6).await.unwrap(),
        json!(6)
    );
    assert_eq!(ada_journal.expect("posted").await.unwrap(), json!(6));
    let quiet = Duration::from_millis(100);
    ada_journal.expect_none("posted", quiet).await.unwrap();
}

#[tokio::test]
async fn a_client_back_after_a_restart_connects_fresh_and_is_told_why() {
    let mut server = server().await;
    let mut ada = server.client().connect().await.unwrap();
    let journal = ada.socket("lab-1.0", "journal").await.unwrap();
    assert_eq!(journal.expect("welcome").await.unwrap(), json!(false));
    server.restart().await.unwrap();
    journal.expect_disconnect().await.unwrap();
    ada.reconnect().await.unwrap();
    let journal = ada.socket("lab-1.0", "journal").await.unwrap();
    assert!(!journal.recovered());
    assert_eq!(
        journal.recovery_failure(),
        Some("unknown or expired session")
    );
    assert_eq!(journal.expect("welcome").await.unwrap(), json!(false));
}

#[tokio::test]
async fn a_socket_whose_auth_is_no_object_cannot_ask_to_recover_and_says_so() {
    let server = server().await;
    let mut ada = server
        .client()
        .auth(json!("a token"))
        .connect()
        .await
        .unwrap();
    let journal = ada.socket("lab-1.0", "journal").await.unwrap();
    assert_eq!(journal.expect("welcome").await.unwrap(), json!(false));
    ada.reconnect().await.unwrap();
    let error = ada.socket("lab-1.0", "journal").await.unwrap_err();
    assert!(
        matches!(error, TestError::AuthNotAnObject { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "/lab-1.0/journal cannot ask to recover: its auth \"a token\" is not an object, so it \
         has no place for `pid` and `offset`"
    );
    // The pid was the one try: the next connect is a fresh one.
    let journal = ada.socket("lab-1.0", "journal").await.unwrap();
    assert!(!journal.recovered());
    assert_eq!(journal.recovery_failure(), None);
}

#[tokio::test]
async fn after_a_restart_a_new_client_connects_on_the_same_port() {
    let mut server = server().await;
    let url = server.url();
    let client = server.client().connect().await.unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    server.restart().await.unwrap();
    assert_eq!(
        echo.expect("rain:shutdown").await.unwrap(),
        json!({ "reason": "the server is shutting down" })
    );
    echo.expect_disconnect().await.unwrap();
    let error = echo.emit_with_ack("echo", &1).await.unwrap_err();
    assert!(matches!(error, TestError::Disconnected { .. }), "{error}");
    assert_eq!(server.url(), url);
    let client = server
        .client()
        .session(User::new("1", "Ada"))
        .connect()
        .await
        .unwrap();
    let echo = client.socket("lab-1.0", "echo").await.unwrap();
    assert_eq!(
        echo.emit_with_ack("echo", "back").await.unwrap(),
        json!("back")
    );
}

#[tokio::test]
async fn a_page_is_served_over_http() {
    let server = server().await;
    let (status, body) = server.get("/rain/sockets").await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("/lab-1.0/echo"), "{body}");
    let (status, _) = server.get("/nowhere").await.unwrap();
    assert_eq!(status, 404);
}
