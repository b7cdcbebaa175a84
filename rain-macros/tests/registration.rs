//! What the macros register, as `Registry::discover()` finds it at run time.

use rain_core::prelude::*;

/// The line of the `#[component]` below, where its location must point.
const GREETER_LINE: u32 = line!() + 5;

/// Greets whoever connects.
///
///     Indented lines keep their indentation.
#[component(name = "greeter", version = "1.0", assets = "tests/components/greeter")]
mod greeter {
    use super::*;

    /// Says hello back.
    #[websocket("hello")]
    async fn hello(_socket: SocketRef) {}

    mod rooms {
        use super::*;

        #[websocket("rooms/main hall")]
        async fn main_hall(_socket: SocketRef) {}
    }

    // A handler whose name is also the name of a Rust keyword, and one called like the macro's own
    // variables.
    #[websocket("type")]
    async fn r#type(_socket: SocketRef) {}

    #[websocket("io")]
    async fn io(_io: SocketIo) {}

    /// The line of the `#[intent]` below.
    pub(crate) const GREET_LINE: u32 = line!() + 3;

    /// Greets by name.
    #[intent(category = "greeter", action = "GREET")]
    async fn greet(Data(name): Data<String>) -> String {
        format!("Hello {name}")
    }

    #[intent(category = "greeter", action = "SHOW", view = "index")]
    const SHOW: () = ();
}

#[component(name = "lobby", version = "2.3.1")]
mod lobby {}

mod elsewhere {
    use rain_core::prelude::*;

    #[websocket("lobby", component = crate::lobby)]
    async fn lobby(_socket: SocketRef) {}

    #[websocket(
        "cursor",
        event_rate = 120,
        event_burst = 240,
        idle_timeout = "1500ms",
        component = crate::lobby
    )]
    async fn cursor(_socket: SocketRef) {}

    #[websocket("forever", event_burst = 1, idle_timeout = "never", component = crate::lobby)]
    async fn forever(_socket: SocketRef) {}

    #[websocket("room", recover = "2m", component = crate::lobby)]
    async fn room(_socket: SocketRef) {}

    #[websocket("live only", recover = "never", component = crate::lobby)]
    async fn live_only(_socket: SocketRef) {}

    #[intent(category = "lobby", action = "COUNT", component = crate::lobby)]
    async fn count() -> Result<u32, String> {
        Ok(3)
    }
}

#[test]
fn components_carry_their_key_doc_location_and_files() {
    let registry = rain_core::Registry::discover().unwrap();
    let ids: Vec<_> = registry
        .components()
        .iter()
        .map(|c| c.module_id())
        .collect();
    assert_eq!(ids, ["greeter-1.0", "lobby-2.3.1"]);

    let greeter = registry.component("greeter-1.0").unwrap();
    assert_eq!((greeter.name(), greeter.version()), ("greeter", "1.0"));
    assert_eq!(
        greeter.doc(),
        "Greets whoever connects.\n\n    Indented lines keep their indentation."
    );
    let location = greeter.location();
    assert!(location.file.ends_with("registration.rs"), "{location}");
    // The `name` literal: `#[component(name = ` is 19 characters long.
    assert_eq!((location.line, location.column), (GREETER_LINE, 20));
    assert_eq!(
        greeter.asset_paths(),
        ["client/index.js", "views/index.html"]
    );
    assert_eq!(greeter.views(), ["index"]);

    let lobby = registry.component("lobby-2.3.1").unwrap();
    assert_eq!(lobby.doc(), "");
    assert!(lobby.asset_paths().is_empty());
}

#[test]
fn sockets_carry_their_component_name_handler_and_doc() {
    let registry = rain_core::Registry::discover().unwrap();
    let sockets: Vec<_> = registry
        .sockets()
        .iter()
        .map(|s| (s.namespace(), s.handler(), s.doc()))
        .collect();
    assert_eq!(
        sockets,
        [
            ("/greeter-1.0/hello", "hello", "Says hello back."),
            ("/greeter-1.0/io", "io", ""),
            ("/greeter-1.0/rooms/main hall", "main_hall", ""),
            ("/greeter-1.0/type", "type", ""),
            ("/lobby-2.3.1/cursor", "cursor", ""),
            ("/lobby-2.3.1/forever", "forever", ""),
            ("/lobby-2.3.1/live only", "live_only", ""),
            ("/lobby-2.3.1/lobby", "lobby", ""),
            ("/lobby-2.3.1/room", "room", ""),
        ]
    );
    let hello = &registry.sockets()[0];
    assert_eq!(hello.name(), "hello");
    // The socket name literal, on the line of its `#[websocket]`.
    assert_eq!(
        (hello.location().line, hello.location().column),
        (GREETER_LINE + 5, 17)
    );
}

#[test]
fn sockets_carry_the_limits_they_set_and_leave_the_rest_to_the_app() {
    use rain_core::__private::{SocketRegistration, SocketSettings, inventory};
    use std::time::Duration;

    let settings = |name: &str| {
        inventory::iter::<SocketRegistration>
            .into_iter()
            .find(|s| s.name == name)
            .unwrap()
            .settings
    };
    assert_eq!(
        settings("cursor"),
        SocketSettings {
            event_rate: Some(120),
            event_burst: Some(240),
            idle_timeout: Some(Some(Duration::from_millis(1_500))),
            recover: None,
        }
    );
    assert_eq!(
        settings("forever"),
        SocketSettings {
            event_burst: Some(1),
            idle_timeout: Some(None),
            ..SocketSettings::APP
        }
    );
    assert_eq!(
        settings("room"),
        SocketSettings {
            recover: Some(Some(Duration::from_secs(120))),
            ..SocketSettings::APP
        }
    );
    assert_eq!(
        settings("live only"),
        SocketSettings {
            recover: Some(None),
            ..SocketSettings::APP
        }
    );
    assert_eq!(settings("lobby"), SocketSettings::APP);
    assert_eq!(settings("hello"), SocketSettings::APP);
}

#[test]
fn intents_carry_their_component_category_action_and_what_answers_them() {
    let registry = rain_core::Registry::discover().unwrap();
    let intents: Vec<_> = registry
        .intents()
        .iter()
        .map(|i| {
            (
                i.module_id(),
                i.category(),
                i.action(),
                i.handler(),
                i.view(),
            )
        })
        .collect();
    assert_eq!(
        intents,
        [
            ("greeter-1.0", "greeter", "GREET", Some("greet"), None),
            ("greeter-1.0", "greeter", "SHOW", None, Some("index")),
            ("lobby-2.3.1", "lobby", "COUNT", Some("count"), None),
        ]
    );
    let greet = registry.intent("greeter", "GREET").unwrap();
    assert_eq!(greet.doc(), "Greets by name.");
    // The `category` literal: `    #[intent(category = ` is 24 characters long.
    let location = greet.location();
    assert!(location.file.ends_with("registration.rs"), "{location}");
    assert_eq!((location.line, location.column), (greeter::GREET_LINE, 25));

    // The context is typed by `Data<T>`, the answer by what the function returns.
    let bindings = rain_core::App::new(registry).bindings().unwrap();
    for line in [
        "\"GREET\": { context: string; answer: string };",
        "\"COUNT\": { context: undefined; answer: number };",
        "\"SHOW\": { view: { moduleId: \"greeter-1.0\"; view: \"index\" } };",
    ] {
        assert!(
            bindings.dts.contains(line),
            "`{line}` missing from:\n{}",
            bindings.dts
        );
    }
}
