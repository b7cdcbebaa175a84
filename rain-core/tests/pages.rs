//! Pages that name a missing component or view fail at startup with the names that exist.

use rain_core::prelude::*;

#[component(name = "solo", version = "1.0")]
mod solo {}

#[test]
fn page_with_missing_component_fails_to_build() {
    let app = App::discover()
        .unwrap()
        .page("/", Page::new("Home").view("ghost-1.0", "index"));
    let error = app.router().unwrap_err();
    assert_eq!(
        error.to_string(),
        "page `/` shows component `ghost-1.0`, which does not exist; components: `solo-1.0`"
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
