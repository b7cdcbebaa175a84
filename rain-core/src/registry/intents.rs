//! Intents, as RAIN had them: what a component declares it serves, by category and action, found
//! at startup beside its sockets.
//!
//! A *server* intent is answered by a function of the component (`#[intent(...)] async fn`); a
//! *view* intent by one of the component's views (`#[intent(..., view = "index")] const NAME: ()
//! = ();`). [`collect`] checks, once, that every intent's component is registered, that no two
//! intents share a category and action, and that a view intent's view exists.
//!
//! The TypeScript of a server intent's context and answer is written by functions that the
//! macro chooses at compile time: a type that implements `ts_rs::TS` is typed, any other is
//! `unknown` ([`TypeOf`], [`AnswerOf`]).

use std::{fmt, marker::PhantomData};

use serde::{Serialize, ser::SerializeStruct};
use ts_rs::TS;

use super::{
    error::DiscoverError,
    names::module_id,
    registration::{IntentProvider, IntentRegistration, Location},
};
use crate::{
    base::{ack::IntoAck, state::StateType, typescript::TypeScript},
    socket::guard::Guard,
};

/// An intent found at startup: a category and action that one component serves.
#[derive(Clone)]
pub struct Intent {
    module_id: String,
    registration: &'static IntentRegistration,
}

impl fmt::Debug for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Intent")
            .field("category", &self.category())
            .field("action", &self.action())
            .field("module_id", &self.module_id)
            .field("location", &self.registration.location)
            .finish_non_exhaustive()
    }
}

impl Intent {
    /// The module id of the component that provides the intent.
    pub fn module_id(&self) -> &str {
        &self.module_id
    }

    /// The intent's category (`com.rain.test.general`).
    pub fn category(&self) -> &'static str {
        self.registration.category
    }

    /// The intent's action (`com.rain.test.serverside.INLINE_LOGGING`).
    pub fn action(&self) -> &'static str {
        self.registration.action
    }

    /// The doc comment on the intent's function or const, if any.
    pub fn doc(&self) -> &'static str {
        self.registration.doc
    }

    /// Where the intent was declared.
    pub fn location(&self) -> Location {
        self.registration.location
    }

    /// The name of the function that answers a server intent; `None` for a view intent.
    pub fn handler(&self) -> Option<&'static str> {
        match self.registration.provider {
            IntentProvider::Server { handler, .. } => Some(handler),
            IntentProvider::View { .. } => None,
        }
    }

    /// The types a server intent's function reads with `State<T>` (none for a view intent).
    pub(crate) fn states(&self) -> impl Iterator<Item = StateType> {
        let states = match self.registration.provider {
            IntentProvider::Server { states, .. } => states,
            IntentProvider::View { .. } => &[],
        };
        states.iter().filter_map(|state_of| state_of())
    }

    /// The view of the component that answers a view intent; `None` for a server intent.
    pub fn view(&self) -> Option<&'static str> {
        match self.registration.provider {
            IntentProvider::View { view, .. } => Some(view),
            IntentProvider::Server { .. } => None,
        }
    }

    /// What provides the intent.
    pub(crate) fn provider(&self) -> &'static IntentProvider {
        &self.registration.provider
    }

    /// The guards run before the intent is answered, in order.
    pub(crate) fn guards(&self) -> &'static [Guard] {
        self.registration.guards
    }
}

/// An intent as JSON (what `/rain/sockets` lists): `{ "category", "action", "moduleId",
/// "handler" | "view", "location", "doc" }`, with `handler` for a server intent and `view` for a
/// view intent.
impl Serialize for Intent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut intent = serializer.serialize_struct("Intent", 6)?;
        intent.serialize_field("category", self.category())?;
        intent.serialize_field("action", self.action())?;
        intent.serialize_field("moduleId", self.module_id())?;
        match (self.handler(), self.view()) {
            (Some(handler), _) => intent.serialize_field("handler", handler)?,
            (None, view) => intent.serialize_field("view", &view)?,
        }
        intent.serialize_field("location", &self.location())?;
        intent.serialize_field("doc", self.doc())?;
        intent.end()
    }
}

/// The intents of `registrations`, sorted by category and action; `views_of` gives the views of
/// the component of a module id, `None` for one that is not registered. An intent of a component
/// that is not registered, two intents of one category and action, and a view intent naming a
/// view its component does not have are each an error naming where they were declared.
pub(super) fn collect(
    registrations: impl IntoIterator<Item = &'static IntentRegistration>,
    views_of: impl Fn(&str) -> Option<Vec<String>>,
) -> Result<Vec<Intent>, DiscoverError> {
    let mut intents = Vec::new();
    for registration in registrations {
        let id = module_id(registration.component.name, registration.component.version);
        let Some(views) = views_of(&id) else {
            return Err(DiscoverError::IntentWithoutComponent {
                module_id: id,
                category: registration.category,
                action: registration.action,
                location: registration.location,
            });
        };
        if let IntentProvider::View { view, .. } = registration.provider
            && !views.iter().any(|v| v == view)
        {
            let known: Vec<String> = views.iter().map(|v| format!("`{v}`")).collect();
            return Err(DiscoverError::UnknownIntentView {
                category: registration.category,
                action: registration.action,
                location: registration.location,
                module_id: id.into(),
                view,
                known: match known.is_empty() {
                    true => "none".into(),
                    false => known.join(", ").into(),
                },
            });
        }
        intents.push(Intent {
            module_id: id,
            registration,
        });
    }
    intents.sort_by(|a, b| {
        (a.category(), a.action(), a.location()).cmp(&(b.category(), b.action(), b.location()))
    });
    if let Some(pair) = intents
        .windows(2)
        .find(|w| (w[0].category(), w[0].action()) == (w[1].category(), w[1].action()))
    {
        return Err(DiscoverError::DuplicateIntent {
            category: pair[0].category(),
            action: pair[0].action(),
            first: pair[0].location(),
            second: pair[1].location(),
        });
    }
    Ok(intents)
}

/// The TypeScript of a server intent's context or answer, chosen at compile time: typed for a
/// type that implements `ts_rs::TS` ([`KnownType`]), `unknown` for any other ([`UnknownType`]).
///
/// Generated code calls `(&TypeOf::<T>::new()).type_script(ts)` with both traits in scope: the
/// method of [`KnownType`] takes `&TypeOf<T>` as it is, and wins when it applies; the one of
/// [`UnknownType`] needs one more reference, and is left for the types it does not apply to.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub struct TypeOf<T: ?Sized>(PhantomData<fn() -> PhantomData<T>>);

impl<T: ?Sized> TypeOf<T> {
    /// The type `T`.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T: ?Sized> Default for TypeOf<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The answer of a server intent whose function returns `R`: the value it acks
/// (`<R as IntoAck>::Payload`, `T` for a `Result<T, E>`), typed as [`TypeOf`] types it.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub struct AnswerOf<R: ?Sized>(PhantomData<fn() -> PhantomData<R>>);

impl<R: ?Sized> AnswerOf<R> {
    /// The answer of a function returning `R`.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<R: ?Sized> Default for AnswerOf<R> {
    fn default() -> Self {
        Self::new()
    }
}

/// The TypeScript of a type that cannot be named (an `impl Trait`): `unknown`.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub fn unknown_type(_: &mut TypeScript) -> String {
    "unknown".to_owned()
}

/// The TypeScript of a type that implements `ts_rs::TS`.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub trait KnownType {
    /// Declares the type (and those it uses) in `ts` and returns its name.
    fn type_script(&self, ts: &mut TypeScript) -> String;
}

impl<T: TS + ?Sized + 'static> KnownType for TypeOf<T> {
    fn type_script(&self, ts: &mut TypeScript) -> String {
        ts.type_of::<T>()
    }
}

impl<R> KnownType for AnswerOf<R>
where
    R: IntoAck,
    R::Payload: TS + 'static,
{
    fn type_script(&self, ts: &mut TypeScript) -> String {
        ts.type_of::<R::Payload>()
    }
}

/// The TypeScript of any other type: `unknown`.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub trait UnknownType {
    /// `unknown`.
    fn type_script(&self, ts: &mut TypeScript) -> String;
}

impl<T: ?Sized> UnknownType for &TypeOf<T> {
    fn type_script(&self, ts: &mut TypeScript) -> String {
        unknown_type(ts)
    }
}

impl<R: ?Sized> UnknownType for &AnswerOf<R> {
    fn type_script(&self, ts: &mut TypeScript) -> String {
        unknown_type(ts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Opaque;

    #[test]
    #[allow(
        clippy::needless_borrow,
        reason = "written as generated code writes it: the borrow is what lets `UnknownType` apply"
    )]
    fn types_that_are_ts_are_typed_and_others_unknown() {
        let mut ts = TypeScript::new();
        assert_eq!((&TypeOf::<String>::new()).type_script(&mut ts), "string");
        assert_eq!((&TypeOf::<Opaque>::new()).type_script(&mut ts), "unknown");
        assert_eq!(
            (&AnswerOf::<Result<u32, String>>::new()).type_script(&mut ts),
            "number"
        );
        assert_eq!((&AnswerOf::<()>::new()).type_script(&mut ts), "null");
        assert_eq!(
            (&AnswerOf::<crate::ack::Ack<Opaque>>::new()).type_script(&mut ts),
            "unknown"
        );
    }
}
