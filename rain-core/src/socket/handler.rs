//! The event handlers [`SocketRef::on`](crate::SocketRef::on) takes: `async` closures and
//! functions of message extractors, whose return value is the ack.

use std::{any::Any, fmt, future::Future, sync::Arc};

use socketioxide::{
    handler::{FromMessage, FromMessageParts, Value},
    socket::Socket,
};

use crate::base::{ack::IntoAck, adapter::Adapter, state::MissingState};

/// Why a handler did not start: an argument could not be extracted from the message.
///
/// A [`State<T>`](crate::State) the app was not given is told to the client as it is; any other
/// argument (`Data<T>`, a `User` nobody is logged in as, ...) as that event's payload refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionError {
    message: String,
    payload: bool,
}

impl ExtractionError {
    /// The message's payload did not fit the handler's argument.
    pub fn payload(error: impl fmt::Display) -> Self {
        Self {
            message: error.to_string(),
            payload: true,
        }
    }

    /// An argument other than the payload could not be had.
    pub fn argument(error: impl fmt::Display) -> Self {
        Self {
            message: error.to_string(),
            payload: false,
        }
    }

    /// Whether it was the payload that was refused.
    pub fn is_payload(&self) -> bool {
        self.payload
    }

    /// What an argument's extractor failed with: the payload (as socketioxide's extractors
    /// read it), unless the argument is a state.
    fn of<E: std::error::Error + 'static>(error: E) -> Self {
        if (&error as &dyn Any).is::<MissingState>() {
            Self::argument(error)
        } else {
            Self::payload(error)
        }
    }
}

impl fmt::Display for ExtractionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An event handler that [`SocketRef::on`](crate::SocketRef::on) takes: an `async` closure or function whose arguments
/// are message extractors and whose return value is the ack ([`IntoAck`]).
///
/// Implemented for closures of up to 12 arguments; the last one may consume the message (`Bin`).
#[diagnostic::on_unimplemented(
    message = "this is not an event handler that `SocketRef::on` can call",
    label = "not an event handler",
    note = "an event handler is an `async` closure or `async fn` whose arguments are message extractors \
            (`SocketRef`, `Data<T>`, `TryData<T>`, `AckSender`, `State<T>`, ...)",
    note = "what it returns is the client's ack: `()` (none), `Result<T, E>` (T: Serialize, E: Display), \
            a `serde_json::Value`, a string, a number, or `Ack(value)` for any other `Serialize` value"
)]
pub trait EventHandler<T>: Clone + Send + Sync + 'static {
    /// What the handler returns: the ack.
    type Output: IntoAck;
    /// The handler's future.
    type Future: Future<Output = Self::Output> + Send + 'static;

    /// Extracts the arguments from the message and starts the handler; `Err` says which
    /// argument could not be extracted, and why.
    fn start(
        &self,
        socket: Arc<Socket<Adapter>>,
        value: Value,
        ack_id: Option<i64>,
    ) -> Result<Self::Future, ExtractionError>;
}

impl<F, Fut> EventHandler<()> for F
where
    F: FnOnce() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoAck,
{
    type Output = Fut::Output;
    type Future = Fut;

    fn start(
        &self,
        _: Arc<Socket<Adapter>>,
        _: Value,
        _: Option<i64>,
    ) -> Result<Fut, ExtractionError> {
        Ok((self.clone())())
    }
}

macro_rules! event_handler {
    ([$($ty:ident),*], $last:ident) => {
        #[allow(
            non_snake_case,
            unused_mut,
            reason = "the extracted arguments are named by their types; with no parts extractor, \
                      nothing borrows the message mutably"
        )]
        impl<F, Fut, M, $($ty,)* $last> EventHandler<(M, $($ty,)* $last,)> for F
        where
            F: FnOnce($($ty,)* $last) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoAck,
            $($ty: FromMessageParts<Adapter> + Send,)*
            $last: FromMessage<Adapter, M> + Send,
        {
            type Output = Fut::Output;
            type Future = Fut;

            fn start(
                &self,
                socket: Arc<Socket<Adapter>>,
                mut value: Value,
                ack_id: Option<i64>,
            ) -> Result<Fut, ExtractionError> {
                $(
                    let $ty = $ty::from_message_parts(&socket, &mut value, &ack_id)
                        .map_err(ExtractionError::of)?;
                )*
                let last = $last::from_message(socket, value, ack_id)
                    .map_err(ExtractionError::of)?;
                Ok((self.clone())($($ty,)* last))
            }
        }
    };
}

event_handler!([], T1);
event_handler!([T1], T2);
event_handler!([T1, T2], T3);
event_handler!([T1, T2, T3], T4);
event_handler!([T1, T2, T3, T4], T5);
event_handler!([T1, T2, T3, T4, T5], T6);
event_handler!([T1, T2, T3, T4, T5, T6], T7);
event_handler!([T1, T2, T3, T4, T5, T6, T7], T8);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8], T9);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8, T9], T10);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8, T9, T10], T11);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11], T12);
