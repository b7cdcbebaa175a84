//! What discovering the registrations can find wrong.

use super::registration::Location;

/// Why a component can be missing although the crate that declares it is a dependency, and the
/// usual fix. Every error that finds no component of a name, or none at all, ends with it.
pub(crate) const LINKING_HINT: &str = "hint: a library crate's components are linked into the \
     binary only when the binary uses the crate; if the component lives in another crate, add \
     `use my_components as _;` to `main.rs` (or call one of its functions)";

/// What [`Registry::discover`](crate::Registry::discover) can find wrong with the linked registrations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// Nothing was registered at all.
    #[error(
        "no components were found: no `#[component]` is linked into this binary; {}",
        LINKING_HINT
    )]
    NoComponents,
    /// Two components have the same name and version.
    #[error("two components have the module id `{module_id}`: {first} and {second}")]
    DuplicateComponent {
        /// The shared module id.
        module_id: String,
        /// The first declaration.
        first: Location,
        /// The second declaration.
        second: Location,
    },
    /// Two components of one name have versions that are equal as numbers (`1.0` and `01.0`), so
    /// that a version fragment could not tell them apart.
    #[error(
        "components `{first_module_id}` ({first}) and `{second_module_id}` ({second}) are one version \
         of `{name}`: versions compare as numbers; give one of them another version"
    )]
    SameVersion {
        /// The components' name.
        name: &'static str,
        /// The first one's module id.
        first_module_id: String,
        /// The first declaration.
        first: Location,
        /// The second one's module id.
        second_module_id: String,
        /// The second declaration.
        second: Location,
    },
    /// Two sockets have the same namespace.
    #[error("two sockets have the namespace `{namespace}`: {first} and {second}")]
    DuplicateSocket {
        /// The shared namespace.
        namespace: String,
        /// The first declaration.
        first: Location,
        /// The second declaration.
        second: Location,
    },
    /// A socket names a component that is not registered.
    #[error(
        "socket `{socket}` at {location} belongs to component `{module_id}`, which is not registered"
    )]
    MissingComponent {
        /// The module id the socket asked for.
        module_id: String,
        /// The socket name.
        socket: &'static str,
        /// Where the socket was declared.
        location: Location,
    },
    /// Two intents have the same category and action.
    #[error(
        "two intents have the category `{category}` and the action `{action}`: {first} and {second}"
    )]
    DuplicateIntent {
        /// The shared category.
        category: &'static str,
        /// The shared action.
        action: &'static str,
        /// The first declaration.
        first: Location,
        /// The second declaration.
        second: Location,
    },
    /// An intent names a component that is not registered.
    #[error(
        "intent `{category}` `{action}` at {location} belongs to component `{module_id}`, which is \
         not registered"
    )]
    IntentWithoutComponent {
        /// The module id the intent asked for.
        module_id: String,
        /// The intent's category.
        category: &'static str,
        /// The intent's action.
        action: &'static str,
        /// Where the intent was declared.
        location: Location,
    },
    /// A view intent names a view that its component does not have. (Its texts are boxed, so
    /// that the error is no larger than the others.)
    #[error(
        "view intent `{category}` `{action}` at {location} shows view `{view}` of `{module_id}`, \
         which has no such view; its views: {known}"
    )]
    UnknownIntentView {
        /// The intent's category.
        category: &'static str,
        /// The intent's action.
        action: &'static str,
        /// Where the intent was declared.
        location: Location,
        /// The component's module id.
        module_id: Box<str>,
        /// The view that was named.
        view: &'static str,
        /// The views that exist, comma-separated, or `none`.
        known: Box<str>,
    },
}
