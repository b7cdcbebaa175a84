//! The intents in the bindings: a map of every intent by category and action, and one typed
//! `sendIntent` overload of `Messaging` per intent, its context typed by the server function's
//! `Data<T>` and its answer by what the function returns (`unknown` where those are not
//! `ts_rs::TS`), a view intent's answer being the view it inserted.

use std::{collections::BTreeMap, fmt::Write as _};

use super::{js_doc, js_string};
use crate::{
    base::typescript::TypeScript,
    registry::{Registry, registration::IntentProvider},
};

/// The names the intents' declarations take; payload types must not take them.
pub(super) const RESERVED_TYPES: &[&str] = &["Intents", "IntentRequest", "InsertedView"];

/// What every `bindings.d.ts` of an app with intents declares before its intents.
const PRELUDE: &str = r#"/** RAIN's intent request for the intent of category `C` and action `A`. */
export interface IntentRequest<C extends string, A extends string> {
    /** The sender; a view intent's view is inserted under it. */
    viewContext?: { readonly instanceId: string };
    category: C;
    action: A;
    /** Where a view intent's view goes; default: a modal `<dialog class="rain-intent">`. */
    container?: globalThis.Element;
}

/** What a view intent resolves with: the view it inserted. */
export interface InsertedView {
    instanceId: string;
    element: globalThis.Element;
    controller: unknown;
}
"#;

/// The intents' part of the bindings.
pub(super) struct IntentTypes {
    /// The declarations, after the sockets': the prelude and the `Intents` map.
    pub(super) declarations: String,
    /// The `sendIntent` overloads, members of `Messaging`.
    pub(super) overloads: String,
}

/// The intents' part of the bindings of `registry`, their types declared in `ts`; `None` for an
/// app without intents.
pub(super) fn intent_types(registry: &Registry, ts: &mut TypeScript) -> Option<IntentTypes> {
    if registry.intents().is_empty() {
        return None;
    }
    let mut categories: BTreeMap<&str, String> = BTreeMap::new();
    let mut overloads = String::new();
    for intent in registry.intents() {
        let (category, action) = (js_string(intent.category()), js_string(intent.action()));
        let module_id = intent.module_id();
        let (entry, request, answer, said) = match *intent.provider() {
            IntentProvider::Server {
                handler,
                context,
                answer,
                ..
            } => {
                let answer = answer(ts);
                let (context, request) = match context {
                    Some(context) => {
                        let context = context(ts);
                        let request = format!("{{ intentContext: {context} }}");
                        (context, request)
                    }
                    None => (
                        "undefined".to_owned(),
                        "{ intentContext?: unknown }".to_owned(),
                    ),
                };
                let entry = format!("{{ context: {context}; answer: {answer} }}");
                let said = format!("server function `{handler}` of `{module_id}`");
                (entry, request, answer, said)
            }
            IntentProvider::View { view, .. } => {
                let entry = format!(
                    "{{ view: {{ moduleId: {}; view: {} }} }}",
                    js_string(module_id),
                    js_string(view)
                );
                let request = "{ viewContext: { readonly instanceId: string } }".to_owned();
                let said = format!("view `{view}` of `{module_id}`");
                (entry, request, "InsertedView".to_owned(), said)
            }
        };
        let doc = format!(
            "Intent `{}` `{}`: {said}.\n{}",
            intent.category(),
            intent.action(),
            intent.doc()
        );
        let members = categories.entry(intent.category()).or_default();
        members.push_str(&js_doc(&doc, "        "));
        let _ = writeln!(members, "        {action}: {entry};");
        overloads.push_str(&js_doc(&doc, "    "));
        let _ = writeln!(
            overloads,
            "    sendIntent(request: IntentRequest<{category}, {action}> & {request}): \
             globalThis.Promise<{answer}>;"
        );
    }
    let mut declarations = format!(
        "{PRELUDE}\n/** The intents of this app's components, by category and action. */\n\
         export interface Intents {{\n"
    );
    for (category, members) in categories {
        let _ = writeln!(
            declarations,
            "    {}: {{\n{members}    }};",
            js_string(category)
        );
    }
    declarations.push_str("}\n");
    Some(IntentTypes {
        declarations,
        overloads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{
        fixtures::{component, location},
        registration::{ComponentKey, ComponentRegistration, IntentRegistration, Location},
    };

    static COMPONENTS: [ComponentRegistration; 1] = [component("desk", "1.0", 1)];
    const KEY: ComponentKey = COMPONENTS[0].key;
    const AT: Location = location(1);

    fn text(ts: &mut TypeScript) -> String {
        ts.type_of::<String>()
    }

    fn number(ts: &mut TypeScript) -> String {
        ts.type_of::<u32>()
    }

    static INTENTS: [IntentRegistration; 2] = [
        IntentRegistration {
            component: KEY,
            category: "c",
            action: "COUNT",
            doc: "Counts the words.",
            location: AT,
            guards: &[],
            provider: IntentProvider::Server {
                handler: "count",
                call: |_, _| Err("not called".to_owned()),
                context: Some(text),
                answer: number,
                states: &[],
            },
        },
        IntentRegistration {
            component: KEY,
            category: "c",
            action: "PING",
            doc: "",
            location: AT,
            guards: &[],
            provider: IntentProvider::Server {
                handler: "ping",
                call: |_, _| Err("not called".to_owned()),
                context: None,
                answer: crate::registry::intents::unknown_type,
                states: &[],
            },
        },
    ];

    #[test]
    fn each_intent_gets_a_typed_overload_and_an_entry() {
        let registry = Registry::from_registrations(&COMPONENTS, [])
            .unwrap()
            .with_intents(&INTENTS)
            .unwrap();
        let types = intent_types(&registry, &mut TypeScript::new()).unwrap();
        for expected in [
            "export interface IntentRequest<C extends string, A extends string> {",
            "    \"c\": {\n",
            "        \"COUNT\": { context: string; answer: number };\n",
            "        \"PING\": { context: undefined; answer: unknown };\n",
            "         * Intent `c` `COUNT`: server function `count` of `desk-1.0`.\n         * Counts the words.\n",
        ] {
            assert!(
                types.declarations.contains(expected),
                "`{expected}` missing from:\n{}",
                types.declarations
            );
        }
        for expected in [
            "    sendIntent(request: IntentRequest<\"c\", \"COUNT\"> & { intentContext: string }): \
             globalThis.Promise<number>;\n",
            "    sendIntent(request: IntentRequest<\"c\", \"PING\"> & { intentContext?: unknown }): \
             globalThis.Promise<unknown>;\n",
        ] {
            assert!(
                types.overloads.contains(expected),
                "`{expected}` missing from:\n{}",
                types.overloads
            );
        }
        let none = Registry::from_registrations(&COMPONENTS, []).unwrap();
        assert!(intent_types(&none, &mut TypeScript::new()).is_none());
    }
}
