//! The registry from explicit registrations: derived names, order, duplicates, versions side by
//! side.

use super::*;
use crate::registry::{
    LINKING_HINT,
    fixtures::{component, location, socket},
    registration::{ComponentKey, IntentProvider},
};

const CHAT: ComponentKey = ComponentKey {
    name: "chat",
    version: "1.0",
};
const INTENTS: ComponentKey = ComponentKey {
    name: "intents-example",
    version: "1.0",
};

static COMPONENTS: [ComponentRegistration; 2] = [
    component("intents-example", "1.0", 10),
    component("chat", "1.0", 20),
];

#[test]
fn derives_module_ids_and_namespaces_and_sorts() {
    static SOCKETS: [SocketRegistration; 3] = [
        socket("room", CHAT, 30),
        socket("chat/dummy socket", INTENTS, 40),
        socket("a/b", CHAT, 50),
    ];
    let registry = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap();
    let ids: Vec<_> = registry
        .components()
        .iter()
        .map(|c| c.module_id())
        .collect();
    assert_eq!(ids, ["chat-1.0", "intents-example-1.0"]);
    let namespaces: Vec<_> = registry.sockets().iter().map(|s| s.namespace()).collect();
    assert_eq!(
        namespaces,
        [
            "/chat-1.0/a/b",
            "/chat-1.0/room",
            "/intents-example-1.0/chat/dummy socket"
        ]
    );
    assert_eq!(registry.sockets_of("chat-1.0").len(), 2);
    assert_eq!(registry.sockets_of("intents-example-1.0").len(), 1);
    assert!(registry.sockets_of("chat").is_empty());
    assert_eq!(registry.component("chat-1.0").unwrap().name(), "chat");
    assert!(registry.component("chat-2.0").is_none());
}

#[test]
fn order_of_registration_does_not_matter() {
    static FORWARD: [SocketRegistration; 2] = [socket("b", CHAT, 1), socket("a", INTENTS, 2)];
    static BACKWARD: [SocketRegistration; 2] = [socket("a", INTENTS, 2), socket("b", CHAT, 1)];
    let one = Registry::from_registrations(&COMPONENTS, &FORWARD).unwrap();
    let two = Registry::from_registrations(COMPONENTS.iter().rev(), &BACKWARD).unwrap();
    let names = |r: &Registry| {
        r.sockets()
            .iter()
            .map(|s| s.namespace().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&one), names(&two));
}

#[test]
fn empty_app_is_an_error_that_explains_linking() {
    let err = Registry::from_registrations([], []).unwrap_err();
    assert!(matches!(err, DiscoverError::NoComponents));
    assert!(err.to_string().contains("as _;"), "{err}");
}

#[test]
fn duplicate_component_names_both_locations() {
    static TWICE: [ComponentRegistration; 2] =
        [component("chat", "1.0", 7), component("chat", "1.0", 3)];
    let err = Registry::from_registrations(&TWICE, []).unwrap_err();
    assert_eq!(
        err.to_string(),
        "two components have the module id `chat-1.0`: src/lib.rs:3:1 and src/lib.rs:7:1"
    );
}

#[test]
fn duplicate_socket_names_both_locations() {
    static SOCKETS: [SocketRegistration; 2] = [socket("room", CHAT, 9), socket("room", CHAT, 4)];
    let err = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "two sockets have the namespace `/chat-1.0/room`: src/lib.rs:4:1 and src/lib.rs:9:1"
    );
}

static VERSIONS: [ComponentRegistration; 4] = [
    component("chat", "1.0", 1),
    component("chat", "1.10", 2),
    component("chat", "1.9", 3),
    component("chat", "2.0", 4),
];

#[test]
fn versions_of_one_name_resolve_by_fragment() {
    let registry = Registry::from_registrations(&VERSIONS, []).unwrap();
    let id = |reference| registry.lookup(reference).map(Component::module_id);
    assert_eq!(id("chat@1"), Ok("chat-1.10"));
    assert_eq!(id("chat@1.9"), Ok("chat-1.9"));
    assert_eq!(id("chat"), Ok("chat-2.0"));
    assert_eq!(id("chat-1.0"), Ok("chat-1.0"));
    assert_eq!(
        registry.resolve("chat", "2").map(Component::module_id),
        Ok("chat-2.0")
    );
    assert_eq!(
        id("chat@3").unwrap_err().to_string(),
        "no version of component `chat` matches `3`; its versions: `1.0`, `1.9`, `1.10`, `2.0`"
    );
    assert!(matches!(
        id("chat@"),
        Err(ResolveError::InvalidFragment { .. })
    ));
    assert_eq!(
        id("ghost-1.0").unwrap_err().to_string(),
        format!("no component is named `ghost-1.0`; components: `chat`; {LINKING_HINT}")
    );
    assert_eq!(registry.versions_of("chat").count(), 4);
    let references: Vec<(String, &str)> = registry
        .references()
        .into_iter()
        .map(|(reference, c)| (reference, c.module_id()))
        .collect();
    assert_eq!(
        references,
        [
            ("chat", "chat-2.0"),
            ("chat@1", "chat-1.10"),
            ("chat@1.0", "chat-1.0"),
            ("chat@1.10", "chat-1.10"),
            ("chat@1.9", "chat-1.9"),
            ("chat@2", "chat-2.0"),
            ("chat@2.0", "chat-2.0"),
        ]
        .map(|(r, id)| (r.to_owned(), id))
    );
}

#[test]
fn a_module_id_names_its_component_before_any_name_does() {
    // `chat-1.0` is the module id of chat 1.0 and the name of another component.
    static TANGLED: [ComponentRegistration; 2] =
        [component("chat", "1.0", 1), component("chat-1.0", "2.0", 2)];
    let registry = Registry::from_registrations(&TANGLED, []).unwrap();
    assert_eq!(registry.lookup("chat-1.0").unwrap().module_id(), "chat-1.0");
    assert_eq!(
        registry.lookup("chat-1.0@2").unwrap().module_id(),
        "chat-1.0-2.0"
    );
    assert!(
        registry
            .references()
            .iter()
            .all(|(reference, _)| reference != "chat-1.0")
    );
}

#[test]
fn versions_equal_as_numbers_are_an_error() {
    static SAME: [ComponentRegistration; 2] =
        [component("chat", "1.0", 1), component("chat", "01.0", 2)];
    let err = Registry::from_registrations(&SAME, []).unwrap_err();
    assert_eq!(
        err.to_string(),
        "components `chat-01.0` (src/lib.rs:2:1) and `chat-1.0` (src/lib.rs:1:1) are one \
         version of `chat`: versions compare as numbers; give one of them another version"
    );
}

#[test]
fn socket_of_missing_component_is_an_error() {
    static SOCKETS: [SocketRegistration; 1] = [socket(
        "room",
        ComponentKey {
            name: "nowhere",
            version: "1.0",
        },
        5,
    )];
    let err = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap_err();
    assert!(
        matches!(err, DiscoverError::MissingComponent { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("nowhere-1.0"), "{err}");
}

const fn view_intent(
    action: &'static str,
    component: ComponentKey,
    line: u32,
) -> IntentRegistration {
    IntentRegistration {
        component,
        category: "com.rain.test.general",
        action,
        doc: "",
        location: location(line),
        guards: &[],
        provider: IntentProvider::View {
            view: "index",
            name: "SHOW",
        },
    }
}

const fn server_intent(
    action: &'static str,
    component: ComponentKey,
    line: u32,
) -> IntentRegistration {
    IntentRegistration {
        component,
        category: "com.rain.test.general",
        action,
        doc: "",
        location: location(line),
        guards: &[],
        provider: IntentProvider::Server {
            handler: "handler",
            call: |_, _| Err("not called".to_owned()),
            context: None,
            answer: crate::registry::intents::unknown_type,
            states: &[],
        },
    }
}

#[test]
fn intents_are_sorted_by_category_and_action_and_found_by_them() {
    static INTENT_LIST: [IntentRegistration; 2] = [
        server_intent("LOG", INTENTS, 60),
        server_intent("COUNT", CHAT, 70),
    ];
    let registry = Registry::from_registrations(&COMPONENTS, [])
        .unwrap()
        .with_intents(&INTENT_LIST)
        .unwrap();
    let actions: Vec<_> = registry.intents().iter().map(|i| i.action()).collect();
    assert_eq!(actions, ["COUNT", "LOG"]);
    let log = registry.intent("com.rain.test.general", "LOG").unwrap();
    assert_eq!(
        (log.module_id(), log.handler(), log.view()),
        ("intents-example-1.0", Some("handler"), None)
    );
    assert_eq!(registry.intents_of("chat-1.0").count(), 1);
    assert!(registry.intent("com.rain.test.general", "SHOW").is_none());
}

#[test]
fn duplicate_intents_name_both_locations() {
    // Two crates may declare one intent: each compiles, discovery refuses them.
    static TWICE: [IntentRegistration; 2] = [
        server_intent("LOG", INTENTS, 12),
        server_intent("LOG", CHAT, 8),
    ];
    let registry = Registry::from_registrations(&COMPONENTS, []).unwrap();
    let err = registry.with_intents(&TWICE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "two intents have the category `com.rain.test.general` and the action `LOG`: \
         src/lib.rs:8:1 and src/lib.rs:12:1"
    );
}

#[test]
fn an_intent_of_a_missing_component_or_view_is_an_error() {
    static ORPHAN: [IntentRegistration; 1] = [server_intent(
        "LOG",
        ComponentKey {
            name: "nowhere",
            version: "1.0",
        },
        5,
    )];
    let registry = Registry::from_registrations(&COMPONENTS, []).unwrap();
    let err = registry.clone().with_intents(&ORPHAN).unwrap_err();
    assert_eq!(
        err.to_string(),
        "intent `com.rain.test.general` `LOG` at src/lib.rs:5:1 belongs to component \
         `nowhere-1.0`, which is not registered"
    );
    // A component without assets has no views.
    static VIEWLESS: [IntentRegistration; 1] = [view_intent("SHOW", CHAT, 6)];
    let err = registry.with_intents(&VIEWLESS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "view intent `com.rain.test.general` `SHOW` at src/lib.rs:6:1 shows view `index` of \
         `chat-1.0`, which has no such view; its views: none"
    );
}
