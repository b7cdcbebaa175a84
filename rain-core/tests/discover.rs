//! `App::discover()` finds every component and socket linked into the binary, sorted, with the
//! module ids and namespaces derived from their names.

use rain_core::prelude::*;

#[component(name = "zeta", version = "2.3.1")]
mod zeta {
    use super::*;

    #[websocket("b/second")]
    async fn second(_socket: SocketRef) {}

    mod nested {
        use super::*;

        /// Declared in a module nested in its component.
        #[websocket("a/first socket")]
        async fn first(_socket: SocketRef) {}
    }
}

/// Alpha's doc.
#[component(name = "alpha", version = "1.0")]
pub mod alpha {}

mod other_file {
    use rain_core::prelude::*;

    #[websocket("from elsewhere", component = crate::alpha)]
    async fn elsewhere(_socket: SocketRef) {}
}

#[test]
fn finds_sorts_and_derives() {
    let app = App::discover().unwrap();
    let registry = app.registry();
    let components: Vec<_> = registry
        .components()
        .iter()
        .map(|c| (c.module_id(), c.name(), c.version()))
        .collect();
    assert_eq!(
        components,
        [
            ("alpha-1.0", "alpha", "1.0"),
            ("zeta-2.3.1", "zeta", "2.3.1")
        ]
    );
    assert_eq!(registry.components()[0].doc(), "Alpha's doc.");

    let sockets: Vec<_> = registry
        .sockets()
        .iter()
        .map(|s| (s.module_id(), s.name(), s.namespace(), s.handler()))
        .collect();
    assert_eq!(
        sockets,
        [
            (
                "alpha-1.0",
                "from elsewhere",
                "/alpha-1.0/from elsewhere",
                "elsewhere"
            ),
            (
                "zeta-2.3.1",
                "a/first socket",
                "/zeta-2.3.1/a/first socket",
                "first"
            ),
            ("zeta-2.3.1", "b/second", "/zeta-2.3.1/b/second", "second"),
        ]
    );
    let first = &registry.sockets()[1];
    assert_eq!(first.doc(), "Declared in a module nested in its component.");
    assert!(
        first.location().file.ends_with("discover.rs"),
        "{}",
        first.location()
    );
    assert!(first.location().line > 1);
}
