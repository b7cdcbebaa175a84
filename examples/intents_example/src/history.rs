//! The chat's history: every message a room delivered, kept in a database, and the last ones read
//! back for a client that joins.
//!
//! SQLite by default, in the file [`DEFAULT_DATABASE_URL`] names (relative to the working
//! folder, created if missing); `DATABASE_URL` names another file (`sqlite://path?mode=rwc`) or a
//! Postgres database (`postgres://user:password@host/database`). The schema is created or brought
//! up to date when [`History::connect`] opens the database (`migrations/{sqlite,postgres}`).
//!
//! Each message is kept as the JSON the room delivered (after the server set `from` and
//! `sentAt`), with the room's namespace, so each version of the chat has its own history, and an
//! id that orders them.
//!
//! When the database cannot be reached, every store and every read fails within a few seconds
//! ([`WAIT`]) instead of waiting for it; the pool opens new connections once it is back, so
//! nothing needs a restart.

use std::{fmt, str::FromStr, time::Duration};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqlitePoolOptions},
};

/// Where the history is kept when `DATABASE_URL` is not set: `rain-chat.db` in the working
/// folder, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://rain-chat.db?mode=rwc";

/// How many messages [`History::last`] returns at most: the newest ones.
pub const HISTORY_LENGTH: u32 = 50;

/// The longest `text` a message may have, in characters (Unicode scalar values, as JavaScript's
/// `[...text].length` counts them).
pub const MAX_TEXT_CHARS: usize = 2_000;

/// How long one store or read waits for the database before it fails: for a connection from the
/// pool (Postgres stopped, a network away), for SQLite's lock (another process writing), for a
/// Postgres statement.
pub const WAIT: Duration = Duration::from_secs(2);

/// A chat message as the room delivers it: the `text` the client sent, `from` (the sender's name,
/// when logged in) and what the chat's version adds (`sentAt` in 2.0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Message(Map<String, Value>);

impl Message {
    /// Reads what a client sent: an object whose `text` is a string, not blank, of at most
    /// [`MAX_TEXT_CHARS`] characters. Only `text` is kept: `from` and `sentAt` are for the server
    /// to set, and nothing else is relayed or stored.
    pub fn from_client(sent: &Value) -> Result<Self, BadMessage> {
        let text = match sent.get("text") {
            Some(Value::String(text)) => text,
            Some(other) => return Err(BadMessage::NotAString(kind(other))),
            None => return Err(BadMessage::NoText),
        };
        if text.trim().is_empty() {
            return Err(BadMessage::Blank);
        }
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(BadMessage::TooLong(chars));
        }
        let mut fields = Map::new();
        fields.insert("text".to_owned(), text.clone().into());
        Ok(Self(fields))
    }

    /// Sets `field` (`from`, `sentAt`) to `value`.
    pub fn set(&mut self, field: &str, value: impl Into<Value>) {
        self.0.insert(field.to_owned(), value.into());
    }

    /// The value of `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }
}

/// What a JSON value is, for a message saying what `text` should have been.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Why a client's message is refused: it is neither stored nor delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadMessage {
    /// Not an object with a `text`.
    #[error("a chat message is an object with a `text`, such as `{{ \"text\": \"hi\" }}`")]
    NoText,
    /// `text` is not a string.
    #[error("`text` must be a string, not {0}")]
    NotAString(&'static str),
    /// `text` is empty, or only white space.
    #[error("`text` is empty")]
    Blank,
    /// `text` is longer than [`MAX_TEXT_CHARS`].
    #[error("`text` has {0} characters; at most {MAX_TEXT_CHARS} are allowed")]
    TooLong(usize),
}

/// The chat's history: a pool of connections to its database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct History(Pool);

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Stores one message. `$1`, `$2` are numbered parameters in both SQLite and Postgres.
const APPEND: &str = "INSERT INTO chat_messages (namespace, message) VALUES ($1, $2)";

/// The last `$2` messages of the room `$1`, oldest first.
const LAST: &str = "SELECT message FROM (
        SELECT id, message FROM chat_messages WHERE namespace = $1 ORDER BY id DESC LIMIT $2
    ) AS newest ORDER BY id";

impl History {
    /// `DATABASE_URL`, or [`DEFAULT_DATABASE_URL`] when it is not set.
    pub fn url_from_env() -> String {
        std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
    }

    /// Opens the history at `url` (`sqlite:…` or `postgres://…`/`postgresql://…`), creating its
    /// table or bringing it up to date. Fails when the database cannot be reached now.
    pub async fn connect(url: &str) -> Result<Self, HistoryError> {
        let connect = |source| HistoryError::Connect {
            url: redacted(url),
            source,
        };
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let statement_timeout = format!("{}ms", WAIT.as_millis());
            let options = PgConnectOptions::from_str(url)
                .map_err(connect)?
                .options([("statement_timeout", statement_timeout.as_str())]);
            let pool = PgPoolOptions::new()
                .acquire_timeout(WAIT)
                .connect_with(options)
                .await
                .map_err(connect)?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Pool::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect)?
                .busy_timeout(WAIT);
            // A connection to a local file does not go stale, and one kept open keeps an
            // in-memory database (`sqlite::memory:`, for tests) alive.
            let pool = SqlitePoolOptions::new()
                .acquire_timeout(WAIT)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(connect)?;
            let migrator = sqlx::migrate!("migrations/sqlite");
            // Postgres's migrations take a lock, SQLite's do not: of two servers opening one new
            // file at once, both may find the table missing; the one that fails to create it
            // finds it made by the other (with its migration recorded) when it tries again.
            if migrator.run(&pool).await.is_err() {
                migrator.run(&pool).await?;
            }
            Pool::Sqlite(pool)
        } else {
            return Err(HistoryError::Url(redacted(url)));
        };
        Ok(Self(pool))
    }

    /// Stores `message` as the newest of the room `namespace`.
    pub async fn append(&self, namespace: &str, message: &Message) -> Result<(), HistoryError> {
        let json = serde_json::to_string(message).expect("a map of JSON values serializes");
        match &self.0 {
            Pool::Sqlite(pool) => {
                let query = sqlx::query(APPEND).bind(namespace).bind(json);
                query.execute(pool).await.map(drop)
            }
            Pool::Postgres(pool) => {
                let query = sqlx::query(APPEND).bind(namespace).bind(json);
                query.execute(pool).await.map(drop)
            }
        }
        .map_err(HistoryError::Database)
    }

    /// The last [`HISTORY_LENGTH`] messages of the room `namespace`, oldest first, each as the
    /// room delivered it.
    pub async fn last(&self, namespace: &str) -> Result<Vec<Message>, HistoryError> {
        let limit = i64::from(HISTORY_LENGTH);
        let rows: Vec<String> = match &self.0 {
            Pool::Sqlite(pool) => {
                sqlx::query_scalar(LAST)
                    .bind(namespace)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
            }
            Pool::Postgres(pool) => {
                sqlx::query_scalar(LAST)
                    .bind(namespace)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
            }
        }
        .map_err(HistoryError::Database)?;
        rows.iter()
            .map(|row| serde_json::from_str(row).map_err(HistoryError::Corrupt))
            .collect()
    }
}

/// Why the history could not be opened, stored to or read.
///
/// Its `Debug` output is its message, so that `main` returning it prints a readable error.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The URL names no database the history can be kept in.
    #[error(
        "`{0}` is not a database URL the chat can keep its history in: \
         expected `sqlite://<file>?mode=rwc` or `postgres://<user>@<host>/<database>`"
    )]
    Url(String),
    /// The database could not be opened.
    #[error("cannot open the chat's history at `{url}`: {source}")]
    Connect {
        /// The database's URL, without its password.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The schema could not be created or brought up to date.
    #[error("cannot create or update the chat history's table: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A store or a read failed: the database is unreachable, locked or full.
    #[error("the chat's history is unavailable: {0}")]
    Database(sqlx::Error),
    /// A stored row is not a message (written by something else than this app).
    #[error("a stored chat message is not a JSON object: {0}")]
    Corrupt(serde_json::Error),
}

impl fmt::Debug for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `url` with the password of its user, if any, replaced by `***`, to be logged or shown.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
