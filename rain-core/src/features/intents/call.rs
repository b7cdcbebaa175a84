//! Calling a server intent's function: an event handler of the intent's context, whose answer is
//! its return value, as JSON.
//!
//! `#[intent]` registers, for each server intent, a function pointer to [`call_intent`] with the
//! user's function: compiled once per intent, so that the rest of the intents socket does not
//! depend on any function's type.

use std::sync::Arc;

use serde::Serialize;
use socketioxide::{
    handler::{FromMessageParts, Value},
    socket::Socket,
};

use crate::{
    base::{
        ack::{IntoAck, Reply},
        adapter::Adapter,
    },
    registry::registration::IntentFuture,
    socket::handler::EventHandler,
};

/// Starts `handler`, a server intent's function, on `socket` with `context`, the intent's
/// context as an `intent` event's argument: its arguments are extracted as an event handler's
/// are (`Data<T>` is the context, `MaybeUser` and `Session` the socket's, ...). `Err` says why
/// one could not be, as the client is told it.
///
/// Not public API. Used by generated code.
pub fn call_intent<H, T>(
    socket: &Arc<Socket<Adapter>>,
    context: Value,
    handler: H,
) -> Result<IntentFuture, String>
where
    H: IntentFunction<T>,
{
    // No ack id: what the function returns is the answer, and an `AckSender` it takes sends
    // nothing.
    let future = handler
        .start(Arc::clone(socket), context, None)
        .map_err(|refused| {
            if refused.is_payload() {
                format!("intent context refused: {refused}")
            } else {
                refused.to_string()
            }
        })?;
    Ok(Box::pin(async move { as_json(future.await.into_ack()) }))
}

/// A function that `#[intent]` can answer an intent with: an event handler (what
/// `SocketRef::on` takes), called with the intent's context.
///
/// Not public API. Used by generated code, so that a function that is not one is reported as an
/// intent's function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an `#[intent]` function",
    label = "not an intent function",
    note = "an `#[intent]` function is an `async fn` whose arguments are event extractors (`Data<T>`, `MaybeUser`, \
            `SocketRef`, ...) and which returns a `Serialize` value, `()` or a `Result<T, E>` (T: Serialize, E: Display)"
)]
pub trait IntentFunction<T>: EventHandler<T> {}

impl<H: EventHandler<T>, T> IntentFunction<T> for H {}

/// A function's reply as JSON: `()` answers `null`; a value that cannot be written as JSON is an
/// error.
fn as_json<T: Serialize>(reply: Reply<T>) -> Reply<serde_json::Value> {
    match reply {
        Reply::Nothing => Reply::Value(serde_json::Value::Null),
        Reply::Value(value) => match serde_json::to_value(value) {
            Ok(value) => Reply::Value(value),
            Err(error) => Reply::Error(format!("the answer cannot be written as JSON: {error}")),
        },
        Reply::Error(error) => Reply::Error(error),
    }
}

/// Implemented by every type that an `#[intent]` function can take as an argument.
///
/// Not public API. Used by generated code to check each argument on its own span.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of an `#[intent]` function",
    label = "not an intent extractor",
    note = "an `#[intent]` function takes event extractors: `Data<T>` (the intent's context), `TryData<T>`, \
            `SocketRef` (the socket that sent the intent), `MaybeUser`, `User`, `Session`, `State<T>`, `Extension<T>`"
)]
pub trait IntentArgument {}

impl<T: FromMessageParts<Adapter>> IntentArgument for T {}

/// Compiles only when `T` can be an `#[intent]` function's argument.
///
/// Not public API. Used by generated code.
pub const fn assert_intent_argument<T: IntentArgument>() {}

/// Implemented by every type that an `#[intent]` function can return as its answer.
///
/// Not public API. Used by generated code to check the return type on its own span.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the answer of an `#[intent]` function: it is not `serde::Serialize`",
    label = "the function's return value is the intent's answer",
    note = "return any `Serialize` value (derive `serde::Serialize`), `()`, or `Result<T, E>` (T: Serialize, E: Display) \
            to answer `Err` as an error"
)]
pub trait IntentAnswer {}

impl<T: Serialize + Send + 'static> IntentAnswer for T {}

/// Compiles only when `T` can be an `#[intent]` function's answer.
///
/// Not public API. Used by generated code.
pub const fn assert_intent_answer<T: IntentAnswer>() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_become_json_answers() {
        assert_eq!(
            as_json(Reply::<()>::Nothing),
            Reply::Value(serde_json::Value::Null)
        );
        assert_eq!(as_json(Reply::Value(3)), Reply::Value(serde_json::json!(3)));
        assert_eq!(
            as_json(Reply::<()>::Error("no".to_owned())),
            Reply::Error("no".to_owned())
        );
        let keyed = std::collections::HashMap::from([((1, 2), 3)]);
        let Reply::Error(error) = as_json(Reply::Value(keyed)) else {
            panic!("a map with tuple keys is not JSON");
        };
        assert!(
            error.starts_with("the answer cannot be written as JSON"),
            "{error}"
        );
    }
}
