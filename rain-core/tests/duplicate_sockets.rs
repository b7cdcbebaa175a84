//! Two sockets with one namespace, declared in different modules: an error naming both places.
//! (Inside one component module the macro already rejects this at compile time.)

use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    #[websocket("room")]
    async fn room(_socket: SocketRef) {}
}

mod other_file {
    use rain_core::prelude::*;

    #[websocket("room", component = crate::chat)]
    async fn room_again(_socket: SocketRef) {}
}

#[test]
fn duplicate_namespaces_are_an_error_with_both_locations() {
    let error = App::discover().unwrap_err();
    let rain_core::Error::Discover(rain_core::DiscoverError::DuplicateSocket {
        namespace,
        first,
        second,
    }) = &error
    else {
        panic!("expected a duplicate socket error, got {error:?}");
    };
    assert_eq!(namespace, "/chat-1.0/room");
    assert_ne!(first.line, second.line);
    assert!(
        error.to_string().contains("duplicate_sockets.rs"),
        "{error}"
    );
}
