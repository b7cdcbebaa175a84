//! Pages that name a missing component or view, or a version fragment that names no version,
//! fail at startup with the names that exist.

use rain_core::prelude::*;

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
        "page `/` shows component `ghost-1.0`, which does not exist; components: `solo-1.0`, `solo-2.0`"
    );
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
        "page `/` shows component `ghost@1`: no component is named `ghost`; components: `solo`"
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
