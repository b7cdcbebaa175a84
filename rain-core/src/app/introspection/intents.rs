//! The intents of one component on `/rain`: each one's category and action, what answers it (a
//! server function or a view) and where it is declared.

use std::fmt::Write as _;

use super::{doc, encode_segment};
use crate::{app::page::escape_html, registry::Registry};

/// The table of the intents component `module_id` provides; nothing when it provides none.
pub(super) fn intents_table(out: &mut String, registry: &Registry, module_id: &str) {
    let mut intents = registry.intents_of(module_id).peekable();
    if intents.peek().is_none() {
        return;
    }
    out.push_str(
        "<table class=\"intents\">\n<thead><tr><th>intent category</th><th>action</th>\
         <th>answered by</th></tr></thead>\n<tbody>\n",
    );
    for intent in intents {
        let _ = write!(
            out,
            "<tr class=\"intent\" data-category=\"{category}\" data-action=\"{action}\">\
             <td><code>{category}</code></td><td><strong>{action}</strong>",
            category = escape_html(intent.category()),
            action = escape_html(intent.action()),
        );
        doc(out, intent.doc());
        let answered_by = match (intent.handler(), intent.view()) {
            (Some(handler), _) => format!("server function <code>{}</code>", escape_html(handler)),
            (None, Some(view)) => format!(
                "view <a href=\"/{}/{}\"><code>{}</code></a>",
                escape_html(&encode_segment(module_id)),
                escape_html(&encode_segment(view)),
                escape_html(view)
            ),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "</td><td>{answered_by}<div class=\"meta\">{location}</div></td></tr>",
            location = escape_html(&intent.location().to_string()),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{
        fixtures::{component, location},
        registration::{
            ComponentKey, ComponentRegistration, IntentProvider, IntentRegistration, Location,
        },
    };

    static COMPONENTS: [ComponentRegistration; 1] = [component("chat", "1.0", 1)];
    const KEY: ComponentKey = COMPONENTS[0].key;
    const AT: Location = location(9);
    static INTENTS: [IntentRegistration; 1] = [IntentRegistration {
        component: KEY,
        category: "com.rain.<test>",
        action: "LOG",
        doc: "Logs & answers.",
        location: AT,
        guards: &[],
        provider: IntentProvider::Server {
            handler: "do_logging",
            call: |_, _| Err("not called".to_owned()),
            context: None,
            answer: crate::registry::intents::unknown_type,
            states: &[],
        },
    }];

    #[test]
    fn lists_each_intent_escaped_with_what_answers_it() {
        let registry = Registry::from_registrations(&COMPONENTS, [])
            .unwrap()
            .with_intents(&INTENTS)
            .unwrap();
        let mut out = String::new();
        intents_table(&mut out, &registry, "chat-1.0");
        for expected in [
            "<tr class=\"intent\" data-category=\"com.rain.&lt;test&gt;\" data-action=\"LOG\">",
            "<td><code>com.rain.&lt;test&gt;</code></td><td><strong>LOG</strong>",
            "<div class=\"doc\"><p>Logs &amp; answers.</p>\n</div>",
            "server function <code>do_logging</code><div class=\"meta\">src/lib.rs:9:1</div>",
        ] {
            assert!(out.contains(expected), "`{expected}` missing from:\n{out}");
        }
        let mut none = String::new();
        intents_table(&mut none, &registry, "other-1.0");
        assert!(none.is_empty());
    }
}
