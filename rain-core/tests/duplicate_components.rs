//! Two components with one module id, in different modules: an error naming both places.

use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {}

mod elsewhere {
    use rain_core::prelude::*;

    #[component(name = "chat", version = "1.0")]
    mod chat_again {}
}

#[test]
fn duplicate_module_ids_are_an_error_with_both_locations() {
    let error = App::discover().unwrap_err();
    let rain_core::Error::Discover(rain_core::DiscoverError::DuplicateComponent {
        module_id,
        first,
        second,
    }) = &error
    else {
        panic!("expected a duplicate component error, got {error:?}");
    };
    assert_eq!(module_id, "chat-1.0");
    assert_ne!(first.line, second.line);
    let message = error.to_string();
    assert!(
        message.starts_with("two components have the module id `chat-1.0`: "),
        "{message}"
    );
    assert!(
        message.contains(&format!("duplicate_components.rs:{}:", first.line)),
        "{message}"
    );
    assert!(
        message.contains(&format!("duplicate_components.rs:{}:", second.line)),
        "{message}"
    );
}
