//! The errors Rain returns instead of panicking.

use crate::registry::{DiscoverError, LINKING_HINT, ResolveError};

/// Everything that can go wrong when building or serving an [`App`](crate::App).
///
/// Its `Debug` output is its message, as `anyhow`'s is, so that `main` returning
/// `Result<(), rain_core::Error>` prints a readable error (and a bindings diff as a diff).
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The registrations are inconsistent.
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    /// A page names a component that does not exist.
    #[error(
        "page `{page}` shows component `{module_id}`, which does not exist; components: {known}; \
         {}",
        LINKING_HINT
    )]
    UnknownComponent {
        /// The page's path.
        page: String,
        /// The module id that was asked for.
        module_id: String,
        /// The module ids that exist, comma-separated.
        known: String,
    },
    /// A page names a component by name and version fragment (`chat@3`) that names none.
    #[error("page `{page}` shows component `{reference}`: {source}")]
    UnresolvedComponent {
        /// The page's path.
        page: String,
        /// The reference as given.
        reference: String,
        /// Why it names no component: the name's versions, or the names, that exist.
        source: ResolveError,
    },
    /// A page names a view that its component does not have.
    #[error(
        "page `{page}` shows view `{view}` of `{module_id}`, which has no such view; its views: {known}"
    )]
    UnknownView {
        /// The page's path.
        page: String,
        /// The component.
        module_id: String,
        /// The view that was asked for.
        view: String,
        /// The views that exist, comma-separated.
        known: String,
    },
    /// A page is served where the engine answers, so the page could never be reached.
    #[error(
        "page `{page}` is under the Engine.IO path `{engine}`, where no page can be served; move \
         one of them (see `rain_core::engine`)"
    )]
    PageUnderEngine {
        /// The page's path.
        page: String,
        /// The engine's path.
        engine: String,
    },
    /// The client bindings cannot be generated (two names map to one identifier, say).
    #[error("cannot generate the client bindings: {0}")]
    Bindings(String),
    /// Bindings written to a folder no longer match the app.
    #[error("the bindings in `{folder}` are stale; regenerate them with `bindings write`:\n{diff}")]
    StaleBindings {
        /// The folder checked.
        folder: String,
        /// What differs, as a unified diff.
        diff: String,
    },
    /// A `RAIN_*` variable is set to a value that cannot be used.
    #[error(transparent)]
    Env(#[from] crate::base::env::EnvError),
    /// An engine setting given to [`App::engine`](crate::App::engine) cannot be used.
    #[error(transparent)]
    Engine(#[from] crate::base::engine::EngineError),
    /// A limit given to [`App::limits`](crate::App::limits) cannot be used.
    #[error(transparent)]
    Limit(#[from] crate::base::limits::LimitError),
    /// The session secret given to [`App::session_secret`](crate::App::session_secret) is too
    /// short.
    #[error(transparent)]
    SessionSecret(#[from] crate::features::session::SecretError),
    /// The command line is not one the app understands.
    #[error("{0}")]
    Usage(String),
    /// `RAIN_ADDR` is not a socket address.
    #[error("RAIN_ADDR=`{value}` is not an address like `127.0.0.1:3000`: {source}")]
    BadAddress {
        /// The value found.
        value: String,
        /// Why it does not parse.
        source: std::net::AddrParseError,
    },
    /// An allowed origin (`App::allowed_origins`, `RAIN_ALLOWED_ORIGINS`) is not one.
    #[error("`{origin}` cannot be an allowed origin: {reason}")]
    BadOrigin {
        /// The entry as given.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `RAIN_REDIS_URL` (or the URL given to [`App::redis`](crate::App::redis)) is not a Redis URL.
    #[error("`{value}` is not a Redis URL like `redis://127.0.0.1:6379`: {source}")]
    BadRedisUrl {
        /// The value found.
        value: String,
        /// Why it does not parse.
        source: redis::RedisError,
    },
    /// Redis cannot be used at all (an unreachable Redis is not an error: the app serves this
    /// node's clients until it answers).
    #[error("{context}: {source}")]
    Redis {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: redis::RedisError,
    },
    /// A `#[websocket]` or `#[intent]` function reads a state the app was not given.
    #[error(
        "{handler} takes `State<{type_name}>`, but the app has no `{type_name}`: give it one \
         with `App::state(..)` (see `rain_core::state`)"
    )]
    MissingState {
        /// The function, and what it handles: `` `chat::room`, the handler of socket `room` of `chat-1.0` ``.
        handler: String,
        /// The type it reads.
        type_name: &'static str,
    },
    /// Binding or serving failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
