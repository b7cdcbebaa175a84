//! The app's shared state: values given once with [`App::state`](crate::App::state) (a database
//! pool, a cache, the configuration), one per type, and read with the [`State`] extractor in every
//! kind of handler, the axum way.
//!
//! | where | how |
//! |---|---|
//! | a `#[websocket]` function, a handler given to [`SocketRef::on`](crate::SocketRef::on) or a typed `on`, a disconnect handler, an `#[intent]` function | an argument `State(db): State<Db>` |
//! | a guard | [`GuardContext::state`](crate::guard::GuardContext::state) |
//! | an HTTP route added with [`App::route`](crate::App::route) | an argument `State(db): State<Db>` |
//!
//! A value is cloned out for each handler that takes it, so a large one is shared behind an `Arc`
//! (pools such as sqlx's already are).
//!
//! A `#[websocket]` or `#[intent]` function that takes a `State<T>` the app was not given stops
//! the app at startup, naming the type and the function ([`Error::MissingState`](crate::Error)).
//! A handler registered at run time (with `on`) or an HTTP route cannot be checked before it
//! runs: it fails when called, with the same message ([`MissingState`]): an event gets it as its
//! error ack, a route answers 500, and both are logged.
//!
//! ```no_run
//! use rain_core::prelude::*;
//!
//! #[derive(Clone)]
//! struct Greeting(&'static str);
//!
//! #[component(name = "greeter", version = "1.0")]
//! mod greeter {
//!     use super::*;
//!
//!     #[websocket("hello")]
//!     async fn hello(socket: SocketRef, State(greeting): State<Greeting>) {
//!         socket.emit("greeting", greeting.0).ok();
//!     }
//! }
//!
//! # async fn run() -> Result<(), rain_core::Error> {
//! App::discover()?
//!     .state(Greeting("Hello"))
//!     .route("/greeting", axum::routing::get(async |State(greeting): State<Greeting>| greeting.0))
//!     .run_from_env()
//!     .await
//! # }
//! # fn main() {}
//! ```

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    fmt,
    marker::PhantomData,
    ops::{Deref, DerefMut},
    sync::Arc,
};

use axum::{
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use socketioxide::{
    adapter::Adapter,
    handler::{FromConnectParts, FromDisconnectParts, FromMessageParts, Value},
    socket::{DisconnectReason, Socket},
};

/// The values an app was given with [`App::state`](crate::App::state), by type. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct States(Arc<HashMap<TypeId, Entry>>);

#[derive(Clone)]
struct Entry {
    name: &'static str,
    value: Arc<dyn Any + Send + Sync>,
}

impl States {
    /// Adds `value`, replacing an earlier value of its type.
    pub(crate) fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) {
        let entry = Entry {
            name: std::any::type_name::<T>(),
            value: Arc::new(value),
        };
        Arc::make_mut(&mut self.0).insert(TypeId::of::<T>(), entry);
    }

    /// Whether a value of the type `ty` was given.
    pub(crate) fn has(&self, ty: StateType) -> bool {
        self.0.contains_key(&(ty.id)())
    }

    /// A clone of the value of type `T`, or why there is none.
    pub(crate) fn get<T: Clone + 'static>(&self) -> Result<T, MissingState> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|entry| entry.value.downcast_ref::<T>())
            .cloned()
            .ok_or_else(MissingState::of::<T>)
    }

    /// The states of the socket's app (every Rain app gives its Socket.IO server its states).
    fn of<A: Adapter>(socket: &Arc<Socket<A>>) -> Result<Self, MissingState> {
        // socketioxide's own state map holds Rain's one map; read through its extractor.
        socketioxide::extract::State::<Self>::from_connect_parts(socket, &None)
            .map(|states| states.0)
            .map_err(|_| MissingState::outside::<Self>())
    }
}

impl fmt::Debug for States {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.0.values().map(|entry| entry.name).collect();
        names.sort_unstable();
        f.debug_set().entries(names).finish()
    }
}

/// A type a handler reads with [`State`], as a registration records it.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct StateType {
    id: fn() -> TypeId,
    /// The type's name, as `std::any::type_name` gives it.
    pub name: fn() -> &'static str,
}

impl StateType {
    /// The type `T`.
    pub const fn of<T: 'static>() -> Self {
        Self {
            id: TypeId::of::<T>,
            name: std::any::type_name::<T>,
        }
    }
}

/// What the registration of one argument of a `#[websocket]` or `#[intent]` function records:
/// the type it reads with [`State`], if it is one.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub type StateOf = fn() -> Option<StateType>;

/// Tells a `State<T>` argument from any other, in generated code:
/// `Probe::<Arg>::new().state_type()` is the inherent method below for a `State<T>`, and
/// [`NotState`]'s for anything else, so that aliases and re-exports are seen through.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub struct Probe<T>(PhantomData<fn() -> T>);

impl<T> Probe<T> {
    /// The probe of an argument of type `T`.
    #[allow(clippy::new_without_default, reason = "generated code only")]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T: 'static> Probe<State<T>> {
    /// `T`, which this argument reads.
    pub fn state_type(self) -> Option<StateType> {
        Some(StateType::of::<T>())
    }
}

/// The fallback of [`Probe::state_type`]: an argument that is not a `State<T>` reads none.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub trait NotState {
    /// `None`.
    fn state_type(self) -> Option<StateType>;
}

impl<T> NotState for &Probe<T> {
    fn state_type(self) -> Option<StateType> {
        None
    }
}

/// An extractor of the app's value of type `T`, given with [`App::state`](crate::App::state) (see
/// [the module](self)). Derefs to `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct State<T>(pub T);

impl<T> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for State<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// The app has no value of the type a handler reads with [`State`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MissingState(String);

impl MissingState {
    fn of<T>() -> Self {
        let name = std::any::type_name::<T>();
        Self(format!(
            "the app has no state of type `{name}`: give it one with `App::state(..)`"
        ))
    }

    fn outside<T>() -> Self {
        Self(format!(
            "`State<{}>` read outside a Rain app's router",
            std::any::type_name::<T>()
        ))
    }
}

impl<A: Adapter, T: Clone + Send + Sync + 'static> FromConnectParts<A> for State<T> {
    type Error = MissingState;
    fn from_connect_parts(s: &Arc<Socket<A>>, _: &Option<Value>) -> Result<Self, MissingState> {
        States::of(s)?.get().map(State)
    }
}

impl<A: Adapter, T: Clone + Send + Sync + 'static> FromMessageParts<A> for State<T> {
    type Error = MissingState;
    fn from_message_parts(
        s: &Arc<Socket<A>>,
        _: &mut Value,
        _: &Option<i64>,
    ) -> Result<Self, MissingState> {
        States::of(s)?.get().map(State)
    }
}

impl<A: Adapter, T: Clone + Send + Sync + 'static> FromDisconnectParts<A> for State<T> {
    type Error = MissingState;
    fn from_disconnect_parts(
        s: &Arc<Socket<A>>,
        _: DisconnectReason,
    ) -> Result<Self, MissingState> {
        States::of(s)?.get().map(State)
    }
}

impl<S: Send + Sync, T: Clone + Send + Sync + 'static> axum::extract::FromRequestParts<S>
    for State<T>
{
    type Rejection = MissingState;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, MissingState> {
        parts
            .extensions
            .get::<States>()
            .ok_or_else(MissingState::outside::<T>)?
            .get()
            .map(State)
    }
}

impl IntoResponse for MissingState {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "an HTTP route reads a state the app was not given");
        (StatusCode::INTERNAL_SERVER_ERROR, self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Pool(u32);

    #[test]
    fn a_value_is_found_by_its_type_and_replaced_by_a_later_one() {
        let mut states = States::default();
        states.insert(Pool(1));
        states.insert("config");
        states.insert(Pool(2));
        assert_eq!(states.get::<Pool>(), Ok(Pool(2)));
        assert_eq!(states.get::<&str>(), Ok("config"));
        assert!(states.has(StateType::of::<Pool>()));
        assert!(!states.has(StateType::of::<u8>()));
    }

    #[test]
    fn a_missing_type_is_named_with_the_fix() {
        let error = States::default().get::<Pool>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "the app has no state of type `rain_core::base::state::tests::Pool`: \
             give it one with `App::state(..)`"
        );
    }

    #[test]
    fn the_probe_tells_a_state_argument_from_others_through_aliases() {
        type Alias = State<Pool>;
        let state = Probe::<Alias>::new().state_type().unwrap();
        assert_eq!((state.id)(), TypeId::of::<Pool>());
        assert_eq!((state.name)(), std::any::type_name::<Pool>());
        assert!(Probe::<Pool>::new().state_type().is_none());
        assert!(Probe::<crate::SocketRef>::new().state_type().is_none());
    }
}
