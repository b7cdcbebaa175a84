//! A binary that links no component gets an error that says why, not a silent empty server.

#[test]
fn no_components_is_an_error_that_names_the_linking_cause() {
    let error = rain_core::App::discover().unwrap_err();
    assert!(
        matches!(
            error,
            rain_core::Error::Discover(rain_core::DiscoverError::NoComponents)
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("no components were found"), "{message}");
    assert!(
        message.ends_with(
            "; hint: a library crate's components are linked into the binary only when the \
             binary uses the crate; if the component lives in another crate, add `use \
             my_components as _;` to `main.rs` (or call one of its functions)"
        ),
        "{message}"
    );
}
