//! The history against real databases: SQLite in a temporary file, Postgres started by the test
//! ([`postgres::Postgres`]).

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use serde_json::json;
use sqlx::{Connection, Executor};

use super::*;

mod postgres;

/// A folder of its own under the system's temporary folder, created now, removed when dropped.
pub(super) struct TempFolder(PathBuf);

impl TempFolder {
    pub(super) fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!("rain-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The URL of the SQLite file `chat.db` in `folder`, created if missing.
fn sqlite_url(folder: &TempFolder) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        folder.path().join("chat.db").display()
    )
}

/// A message as a client sends it, read as the chat reads it.
fn message(text: &str) -> Message {
    Message::from_client(&json!({ "text": text })).unwrap()
}

/// The texts of `messages`, in order.
fn texts(messages: &[Message]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m.get("text").and_then(Value::as_str).unwrap())
        .collect()
}

const ONE: &str = "/chat-1.0/room";
const TWO: &str = "/chat-2.0/room";

/// What every backend must do: an empty history, messages back oldest first as stored (fields
/// the server set included), the last 50 only, one history per namespace.
async fn keeps_the_history(history: &History) {
    assert_eq!(history.last(ONE).await.unwrap(), []);
    let mut signed = message("hello");
    signed.set("from", "Ada");
    signed.set("sentAt", 1_700_000_000_000_u64);
    history.append(ONE, &signed).await.unwrap();
    // Any character JSON can carry, NUL too (kept escaped, which Postgres's `text` needs).
    history.append(ONE, &message("second\0 ✓")).await.unwrap();
    let last = history.last(ONE).await.unwrap();
    assert_eq!(last, [signed.clone(), message("second\0 ✓")]);
    assert_eq!(
        serde_json::to_value(&last[0]).unwrap(),
        json!({ "text": "hello", "from": "Ada", "sentAt": 1_700_000_000_000_u64 })
    );

    for n in 1..=60 {
        history.append(TWO, &message(&n.to_string())).await.unwrap();
    }
    let last = history.last(TWO).await.unwrap();
    let expected: Vec<String> = (11..=60).map(|n| n.to_string()).collect();
    assert_eq!(texts(&last), expected, "the newest 50, oldest first");
    assert_eq!(
        texts(&history.last(ONE).await.unwrap()),
        ["hello", "second\0 ✓"]
    );
    assert_eq!(history.last("/elsewhere").await.unwrap(), []);
}

#[tokio::test]
async fn sqlite_keeps_the_last_50_messages_of_each_room_oldest_first() {
    let folder = TempFolder::new("history-sqlite");
    let history = History::connect(&sqlite_url(&folder)).await.unwrap();
    keeps_the_history(&history).await;
}

#[tokio::test]
async fn sqlite_history_survives_reopening_the_file() {
    let folder = TempFolder::new("history-reopen");
    let url = sqlite_url(&folder);
    let history = History::connect(&url).await.unwrap();
    history.append(ONE, &message("kept")).await.unwrap();
    let History(Pool::Sqlite(pool)) = history else {
        panic!("not SQLite")
    };
    pool.close().await;

    // Opened again (and migrated again, which changes nothing): the message is there.
    let history = History::connect(&url).await.unwrap();
    assert_eq!(texts(&history.last(ONE).await.unwrap()), ["kept"]);
    history.append(ONE, &message("after")).await.unwrap();
    assert_eq!(texts(&history.last(ONE).await.unwrap()), ["kept", "after"]);
}

/// Two servers started at once on one new file: both open it (SQLite's migrations take no lock).
#[tokio::test]
async fn two_histories_opening_one_new_sqlite_file_at_once_both_open_it() {
    for _ in 0..10 {
        let folder = TempFolder::new("history-race");
        let url = sqlite_url(&folder);
        let (one, two) = tokio::join!(History::connect(&url), History::connect(&url));
        let (one, two) = (one.unwrap(), two.unwrap());
        one.append(ONE, &message("from one")).await.unwrap();
        assert_eq!(texts(&two.last(ONE).await.unwrap()), ["from one"]);
    }
}

/// Another process holding SQLite's lock: stores and reads fail after [`WAIT`], not later; once
/// it lets go, nothing stored before is lost and stores work again, on the same pool.
#[tokio::test]
async fn a_locked_sqlite_file_fails_within_the_wait_and_loses_nothing() {
    let folder = TempFolder::new("history-locked");
    let url = sqlite_url(&folder);
    let history = History::connect(&url).await.unwrap();
    history.append(ONE, &message("before")).await.unwrap();

    let mut locker = sqlx::SqliteConnection::connect(&url).await.unwrap();
    locker.execute("BEGIN EXCLUSIVE").await.unwrap();
    let started = Instant::now();
    let error = history.append(ONE, &message("during")).await.unwrap_err();
    assert!(matches!(error, HistoryError::Database(_)), "{error}");
    assert!(error.to_string().contains("locked"), "{error}");
    let error = history.last(ONE).await.unwrap_err();
    assert!(error.to_string().contains("unavailable"), "{error}");
    let took = started.elapsed();
    assert!(took < 3 * WAIT, "two failures took {took:?}");
    locker.execute("ROLLBACK").await.unwrap();

    history.append(ONE, &message("after")).await.unwrap();
    assert_eq!(
        texts(&history.last(ONE).await.unwrap()),
        ["before", "after"]
    );
}

#[tokio::test]
async fn postgres_keeps_the_last_50_messages_of_each_room_oldest_first() {
    let postgres = postgres::Postgres::start();
    let history = History::connect(&postgres.url()).await.unwrap();
    keeps_the_history(&history).await;
}

/// Postgres stopped: stores and reads fail within a few seconds; started again on the same data
/// and port, everything stored before is there and the same pool stores again.
#[tokio::test]
async fn postgres_stopped_then_started_again_loses_nothing_and_the_pool_reconnects() {
    let mut postgres = postgres::Postgres::start();
    let history = History::connect(&postgres.url()).await.unwrap();
    history.append(ONE, &message("before")).await.unwrap();

    postgres.stop();
    let started = Instant::now();
    let error = history.append(ONE, &message("during")).await.unwrap_err();
    assert!(matches!(error, HistoryError::Database(_)), "{error}");
    history.last(ONE).await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "two failures took {took:?}");

    postgres.start_again();
    assert_eq!(texts(&history.last(ONE).await.unwrap()), ["before"]);
    history.append(ONE, &message("after")).await.unwrap();
    assert_eq!(
        texts(&history.last(ONE).await.unwrap()),
        ["before", "after"]
    );
}

#[test]
fn a_message_is_an_object_whose_text_is_a_short_string() {
    let refused = |sent: Value| Message::from_client(&sent).unwrap_err();
    assert_eq!(refused(json!({ "text": "" })), BadMessage::Blank);
    assert_eq!(refused(json!({ "text": " \n\t" })), BadMessage::Blank);
    assert_eq!(
        refused(json!({ "text": 5 })),
        BadMessage::NotAString("a number")
    );
    assert_eq!(
        refused(json!({ "text": null })),
        BadMessage::NotAString("null")
    );
    assert_eq!(
        refused(json!({ "text": ["hi"] })),
        BadMessage::NotAString("an array")
    );
    assert_eq!(refused(json!({})), BadMessage::NoText);
    assert_eq!(refused(json!("hi")), BadMessage::NoText);
    assert_eq!(refused(json!({ "n": 1 })), BadMessage::NoText);
    let long = "é".repeat(MAX_TEXT_CHARS + 1);
    assert_eq!(
        refused(json!({ "text": long })),
        BadMessage::TooLong(MAX_TEXT_CHARS + 1)
    );
    assert_eq!(
        BadMessage::TooLong(2_001).to_string(),
        "`text` has 2001 characters; at most 2000 are allowed"
    );

    // Characters are counted, not bytes: 2,000 two-byte characters are allowed.
    let longest = "é".repeat(MAX_TEXT_CHARS);
    assert_eq!(message(&longest).get("text"), Some(&json!(longest)));
    // Only `text` is kept: `from` is the server's to set, anything else is dropped.
    let sent = json!({ "text": "hi", "from": "Mallory", "sentAt": 0, "extra": [1] });
    let read = Message::from_client(&sent).unwrap();
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        json!({ "text": "hi" })
    );
}

#[tokio::test]
async fn a_url_of_another_database_is_refused_without_its_password() {
    let error = History::connect("mysql://chat:secret@127.0.0.1/chat")
        .await
        .unwrap_err();
    assert!(matches!(error, HistoryError::Url(_)), "{error}");
    assert!(!error.to_string().contains("secret"), "{error}");
    assert!(error.to_string().contains("sqlite://"), "{error}");
    assert_eq!(
        redacted("postgres://chat:secret@127.0.0.1:5432/chat?sslmode=disable"),
        "postgres://chat:***@127.0.0.1:5432/chat?sslmode=disable"
    );
    assert_eq!(
        redacted("postgres://chat@host/db"),
        "postgres://chat@host/db"
    );
    assert_eq!(
        redacted("sqlite://rain-chat.db?mode=rwc"),
        "sqlite://rain-chat.db?mode=rwc"
    );
}

#[tokio::test]
async fn a_postgres_server_that_is_not_there_fails_to_connect_within_the_wait() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let url = format!("postgres://chat:secret@127.0.0.1:{port}/chat");
    let error = History::connect(&url).await.unwrap_err();
    assert!(started.elapsed() < 3 * WAIT, "{:?}", started.elapsed());
    assert!(matches!(error, HistoryError::Connect { .. }), "{error}");
    assert!(!error.to_string().contains("secret"), "{error}");
}
