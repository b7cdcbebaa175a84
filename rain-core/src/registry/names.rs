//! The naming rules: every name Rain derives from what a component declares, each computed by
//! one function here that the server, the page manifest, the `/rain` page and the bindings
//! generator all call.
//!
//! | what | rule | example |
//! |---|---|---|
//! | module id | name `-` version | `intents-example-1.0` |
//! | namespace | `/` module id `/` socket name | `/intents-example-1.0/chat/dummy socket` |
//! | the intents namespace | the namespace of Rain's own socket `intents` | `/rain/intents` |
//! | a component file's path | `/` module id `/` file | `/intents-example-1.0/client/index.js` |
//! | a view's page | `/` module id `/` view | `/intents-example-1.0/index` |
//! | reference by name | name, or name `@` version fragment | `chat`, `chat@1`, `chat@1.3` |
//! | binding identifier | camelCase words of ASCII letters and digits | `chatDummySocket` |
//! | a version's binding identifier | the name's, `V`, the version's numbers joined by `_` | `chatV2_0` |
//! | binding type name | the identifier, capitalized | `ChatDummySocket` |
//! | event name | the declared identifier, without `r#` | `type` for `r#type` |

/// The module id of a component: its name, `-`, its version (`intents-example-1.0`).
pub fn module_id(name: &str, version: &str) -> String {
    format!("{name}-{version}")
}

/// The Socket.IO namespace of a socket: `/<module id>/<socket name>`, spaces kept as they are.
pub fn namespace(module_id: &str, socket_name: &str) -> String {
    format!("/{module_id}/{socket_name}")
}

/// The module id under which Rain's own sockets are named: `rain`, which no component can have
/// (a component's module id always ends with its version).
pub const RAIN_MODULE_ID: &str = "rain";

/// The name of Rain's own socket that every intent is sent on.
pub const INTENTS_SOCKET: &str = "intents";

/// The namespace every intent is sent on: `/rain/intents`, the namespace of Rain's socket
/// [`INTENTS_SOCKET`] (the page manifest lists it as `{ moduleId: "rain", name: "intents" }`).
pub fn intents_namespace() -> String {
    namespace(RAIN_MODULE_ID, INTENTS_SOCKET)
}

/// What separates a component's name from a version fragment in a reference (`chat@1`): a
/// character no name or version may contain, so that a reference reads one way only.
const REFERENCE_SEPARATOR: char = '@';

/// A reference to a component by name and version fragment: `chat@1`; the bare name (`chat`) for
/// an empty fragment, which names the latest version (see [`resolve`](super::versions::resolve)).
pub fn reference(name: &str, fragment: &str) -> String {
    if fragment.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{REFERENCE_SEPARATOR}{fragment}")
    }
}

/// The name and version fragment of a reference that has one (`chat@1` → `("chat", "1")`);
/// `None` for a module id or a bare name.
pub(crate) fn split_reference(reference: &str) -> Option<(&str, &str)> {
    reference.split_once(REFERENCE_SEPARATOR)
}

/// The path a component's file or view is served at: `/<module id>/<path>`.
pub(crate) fn component_path(module_id: &str, path: &str) -> String {
    format!("/{module_id}/{path}")
}

/// The camelCase identifier of a name: `chat/dummy socket` → `chatDummySocket`.
///
/// A name that starts with a digit gets a leading `_`; a name with no letter or digit is `_`.
pub fn identifier(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        let first = chars.next().expect("words are not empty");
        if out.is_empty() {
            out.push(first.to_ascii_lowercase());
        } else {
            out.push(first.to_ascii_uppercase());
        }
        out.extend(chars);
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if RESERVED_WORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// The binding identifier of one version of a component whose name has several: the name's
/// identifier, `V`, and the version's numbers joined by `_` (`chat`, `2.0` → `chatV2_0`).
///
/// [`identifier`] never puts a `_` between two words, so this cannot be another name's.
pub fn version_identifier(name: &str, version: &str) -> String {
    format!("{}V{}", identifier(name), version.replace('.', "_"))
}

/// JavaScript's reserved words, which cannot name an export.
const RESERVED_WORDS: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// An identifier with its first letter upper case: a type name (`chatDummySocket` →
/// `ChatDummySocket`).
pub(crate) fn capitalized(ident: &str) -> String {
    let mut out = ident.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// The wire name of an event declared as an identifier: `r#type` is `type`.
///
/// Not public API. Used by `events!` (through `__private`).
pub const fn event_name(ident: &'static str) -> &'static str {
    match ident.as_bytes() {
        [b'r', b'#', ..] => ident.split_at(2).1,
        _ => ident,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_camel_case_words() {
        assert_eq!(identifier("intents-example"), "intentsExample");
        assert_eq!(identifier("chat/dummy socket"), "chatDummySocket");
        assert_eq!(identifier("room"), "room");
        assert_eq!(identifier("a_b.c d"), "aBCD");
        assert_eq!(identifier("HTTP status"), "hTTPStatus");
        assert_eq!(identifier("2fa"), "_2fa");
        assert_eq!(identifier("é"), "_");
        assert_eq!(identifier("default"), "default_");
        assert_eq!(
            capitalized(&identifier("chat/dummy socket")),
            "ChatDummySocket"
        );
        assert_eq!(capitalized(&identifier("2fa")), "_2fa");
        assert_eq!(version_identifier("chat", "2.0"), "chatV2_0");
        assert_eq!(
            version_identifier("intents-example", "1.2.3"),
            "intentsExampleV1_2_3"
        );
        assert_eq!(capitalized(&version_identifier("chat", "1.0")), "ChatV1_0");
    }

    #[test]
    fn the_intents_namespace_is_rains_own_socket() {
        assert_eq!(intents_namespace(), "/rain/intents");
        // No component's module id can be Rain's: a module id ends with `-` and a version.
        assert_ne!(module_id("rain", "1.0"), RAIN_MODULE_ID);
    }

    #[test]
    fn references_read_one_way() {
        assert_eq!(reference("chat", "1"), "chat@1");
        assert_eq!(reference("chat", ""), "chat");
        assert_eq!(split_reference("chat@1.3"), Some(("chat", "1.3")));
        assert_eq!(split_reference("my-chat.v2@2"), Some(("my-chat.v2", "2")));
        assert_eq!(split_reference("chat-1.0"), None);
        assert_eq!(split_reference("chat"), None);
    }
}
