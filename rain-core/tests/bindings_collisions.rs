//! Names that collide in the bindings are errors naming both sides, and an app with one does not
//! start: its bindings are generated when its router is built.
//!
//! One binary has one set of linked registrations, so each test builds its app from the
//! components it is about (and their sockets), picked from the linked registrations by name.

use rain_core::{
    __private::{ComponentRegistration, SocketRegistration, inventory},
    Error, Registry,
    prelude::*,
};
use serde::Serialize;
use ts_rs::TS;

/// Two sockets whose names differ only in punctuation: `aB`, both.
#[component(name = "lobby", version = "1.0")]
mod lobby {
    use super::*;

    #[websocket("a b")]
    async fn spaced(_socket: SocketRef) {}

    #[websocket("a-b")]
    async fn dashed(_socket: SocketRef) {}
}

/// `chatRoom`, like `chat_room`.
#[component(name = "chat-room", version = "1.0")]
mod chat_room_dashed {
    use super::*;

    /// `ChatRoom` + `List`: the binding type `ChatRoomList`.
    #[websocket("list")]
    async fn list(_socket: SocketRef) {}
}

/// `chatRoom`, like `chat-room`.
#[component(name = "chat_room", version = "1.0")]
mod chat_room_underscored {}

/// `Chat` + `RoomList`: the binding type `ChatRoomList` again.
#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("room list")]
    async fn room_list(_socket: SocketRef) {}
}

mod one {
    use super::*;

    /// A note, in one module.
    #[derive(Serialize, TS)]
    pub struct Note {
        pub text: String,
    }
}

mod two {
    use super::*;

    /// Another note, in another module: the same name in TypeScript.
    #[derive(Serialize, TS)]
    pub struct Note {
        pub body: String,
    }
}

rain_core::events! {
    /// Emits the first `Note`.
    pub First {
        /// A note.
        note: emit one::Note,
    }
}

rain_core::events! {
    /// Emits the second `Note`.
    pub Second {
        /// Another note.
        note: emit two::Note,
    }
}

/// Two payload types with one TypeScript name.
#[component(name = "notes", version = "1.0")]
mod notes {
    use super::*;

    #[websocket("first")]
    async fn first(_socket: TypedSocket<First>) {}

    #[websocket("second")]
    async fn second(_socket: TypedSocket<Second>) {}
}

/// A payload type named like a type of the bindings themselves.
#[derive(Serialize, TS)]
pub struct Sockets {
    /// How many.
    pub count: u32,
}

rain_core::events! {
    /// Emits `Sockets`.
    pub Counting {
        /// The count.
        count: emit Sockets,
    }
}

/// A payload type named like the bindings' own `Sockets`.
#[component(name = "counter", version = "1.0")]
mod counter {
    use super::*;

    #[websocket("count")]
    async fn count(_socket: TypedSocket<Counting>) {}
}

/// The app of the named components (and their sockets) alone.
fn app_of(names: &[&str]) -> App {
    let components = inventory::iter::<ComponentRegistration>
        .into_iter()
        .filter(|c| names.contains(&c.key.name));
    let sockets = inventory::iter::<SocketRegistration>
        .into_iter()
        .filter(|s| names.contains(&s.component.name));
    App::new(Registry::from_registrations(components, sockets).unwrap())
}

fn bindings_error(app: &App) -> String {
    match app.bindings() {
        Err(Error::Bindings(message)) => message,
        Err(other) => panic!("expected a bindings error, got {other}"),
        Ok(_) => panic!("expected a bindings error, got bindings"),
    }
}

#[test]
fn two_sockets_with_one_identifier_are_an_error_naming_both() {
    let app = app_of(&["lobby"]);
    let sockets = app.registry().sockets();
    let (spaced, dashed) = (&sockets[0], &sockets[1]);
    assert_eq!((spaced.name(), dashed.name()), ("a b", "a-b"));
    assert_eq!(
        bindings_error(&app),
        format!(
            "sockets `a b` ({}) and `a-b` ({}) of `lobby-1.0` both have the binding identifier `aB`; rename one",
            spaced.location(),
            dashed.location()
        )
    );
    assert!(spaced.location().file.ends_with("bindings_collisions.rs"));
    assert_ne!(spaced.location().line, dashed.location().line);
}

#[test]
fn two_components_with_one_identifier_are_an_error_naming_both() {
    let app = app_of(&["chat-room", "chat_room"]);
    let components = app.registry().components();
    assert_eq!(
        bindings_error(&app),
        format!(
            "components `chat-room-1.0` ({}) and `chat_room-1.0` ({}) both have the binding identifier `chatRoom`; rename one",
            components[0].location(),
            components[1].location()
        )
    );
}

#[test]
fn two_sockets_with_one_binding_type_are_an_error_naming_both() {
    let app = app_of(&["chat", "chat-room"]);
    let message = bindings_error(&app);
    assert!(
        message
            .starts_with("sockets `/chat-1.0/room list` (rain-core/tests/bindings_collisions.rs:",),
        "{message}"
    );
    assert!(
        message.contains(") and `/chat-room-1.0/list` (rain-core/tests/bindings_collisions.rs:"),
        "{message}"
    );
    assert!(
        message.ends_with("both have the binding type `ChatRoomList`; rename one"),
        "{message}"
    );
}

#[test]
fn two_payload_types_with_one_typescript_name_are_an_error_naming_both() {
    let message = bindings_error(&app_of(&["notes"]));
    assert_eq!(
        message,
        "two types are named `Note` in TypeScript: `bindings_collisions::one::Note` and \
         `bindings_collisions::two::Note`; rename one with `#[ts(rename = \"...\")]`"
    );
}

#[test]
fn payload_types_named_like_the_bindings_own_types_are_an_error() {
    let message = bindings_error(&app_of(&["counter"]));
    assert_eq!(
        message,
        "the payload type `Sockets` has the name of a binding type; rename it with `#[ts(rename = \"...\")]`"
    );
}

#[test]
fn an_app_whose_bindings_collide_has_no_router() {
    let error = app_of(&["lobby"]).router().unwrap_err();
    assert!(matches!(error, Error::Bindings(_)), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("cannot generate the client bindings: sockets `a b` ("),
        "{error}"
    );
    // Without the colliding component, the same binary starts.
    assert!(app_of(&["chat"]).router().is_ok());
}
