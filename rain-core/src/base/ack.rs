//! Acknowledgements: what an event handler returns is what the client's ack callback receives.
//!
//! | the handler returns | the client's ack receives |
//! |---|---|
//! | `()` | nothing: no ack is sent (the handler may still take an `AckSender`) |
//! | a [`Value`], a string, a number, a `bool`, a `Vec`, an `Option` | that value |
//! | [`Ack`]`(value)`, any `Serialize` value | that value |
//! | `Ok(value)` of a `Result<T: Serialize, E: Display>` | that value |
//! | `Err(error)` | `{ "error": "<error, displayed>" }` |
//!
//! Every refusal by Rain itself (a guard, the rate limit, a payload that does not deserialize, a
//! handler that panicked) has the same shape, `{ "error": "<message>" }`, so a client checks for
//! errors in one way.
//!
//! ```
//! use rain_core::{ack::Ack, prelude::*};
//! use serde::Serialize;
//!
//! #[derive(Serialize)]
//! struct Score { points: u32 }
//!
//! #[component(name = "game", version = "1.0")]
//! mod game {
//!     use super::*;
//!
//!     #[websocket("table")]
//!     async fn table(socket: SocketRef) {
//!         socket.on("ping", async || "pong");
//!         socket.on("score", async || Ack(Score { points: 3 }));
//!         socket.on("divide", async |Data::<(i64, i64)>((a, b))| match b {
//!             0 => Err("cannot divide by zero"),
//!             b => Ok(a / b),
//!         });
//!         socket.on("quiet", async |ack: AckSender| {
//!             ack.send("acked by hand").ok();
//!         });
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! [`Value`]: serde_json::Value

use std::{borrow::Cow, collections::BTreeMap, collections::HashMap, fmt::Display};

use serde::Serialize;

/// What an acknowledgement carries: a value, an error, or nothing at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<T> {
    /// No ack is sent.
    Nothing,
    /// The client's ack receives this value.
    Value(T),
    /// The client's ack receives `{ "error": "<message>" }`.
    Error(String),
}

/// A value an event handler can return: it becomes the ack the client receives.
///
/// Implemented for `()` (no ack), `Result<T: Serialize, E: Display>`, [`Ack`], JSON values,
/// strings, numbers, `bool`, `Vec`, `Option` and maps. Wrap any other `Serialize` type in
/// [`Ack`], or implement this trait for it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from an event handler",
    label = "the handler's return value is the client's ack",
    note = "return `()` (no ack), `Result<T, E>` (T: Serialize, E: Display), a `serde_json::Value`, a string, \
            a number, or wrap any `Serialize` value in `rain_core::ack::Ack(..)`"
)]
pub trait IntoAck: Send + 'static {
    /// The type of the value the client receives.
    type Payload: Serialize;

    /// The ack to send.
    fn into_ack(self) -> Reply<Self::Payload>;
}

/// Acks the client with any `Serialize` value: `async || Ack(Score { points: 3 })`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ack<T>(pub T);

impl<T: Serialize + Send + 'static> IntoAck for Ack<T> {
    type Payload = T;
    fn into_ack(self) -> Reply<T> {
        Reply::Value(self.0)
    }
}

impl IntoAck for () {
    type Payload = ();
    fn into_ack(self) -> Reply<()> {
        Reply::Nothing
    }
}

impl<T, E> IntoAck for Result<T, E>
where
    T: Serialize + Send + 'static,
    E: Display + Send + 'static,
{
    type Payload = T;
    fn into_ack(self) -> Reply<T> {
        match self {
            Ok(value) => Reply::Value(value),
            Err(error) => Reply::Error(error.to_string()),
        }
    }
}

/// Types acked as they serialize.
macro_rules! ack_as_is {
    ($($ty:ty),* $(,)?) => {
        $(
            impl IntoAck for $ty {
                type Payload = Self;
                fn into_ack(self) -> Reply<Self> {
                    Reply::Value(self)
                }
            }
        )*
    };
}

ack_as_is!(
    serde_json::Value,
    String,
    &'static str,
    Cow<'static, str>,
    bool,
    char,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
);

impl<T: Serialize + Send + 'static> IntoAck for Vec<T> {
    type Payload = Self;
    fn into_ack(self) -> Reply<Self> {
        Reply::Value(self)
    }
}

impl<T: Serialize + Send + 'static> IntoAck for Option<T> {
    type Payload = Self;
    fn into_ack(self) -> Reply<Self> {
        Reply::Value(self)
    }
}

impl<K, V, S> IntoAck for HashMap<K, V, S>
where
    K: Serialize + Send + 'static,
    V: Serialize + Send + 'static,
    S: Send + 'static,
{
    type Payload = Self;
    fn into_ack(self) -> Reply<Self> {
        Reply::Value(self)
    }
}

impl<K, V> IntoAck for BTreeMap<K, V>
where
    K: Serialize + Send + 'static,
    V: Serialize + Send + 'static,
{
    type Payload = Self;
    fn into_ack(self) -> Reply<Self> {
        Reply::Value(self)
    }
}

/// The ack of every error: `{ "error": "<message>" }`.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorAck<'a> {
    pub(crate) error: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_ack_their_value_or_an_error() {
        assert_eq!(Ok::<_, String>(3).into_ack(), Reply::Value(3));
        assert_eq!(
            Err::<u8, _>("no such room").into_ack(),
            Reply::Error("no such room".to_owned())
        );
        assert_eq!(().into_ack(), Reply::Nothing);
        assert_eq!(
            serde_json::to_value(ErrorAck { error: "nope" }).unwrap(),
            serde_json::json!({ "error": "nope" })
        );
    }
}
