//! Event declarations as data: what `events!` declares for a socket, which the registry keeps
//! and the bindings generator and the `/rain` page read.

use ts_rs::TS;

use crate::base::typescript::TypeScript;

/// Who sends an event, seen from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// The client sends it; the server listens.
    Receive,
    /// The server sends it; the client listens.
    Emit,
}

/// Writes the TypeScript type of a payload (declaring the types it needs) and returns its name.
pub type TypeFn = fn(&mut TypeScript) -> String;

/// One declared event.
#[derive(Debug, Clone, Copy)]
pub struct EventDecl {
    /// The event name on the wire.
    pub name: &'static str,
    /// Who sends it.
    pub direction: Direction,
    /// Its doc comment.
    pub doc: &'static str,
    /// Its payload type.
    pub payload: TypeFn,
    /// Its acknowledgement type, when it expects one.
    pub ack: Option<TypeFn>,
}

/// A socket's event declaration, implemented by [`events!`](crate::events!).
pub trait Events: Send + Sync + 'static {
    /// Every declared event, in declaration order.
    const EVENTS: &'static [EventDecl];
}

/// A type that can be the payload or the ack of an event: the client bindings need its
/// TypeScript type.
///
/// Not public API. Used by `events!`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a payload of `events!`: it does not implement `ts_rs::TS`",
    label = "needs `ts_rs::TS`",
    note = "derive it next to serde's: `#[derive(serde::Serialize, ts_rs::TS)]`; the client bindings take their TypeScript from it"
)]
pub trait Payload: TS + 'static {}

impl<T: TS + ?Sized + 'static> Payload for T {}

/// The TypeScript type of a payload.
///
/// Not public API. Used by `events!`.
#[doc(hidden)]
pub fn payload_type<T: Payload + ?Sized>(ts: &mut TypeScript) -> String {
    ts.type_of::<T>()
}
