//! Every path that generated code names, in one place.
//!
//! Generated code expands inside user crates, which depend on `rain-core` alone. It names
//! `rain-core`'s hidden module `::rain_core::__private` (kept in step with this crate by the exact
//! version `rain-core` pins) and `::core`, always by absolute path, so no `use` or local item of
//! the user's can change what it refers to.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// The type of a component's name and version.
pub(crate) fn component_key() -> TokenStream {
    quote!(::rain_core::__private::ComponentKey)
}

/// The registration `#[component]` submits.
pub(crate) fn component_registration() -> TokenStream {
    quote!(::rain_core::__private::ComponentRegistration)
}

/// The registration `#[websocket]` submits.
pub(crate) fn socket_registration() -> TokenStream {
    quote!(::rain_core::__private::SocketRegistration)
}

/// The registration `#[intent]` submits.
pub(crate) fn intent_registration() -> TokenStream {
    quote!(::rain_core::__private::IntentRegistration)
}

/// What provides an intent: a server function or a view.
pub(crate) fn intent_provider() -> TokenStream {
    quote!(::rain_core::__private::IntentProvider)
}

/// The function that calls a server intent's function, named at `span` so that a function which
/// is not a valid intent function is reported there.
pub(crate) fn call_intent(span: Span) -> TokenStream {
    quote_spanned!(span=> ::rain_core::__private::call_intent)
}

/// The compile-time check that a type can be an intent function's argument, named at the
/// argument's type.
pub(crate) fn assert_intent_argument(span: Span) -> TokenStream {
    quote_spanned!(span=> ::rain_core::__private::assert_intent_argument)
}

/// `rain_core::ack::Ack`, which acks any `Serialize` value.
pub(crate) fn ack() -> TokenStream {
    quote!(::rain_core::__private::Ack)
}

/// The compile-time check that a type can be an intent's answer, named at the return type.
pub(crate) fn assert_intent_answer(span: Span) -> TokenStream {
    quote_spanned!(span=> ::rain_core::__private::assert_intent_answer)
}

/// A type whose TypeScript is chosen by whether it implements `ts_rs::TS`.
pub(crate) fn type_of() -> TokenStream {
    quote!(::rain_core::__private::TypeOf)
}

/// The answer of a function returning a type, typed as `type_of` types it.
pub(crate) fn answer_of() -> TokenStream {
    quote!(::rain_core::__private::AnswerOf)
}

/// The TypeScript of a type that cannot be named: `unknown`.
pub(crate) fn unknown_type() -> TokenStream {
    quote!(::rain_core::__private::unknown_type)
}

/// The two traits that choose the TypeScript of `type_of` and `answer_of`: typed, or `unknown`.
pub(crate) fn type_script_traits() -> TokenStream {
    quote!(::rain_core::__private::{KnownType as _, UnknownType as _})
}

/// What a socket sets for itself over the app's settings.
pub(crate) fn socket_settings() -> TokenStream {
    quote!(::rain_core::__private::SocketSettings)
}

/// The functions that read a component's embedded files.
pub(crate) fn assets_fns() -> TokenStream {
    quote!(::rain_core::__private::AssetsFns)
}

/// `inventory::submit!`, which registers a value at link time.
pub(crate) fn submit() -> TokenStream {
    quote!(::rain_core::__private::inventory::submit)
}

/// The `rust-embed` crate, as re-exported for the `RustEmbed` derive and its `crate_path`.
pub(crate) fn rust_embed() -> TokenStream {
    quote!(::rain_core::__private::rust_embed)
}

/// The function that mounts a handler on a namespace, named at `span` so that a handler which is
/// not a valid Socket.IO connect handler is reported there.
pub(crate) fn mount(span: Span) -> TokenStream {
    quote_spanned!(span=> ::rain_core::__private::mount)
}

/// The compile-time check that a type can be a handler argument, named at the argument's type.
pub(crate) fn assert_socket_argument(span: Span) -> TokenStream {
    quote_spanned!(span=> ::rain_core::__private::assert_socket_argument)
}

/// The trait a socket's event declaration implements.
pub(crate) fn events_trait() -> TokenStream {
    quote!(::rain_core::__private::Events)
}

/// The signature of a guard, as a function pointer type.
pub(crate) fn guard() -> TokenStream {
    quote!(::rain_core::__private::Guard)
}

/// `Option::Some`.
pub(crate) fn some() -> TokenStream {
    quote!(::core::option::Option::Some)
}

/// `Option::None`.
pub(crate) fn none() -> TokenStream {
    quote!(::core::option::Option::None)
}

/// `core::time::Duration`.
pub(crate) fn duration() -> TokenStream {
    quote!(::core::time::Duration)
}

/// A source `Location` of `span`: `file!()`, `line!()` and `column!()` are named at `span`, so they
/// report where the user wrote it, not where the macro was expanded.
pub(crate) fn location(span: Span) -> TokenStream {
    quote_spanned! {span=>
        ::rain_core::__private::Location {
            file: ::core::file!(),
            line: ::core::line!(),
            column: ::core::column!(),
        }
    }
}

/// What tells a `State<T>` argument from any other.
pub(crate) fn probe() -> TokenStream {
    quote!(::rain_core::__private::Probe)
}

/// The fallback of [`probe`]'s method, for an argument that reads no state.
pub(crate) fn not_state() -> TokenStream {
    quote!(::rain_core::__private::NotState)
}

/// The type of one entry of a registration's `states`.
pub(crate) fn state_of() -> TokenStream {
    quote!(::rain_core::__private::StateOf)
}
