//! Pages that name a missing component or view, or a version fragment that names no version,
//! fail at startup with the names that exist.

use rain_core::prelude::*;

/// What every error that finds no component of a name ends with: why a component can be missing.
const HINT: &str = "hint: a library crate's components are linked into the binary only when the \
                    binary uses the crate; if the component lives in another crate, add `use \
                    my_components as _;` to `main.rs` (or call one of its functions)";

#[component(name = "solo", version = "1.0")]
mod solo {}

/// A second version of `solo`, beside the first.
#[component(name = "solo", version = "2.0")]
mod solo_v2 {}

#[test]
fn page_with_missing_component_fails_to_build() {
    let app = App::discover()
        .unwrap()
        .page("/", Page::new("Home").view("ghost-1.0", "index"));
    let error = app.router().unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "page `/` shows component `ghost-1.0`, which does not exist; components: `solo-1.0`, \
             `solo-2.0`; {HINT}"
        )
    );
}

/// A component missing from the binary is most often one of a library crate that the binary
/// never uses, which the linker leaves out: the error says so, and how to link it.
#[test]
fn a_missing_component_hints_at_linking_its_crate() {
    for reference in ["banner-1.0", "banner@1", "banner"] {
        let app = App::discover()
            .unwrap()
            .page("/", Page::new("Home").view(reference, "index"));
        let message = app.router().unwrap_err().to_string();
        assert!(
            message.ends_with(
                "; hint: a library crate's components are linked into the binary only when the \
                 binary uses the crate; if the component lives in another crate, add `use \
                 my_components as _;` to `main.rs` (or call one of its functions)"
            ),
            "{message}"
        );
    }
    // A component that exists, with a version that does not, is not a linking matter.
    let app = App::discover()
        .unwrap()
        .page("/", Page::new("Home").view("solo@3", "index"));
    assert!(!app.router().unwrap_err().to_string().contains("hint"));
}

#[test]
fn page_with_missing_view_fails_to_build() {
    let app = App::discover()
        .unwrap()
        .page("/x", Page::new("X").view("solo-1.0", "index"));
    let error = app.router().unwrap_err();
    assert_eq!(
        error.to_string(),
        "page `/x` shows view `index` of `solo-1.0`, which has no such view; its views: none"
    );
}

#[test]
fn page_with_a_fragment_that_names_no_version_fails_to_build() {
    let app = App::discover()
        .unwrap()
        .page("/v3", Page::new("Three").view("solo@3", "index"));
    let error = app.router().unwrap_err();
    assert!(
        matches!(error, rain_core::Error::UnresolvedComponent { .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "page `/v3` shows component `solo@3`: no version of component `solo` matches `3`; its \
         versions: `1.0`, `2.0`"
    );
}

#[test]
fn page_with_a_fragment_of_an_unknown_name_fails_to_build() {
    let app = App::discover()
        .unwrap()
        .page("/", Page::new("Home").view("ghost@1", "index"));
    assert_eq!(
        app.router().unwrap_err().to_string(),
        format!(
            "page `/` shows component `ghost@1`: no component is named `ghost`; components: \
             `solo`; {HINT}"
        )
    );
}

#[test]
fn page_with_an_invalid_fragment_fails_to_build() {
    let app = App::discover()
        .unwrap()
        .page("/", Page::new("Home").view("solo@1.x", "index"));
    assert_eq!(
        app.router().unwrap_err().to_string(),
        "page `/` shows component `solo@1.x`: invalid version fragment in `solo@1.x`; expected \
         one to three numbers separated by dots, like `solo@1`, `solo@1.3` or `solo@1.5.2`, or \
         `solo` alone for its latest version"
    );
}

/// A fragment and a bare name are resolved before the view is looked for: the error names the
/// version they resolved to.
#[test]
fn a_fragment_resolves_to_its_version_at_startup() {
    for (reference, module_id) in [("solo@1", "solo-1.0"), ("solo", "solo-2.0")] {
        let app = App::discover()
            .unwrap()
            .page("/x", Page::new("X").view(reference, "index"));
        assert_eq!(
            app.router().unwrap_err().to_string(),
            format!(
                "page `/x` shows view `index` of `{module_id}`, which has no such view; its views: none"
            ),
            "{reference}"
        );
    }
}
