//! The attribute macros of Rain: [`macro@component`], [`macro@websocket`] and [`macro@intent`].
//!
//! Use them through `rain-core`, which re-exports them (`rain_core::prelude::*`) and owns every
//! type their expansions name. Each macro registers one constant description of what it is
//! placed on; `rain_core::Registry::discover()` collects them when the app starts.
#![warn(missing_docs)]

mod component;
mod duration;
mod intent;
mod names;
mod paths;
mod settings;
mod signature;
mod syntax;
mod websocket;

use proc_macro::TokenStream;

/// Declares a component: a named, versioned module of sockets, views and client code.
///
/// ```
/// use rain_core::prelude::*;
///
/// /// Greets whoever connects.
/// #[component(name = "intents-example", version = "1.0")]
/// mod intents_example {
///     use super::*;
///
///     /// Answers every `hello` with a `bye`.
///     #[websocket("chat/dummy socket")]
///     async fn dummy_socket(socket: SocketRef) {
///         socket.on("hello", async |socket: SocketRef| {
///             socket.emit("bye", &json!({ "message": "Hello sir" })).ok();
///         });
///     }
/// }
/// # fn main() {}
/// ```
///
/// # Arguments
///
/// - `name` (required): ASCII letters, digits, `-`, `_` and `.`, starting with a letter.
/// - `version` (required): two or three numbers, `1.0` or `2.3.1`. Name and version together
///   form the component's module id, `intents-example-1.0`, which prefixes its URLs and
///   namespaces.
/// - `assets` (optional): a folder relative to the crate's `Cargo.toml`, such as
///   `assets = "components/intents-example"`, holding the component's views
///   (`views/<id>.html`), client controllers and styles. Its files are embedded in release builds
///   and read from disk in debug builds.
///
/// The module's doc comment becomes the component's description.
///
/// # Sockets
///
/// Every `#[websocket]` inside the module belongs to the component, in nested modules too. Two of
/// them with the same socket name are an error:
///
/// ```compile_fail
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")]
/// mod chat {
///     use super::*;
///
///     #[websocket("room")]
///     async fn room(socket: SocketRef) {}
///
///     #[websocket("room")] // duplicate socket `room` in component `chat`
///     async fn other_room(socket: SocketRef) {}
/// }
/// # fn main() {}
/// ```
///
/// # Mistakes
///
/// `#[component]` goes on an inline module, never on other items:
///
/// ```compile_fail
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")] // goes on an inline module: `mod name { ... }`
/// fn chat() {}
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn component(args: TokenStream, item: TokenStream) -> TokenStream {
    component::component(args.into(), item.into()).into()
}

/// Declares a socket: an `async fn` that handles each connection to the Socket.IO namespace
/// `/<module id>/<socket name>`.
///
/// Inside a [`macro@component`] module, the socket belongs to that component:
///
/// ```
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")]
/// mod chat {
///     use super::*;
///
///     /// Says who joined, to everyone in the room.
///     #[websocket("room/main hall")]
///     async fn main_hall(socket: SocketRef, Data(name): Data<String>) {
///         socket.broadcast().emit("joined", &name).await.ok();
///     }
/// }
/// # fn main() {}
/// ```
///
/// Anywhere else, it names its component module by path:
///
/// ```
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")]
/// pub mod chat {}
///
/// mod lobby {
///     use rain_core::prelude::*;
///
///     #[websocket("lobby", component = crate::chat)]
///     async fn lobby(socket: SocketRef, io: SocketIo) {}
/// }
/// # fn main() {}
/// ```
///
/// # Socket names
///
/// One or more segments separated by `/`, as in `chat/dummy socket`; spaces are fine. A name does
/// not start or end with `/`, has no empty, `.` or `..` segment, and contains no `,`, `?`, `#` or
/// control character.
///
/// # Handlers
///
/// The handler is a free, non-generic `async fn` returning `()`. Each of its arguments is a
/// Socket.IO connect extractor: `SocketRef`, `Data<T>` (the client's auth payload), `TryData<T>`,
/// `SocketIo`, `State<T>`, `HttpExtension<T>`. Any other type is reported on the argument:
///
/// ```compile_fail
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")]
/// mod chat {
///     use super::*;
///
///     #[websocket("room")]
///     async fn room(socket: SocketRef, count: u32) {} // `u32` cannot be an argument of a `#[websocket]` handler
/// }
/// # fn main() {}
/// ```
///
/// # Guards
///
/// `guard = path` names a guard run on connect, `event_guard = path` one run before every event;
/// either takes a list (`guard = [require_user, not_banned]`) and may be repeated. A guard is a
/// function `fn(&GuardContext<'_>) -> Result<(), Refusal>` (see `rain_core::guard`); a function
/// of another signature is reported on its path.
///
/// ```
/// use rain_core::prelude::*;
///
/// fn require_user(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
///     match ctx.socket().req_parts().headers.contains_key("cookie") {
///         true => Ok(()),
///         false => Err("sign in first".into()),
///     }
/// }
///
/// #[component(name = "chat", version = "1.0")]
/// mod chat {
///     use super::*;
///
///     #[websocket("room", guard = require_user, event_guard = require_user)]
///     async fn room(socket: SocketRef) {}
/// }
/// # fn main() {}
/// ```
///
/// # Limits
///
/// A socket may set its own event limits and idle timeout over the app's (`rain_core::limits`),
/// for its sockets only; whatever it does not set stays the app's, `RAIN_*` variables included:
///
/// - `event_rate = 120`: events one socket may send per second, sustained, from `0` to
///   `4294967295`; `0` sets no rate limit, as it does for the app.
/// - `event_burst = 240`: events one socket may send at once, from `1` (a burst of `0` would
///   refuse every event). Given without `event_rate`, the app's rate applies.
/// - `idle_timeout = "10m"`: how long a socket may send no event before it is disconnected: a
///   whole number and a unit, `ms`, `s`, `m` or `h` (`"500ms"`, `"30s"`, `"2m"`, `"1h"`), or
///   `"never"`.
///
/// ```
/// use rain_core::prelude::*;
///
/// #[component(name = "board", version = "1.0")]
/// mod board {
///     use super::*;
///
///     /// Cursor moves: many small events, from clients that may only watch for a while.
///     #[websocket("cursor", event_rate = 120, event_burst = 240, idle_timeout = "2h")]
///     async fn cursor(socket: SocketRef) {
///         socket.on("move", async |socket: SocketRef, Data::<(f64, f64)>(at)| {
///             socket.broadcast().emit("moved", &at).await.ok();
///         });
///     }
/// }
/// # fn main() {}
/// ```
///
/// Each value is checked at compile time:
///
/// ```compile_fail
/// use rain_core::prelude::*;
///
/// #[component(name = "board", version = "1.0")]
/// mod board {
///     use super::*;
///
///     #[websocket("cursor", idle_timeout = "10 minutes")] // expected a whole number and a unit
///     async fn cursor(socket: SocketRef) {}
/// }
/// # fn main() {}
/// ```
///
/// # Mistakes
///
/// A socket outside any component that names none has nowhere to go:
///
/// ```compile_fail
/// use rain_core::prelude::*;
///
/// #[websocket("lobby")] // must be inside a `#[component]` module, or name its component
/// async fn lobby(socket: SocketRef) {}
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn websocket(args: TokenStream, item: TokenStream) -> TokenStream {
    websocket::websocket(args.into(), item.into()).into()
}

/// Declares an intent the component serves, by category and action (RAIN's intents): a page
/// sends it with `clientRuntime.messaging.sendIntent({ viewContext, category, action,
/// intentContext })`, and whichever component provides it answers (see `rain_core::intents`).
///
/// # Server intents
///
/// On an `async fn`, the intent is a *server intent*: the function runs with the intent's
/// context and the caller's session, and what it returns is the answer.
///
/// ```
/// use rain_core::prelude::*;
/// use rain_core::session::MaybeUser;
///
/// #[component(name = "intents-example", version = "1.0")]
/// mod intents_example {
///     use super::*;
///
///     /// Logs the message; answers what was logged, and by whom.
///     #[intent(category = "com.rain.test.general", action = "com.rain.test.serverside.INLINE_LOGGING")]
///     async fn do_logging(
///         Data(message): Data<String>,
///         MaybeUser(user): MaybeUser,
///     ) -> Result<Value, String> {
///         if message.is_empty() {
///             return Err("nothing to log".to_owned()); // answered `{ "error": "nothing to log" }`
///         }
///         println!("logged: {message}");
///         Ok(json!({ "logged": message, "by": user.map(|user| user.name) }))
///     }
/// }
/// # fn main() {}
/// ```
///
/// The function's arguments are event extractors, as those of a `SocketRef::on` handler:
/// `Data<T>` (the intent's context, deserialized; a context it cannot read is refused with what
/// was expected), `TryData<T>`, `SocketRef` (the socket that sent the intent), `MaybeUser`,
/// `User`, `Session` (the caller's, read when its socket connected), `State<T>`,
/// `Extension<T>`. Any other type is reported on the argument:
///
/// ```compile_fail
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")]
/// mod chat {
///     use super::*;
///
///     #[intent(category = "chat", action = "COUNT")]
///     async fn count(count: u32) -> u32 { count } // `u32` cannot be an argument of an `#[intent]` function
/// }
/// # fn main() {}
/// ```
///
/// What it returns is acked as an event handler's return value is (`rain_core::ack`), wrapped:
/// `{ "value": <it> }`, `()` being `null`; `Err(error)` of a `Result<T, E: Display>` is answered
/// `{ "error": "<error>" }`, and a panic `{ "error": "internal error" }`. The generated client
/// bindings type the context by `T` of `Data<T>` and the answer by what it returns, when they
/// implement `ts_rs::TS` (`unknown` otherwise).
///
/// # View intents
///
/// With `view = "..."`, the intent is a *view intent*: the page shows that view of the component
/// (`views/<view>.html`). It has no function, so it goes on a unit const, which names it in Rust
/// and carries its doc comment:
///
/// ```
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")]
/// mod chat {
///     use super::*;
///
///     /// Shows the chat room.
///     #[intent(category = "com.rain.test.general", action = "com.rain.test.chat.SHOW", view = "index")]
///     const SHOW: () = ();
/// }
/// # fn main() {}
/// ```
///
/// Whether the component has the view is checked when the app starts: a view it does not have
/// is an error naming the intent and the views it has.
///
/// # Arguments
///
/// - `category` and `action` (required): what a page sends; any non-empty text without control
///   characters or spaces around it.
/// - `view`: makes it a view intent.
/// - `guard = path`, or a list (`guard = [require_user, not_banned]`): guards run before the
///   intent is answered, as `#[websocket(event_guard = ...)]`'s are (their `GuardContext`'s
///   event is `intent`); the first refusal is the answer, `{ "error": "<its reason>" }`.
/// - `component = path::to::component_module`: the component, for an intent declared outside its
///   module.
///
/// # One category and action, one intent
///
/// Two intents of one category and action in one crate do not compile: in one component, the
/// error names both; elsewhere in the crate, the compiler reports a hidden macro named after
/// them (`__rain_intent_...`) defined twice, at both attributes. Two in different crates are
/// reported by `Registry::discover` when the app starts, naming both.
///
/// ```compile_fail
/// use rain_core::prelude::*;
///
/// #[component(name = "chat", version = "1.0")]
/// mod chat {
///     use super::*;
///
///     #[intent(category = "chat", action = "SHOW", view = "index")]
///     const SHOW: () = ();
///
///     #[intent(category = "chat", action = "SHOW", view = "index")] // duplicate intent `chat` `SHOW`
///     const SHOW_AGAIN: () = ();
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn intent(args: TokenStream, item: TokenStream) -> TokenStream {
    intent::intent(args.into(), item.into()).into()
}
