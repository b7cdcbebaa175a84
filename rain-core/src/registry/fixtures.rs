//! Registrations made by hand for unit tests, as the macros would submit them: no docs, no
//! assets, no guards, the app's limits, at `src/lib.rs:<line>:1`. A test that needs more
//! overrides a field (`SocketRegistration { doc: "...", ..socket(..) }`).

use super::{
    registration::{ComponentKey, ComponentRegistration, Location, SocketRegistration},
    settings::SocketSettings,
};

/// `src/lib.rs`, at `line`, column 1.
pub(crate) const fn location(line: u32) -> Location {
    Location {
        file: "src/lib.rs",
        line,
        column: 1,
    }
}

/// Component `name` `version`, declared at `line`.
pub(crate) const fn component(
    name: &'static str,
    version: &'static str,
    line: u32,
) -> ComponentRegistration {
    ComponentRegistration {
        key: ComponentKey { name, version },
        doc: "",
        location: location(line),
        assets: None,
    }
}

/// Socket `name` of `component`, handled by `handler`, declared at `line`, untyped.
pub(crate) const fn socket(
    name: &'static str,
    component: ComponentKey,
    line: u32,
) -> SocketRegistration {
    SocketRegistration {
        component,
        name,
        handler: "handler",
        doc: "",
        location: location(line),
        mount: |_, _| {},
        events: None,
        guards: &[],
        event_guards: &[],
        settings: SocketSettings::APP,
        states: &[],
    }
}
