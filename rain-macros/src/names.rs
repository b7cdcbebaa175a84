//! The naming rules: component names, versions, socket names, intents' categories and actions,
//! and views named by a view intent.
//!
//! Each check returns the message to show at the user's literal, saying what would be right. The
//! rules exist for what the names become: a component's name and version form its module id
//! (`intents-example-1.0`), which is a URL path segment; a socket name becomes the rest of a
//! Socket.IO namespace (`/intents-example-1.0/chat/dummy socket`); an intent's category and action
//! are what a page sends to ask for it, and together name one hidden item of the crate
//! ([`intent_item`]), so that two intents of one category and action in one crate do not compile.

/// What a component name may contain, said once for every message that needs it.
const COMPONENT_NAME_RULE: &str =
    "use ASCII letters, digits, `-`, `_` and `.`, starting with a letter";

/// Checks a component name: ASCII letters, digits, `-`, `_` and `.`, starting with a letter and not
/// ending with `-` (which separates the name from the version in the module id).
pub(crate) fn check_component_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    match name.chars().next() {
        None => Err(format!("component name is empty; {COMPONENT_NAME_RULE}")),
        Some(first) if !first.is_ascii_alphabetic() || !name.chars().all(allowed) => Err(format!(
            "invalid component name `{}`: {COMPONENT_NAME_RULE}",
            name.escape_debug()
        )),
        Some(_) if name.ends_with('-') => Err(format!(
            "invalid component name `{name}`: it must not end with `-`, which separates the name \
             from the version in the module id"
        )),
        Some(_) => Ok(()),
    }
}

/// Checks a version: two or three dot-separated decimal numbers (`1.0`, `2.3.1`).
pub(crate) fn check_version(version: &str) -> Result<(), String> {
    let parts: Vec<&str> = version.split('.').collect();
    let numbers = parts
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if matches!(parts.len(), 2 | 3) && numbers {
        Ok(())
    } else {
        Err(format!(
            "invalid version `{}`; expected a version like `1.0` or `2.3.1`",
            version.escape_debug()
        ))
    }
}

/// Checks a socket name: one or more `/`-separated segments, each a name (spaces are fine), with
/// none of the characters that Socket.IO or its clients treat specially.
pub(crate) fn check_socket_name(name: &str) -> Result<(), String> {
    // The name with every empty segment dropped: what the user most likely meant.
    let tidy = name
        .split('/')
        .filter(|segment| !segment.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    if tidy.is_empty() {
        return Err(if name.is_empty() {
            "socket name is empty; expected a name like `chat` or `chat/room`".to_owned()
        } else {
            format!(
                "socket name `{name}` has no name in it; expected a name like `chat` or `chat/room`"
            )
        });
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "socket name `{}` contains a control character; use printable characters only",
            name.escape_debug()
        ));
    }
    if name.contains(',') {
        return Err(format!(
            "socket name `{name}` cannot contain `,`, which ends a namespace in Socket.IO packets; \
             use another separator, like `-` or `/`"
        ));
    }
    for (c, reason) in [
        ('?', "which starts a query string"),
        ('#', "which starts a fragment"),
    ] {
        if name.contains(c) {
            return Err(format!(
                "socket name `{name}` cannot contain `{c}`, {reason} in the URLs clients connect \
                 to; use another character, like `-`"
            ));
        }
    }
    if name.starts_with('/') {
        return Err(format!(
            "socket name `{name}` starts with `/`; write it without: `{tidy}`"
        ));
    }
    if name.ends_with('/') {
        return Err(format!(
            "socket name `{name}` ends with `/`; write it without: `{tidy}`"
        ));
    }
    if name.contains("//") {
        return Err(format!(
            "socket name `{name}` has an empty segment; separate segments with one `/`: `{tidy}`"
        ));
    }
    if let Some(dots) = name
        .split('/')
        .find(|segment| matches!(*segment, "." | ".."))
    {
        return Err(format!(
            "socket name `{name}` has a `{dots}` segment; each segment is a name, not a relative path"
        ));
    }
    Ok(())
}

/// Checks an intent's `category` or `action` (`key`): a name that is not empty, has no control
/// character and no space around it (`com.rain.test.general`).
pub(crate) fn check_intent_name(key: &str, name: &str) -> Result<(), String> {
    let example = match key {
        "category" => "com.rain.test.general",
        _ => "com.rain.test.serverside.INLINE_LOGGING",
    };
    if name.trim().is_empty() {
        return Err(format!(
            "`{key}` is empty; expected a name like `{key} = \"{example}\"`"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "`{key}` `{}` contains a control character; use printable characters only",
            name.escape_debug()
        ));
    }
    if name.trim() != name {
        return Err(format!(
            "`{key}` `{name}` has spaces around it, which a page would have to send too; write \
             `{}`",
            name.trim()
        ));
    }
    Ok(())
}

/// Checks the view a view intent shows: the id of one of its component's views, the name of a
/// file `views/<id>.html` (whether it exists is checked when the app starts).
pub(crate) fn check_view(view: &str) -> Result<(), String> {
    if view.is_empty() {
        return Err(
            "`view` is empty; expected the id of one of the component's views, like `view = \"index\"`"
                .to_owned(),
        );
    }
    if view.contains(['/', '\\']) || view.ends_with(".html") || view.chars().any(char::is_control) {
        return Err(format!(
            "`view` `{}` is not a view id: a view `index` is the file `views/index.html`; write \
             its id alone, like `view = \"index\"`",
            view.escape_debug()
        ));
    }
    Ok(())
}

/// The name of the hidden item an intent of `category` and `action` defines at the crate's
/// root: the same for the same two names, and (for all that matters) only for them. The names
/// are kept readable, every character but an ASCII letter or digit written `_`, and followed by
/// a hash of both names as they are (FNV-1a, 64 bits), so that names which read alike
/// (`a.b` and `a_b`) still differ.
pub(crate) fn intent_item(category: &str, action: &str) -> String {
    let readable = |name: &str| -> String {
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    // 0xff never occurs in UTF-8: it separates the two names.
    for byte in category.bytes().chain([0xff]).chain(action.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "__rain_intent_{}__{}_{hash:016x}",
        readable(category),
        readable(action)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_names() {
        assert_eq!(
            check_intent_name("category", "com.rain.test.general"),
            Ok(())
        );
        assert_eq!(check_intent_name("action", "SHOW chat"), Ok(()));
        for (bad, expected) in [
            ("", "`action` is empty"),
            ("  ", "`action` is empty"),
            ("a\nb", "contains a control character"),
            (" SHOW", "has spaces around it"),
        ] {
            let error = check_intent_name("action", bad).unwrap_err();
            assert!(error.contains(expected), "{bad:?}: {error}");
        }
    }

    #[test]
    fn view_ids() {
        assert_eq!(check_view("index"), Ok(()));
        for bad in ["", "views/index", "index.html", "a\\b"] {
            assert!(check_view(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn intent_items_are_identifiers_one_per_pair_of_names() {
        let item = intent_item("com.rain.test.general", "com.rain.test.chat.SHOW");
        assert!(
            item.starts_with("__rain_intent_com_rain_test_general__com_rain_test_chat_SHOW_"),
            "{item}"
        );
        assert!(item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        assert_eq!(
            item,
            intent_item("com.rain.test.general", "com.rain.test.chat.SHOW")
        );
        // Alike when made readable, told apart by the hash.
        assert_ne!(intent_item("a.b", "c"), intent_item("a_b", "c"));
        assert_ne!(intent_item("a", "bc"), intent_item("ab", "c"));
        assert!(intent_item("café", "é").is_ascii());
    }

    #[test]
    fn component_names() {
        for good in [
            "intents-example",
            "chat",
            "a",
            "A1",
            "my_comp.v2",
            "x-y_z.w",
        ] {
            assert_eq!(check_component_name(good), Ok(()), "{good}");
        }
        for bad in [
            "", "1chat", "-chat", "_chat", ".chat", "a b", "a/b", "é", "chat!", "chat-",
        ] {
            assert!(check_component_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn component_name_messages() {
        assert_eq!(
            check_component_name("a b").unwrap_err(),
            "invalid component name `a b`: use ASCII letters, digits, `-`, `_` and `.`, starting \
             with a letter"
        );
        assert_eq!(
            check_component_name("").unwrap_err(),
            "component name is empty; use ASCII letters, digits, `-`, `_` and `.`, starting with a \
             letter"
        );
        assert!(
            check_component_name("chat-")
                .unwrap_err()
                .contains("must not end with `-`")
        );
        assert!(
            check_component_name("a\nb")
                .unwrap_err()
                .contains("`a\\nb`")
        );
    }

    #[test]
    fn versions() {
        for good in ["1.0", "0.1", "2.3.1", "10.20.30", "01.0"] {
            assert_eq!(check_version(good), Ok(()), "{good}");
        }
        for bad in [
            "", "1", "1.", ".1", "1..0", "1.0.0.0", "v1.0", "1.0-beta", "1.a", " 1.0",
        ] {
            assert_eq!(
                check_version(bad),
                Err(format!(
                    "invalid version `{bad}`; expected a version like `1.0` or `2.3.1`"
                )),
                "{bad}"
            );
        }
    }

    #[test]
    fn socket_names() {
        for good in [
            "chat",
            "chat/dummy socket",
            "a/b/c",
            "lobby-1",
            "x.y",
            "..a",
            "a b/ c ",
        ] {
            assert_eq!(check_socket_name(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn socket_name_messages() {
        let message = |name| check_socket_name(name).unwrap_err();
        assert_eq!(
            message(""),
            "socket name is empty; expected a name like `chat` or `chat/room`"
        );
        assert_eq!(
            message("/"),
            "socket name `/` has no name in it; expected a name like `chat` or `chat/room`"
        );
        assert_eq!(
            message("/chat"),
            "socket name `/chat` starts with `/`; write it without: `chat`"
        );
        assert_eq!(
            message("a/b/"),
            "socket name `a/b/` ends with `/`; write it without: `a/b`"
        );
        assert_eq!(
            message("a//b"),
            "socket name `a//b` has an empty segment; separate segments with one `/`: `a/b`"
        );
        assert_eq!(
            message("a/../b"),
            "socket name `a/../b` has a `..` segment; each segment is a name, not a relative path"
        );
        assert!(message("./a").contains("a `.` segment"));
        assert!(message("a,b").contains("cannot contain `,`"));
        assert!(message("a?b").contains("cannot contain `?`"));
        assert!(message("a#b").contains("cannot contain `#`"));
        assert!(message("a\tb").contains("`a\\tb` contains a control character"));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Strings dense in what the rules are about.
        fn tricky() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("/"),
                    Just("."),
                    Just(".."),
                    Just(","),
                    Just("?"),
                    Just("#"),
                    Just("-"),
                    Just(" "),
                    Just("\t"),
                    Just("é"),
                    Just("a"),
                    Just("1"),
                ],
                0..10,
            )
            .prop_map(|parts| parts.concat())
        }

        fn any_name() -> impl Strategy<Value = String> {
            prop_oneof![tricky(), any::<String>()]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            /// A component name is accepted exactly when it is a URL-safe id, and a refusal
            /// always says what would be right.
            #[test]
            fn component_names_follow_the_rule(name in any_name()) {
                let expected = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    && !name.ends_with('-');
                match check_component_name(&name) {
                    Ok(()) => prop_assert!(expected, "accepted {:?}", name),
                    Err(message) => {
                        prop_assert!(!expected, "refused {:?}", name);
                        prop_assert!(message.contains("component name"));
                    }
                }
            }

            /// A version is accepted exactly when it is two or three dot-separated numbers.
            #[test]
            fn versions_follow_the_rule(version in prop_oneof![any_name(), "[0-9.]{0,8}"]) {
                let parts: Vec<&str> = version.split('.').collect();
                let expected = (2..=3).contains(&parts.len())
                    && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(check_version(&version).is_ok(), expected, "{:?}", version);
            }

            /// An accepted socket name makes a namespace that Socket.IO reads back unchanged:
            /// no empty, `.` or `..` segment, nothing a packet or URL would cut it at.
            #[test]
            fn accepted_socket_names_are_clean(name in any_name()) {
                if check_socket_name(&name).is_ok() {
                    prop_assert!(!name.is_empty());
                    prop_assert!(name.split('/').all(|s| !matches!(s, "" | "." | "..")));
                    prop_assert!(!name.contains([',', '?', '#']));
                    prop_assert!(!name.chars().any(char::is_control));
                }
            }

            /// Names built from clean segments are always accepted.
            #[test]
            fn clean_socket_names_pass(
                segments in proptest::collection::vec("[a-zA-Z0-9 _-]{0,6}[a-zA-Z0-9_-]", 1..5),
            ) {
                let name = segments.join("/");
                prop_assert_eq!(check_socket_name(&name), Ok(()), "{:?}", name);
            }
        }
    }
}
