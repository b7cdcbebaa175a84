//! JavaScript and TypeScript bindings generated from a [`Registry`]: one handle per component
//! and socket, typed by the sockets' [`events!`](crate::events!) declarations.
//!
//! The same text is served at `/rain/bindings.js` and `/rain/bindings.d.ts`, and written to a
//! folder by [`App::write_bindings`](crate::App::write_bindings) (or `<app> bindings write DIR`).
//!
//! Payload types become TypeScript through `ts-rs` ([`TypeScript`], in the base layer).
//!
//! An app with intents also gets `Intents`, its intents by category and action, and one typed
//! overload of `Messaging.sendIntent` per intent: a server intent's context is the `T` of its
//! function's `Data<T>` and its answer what the function returns, each `unknown` when it is not
//! `ts_rs::TS`; a view intent answers the view it inserted (`InsertedView`).
//!
//! # Identifiers
//!
//! A component's handle is named after its name, a socket's after its socket name, by one rule
//! ([`identifier`]): split at every character that is not an ASCII letter or digit, then join the
//! words in camelCase (`intents-example` → `intentsExample`, `chat/dummy socket` →
//! `chatDummySocket`). Two components, or two sockets of one component, with the same identifier
//! are an error naming both.
//!
//! Versions of one name side by side each get a handle of their own, named after the name and
//! the version ([`version_identifier`]: `chatV1_0`, `chatV2_0`, and socket types `ChatV1_0Room`,
//! `ChatV2_0Room`); the name's own identifier (`chat`) is then the latest version's handle, as
//! a reference by name alone is.
//!
//! `getWebSocket` and `Messaging` take a module id or a reference by name (`chat`, `chat@1`), as
//! the runtime does: `References` maps each reference to the module id the page resolves it to.

use std::{collections::BTreeMap, fmt::Write as _};

mod intents;

use super::error::Error;
pub use crate::base::typescript::TypeScript;
pub use crate::registry::names::{identifier, version_identifier};
use crate::registry::{Component, Registry, Socket, events::Direction, names::capitalized};

/// The generated module and its declarations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bindings {
    /// `bindings.js`: an ES module.
    pub js: String,
    /// `bindings.d.ts`: its TypeScript declarations.
    pub dts: String,
}

/// The events of one socket as TypeScript maps: what it listens to and what it emits.
struct SocketTypes {
    listen: String,
    emit: String,
}

fn socket_types(socket: &Socket, ts: &mut TypeScript) -> Option<SocketTypes> {
    let events = socket.events()?;
    let mut listen = String::from("{\n");
    let mut emit = String::from("{\n");
    for event in events {
        let payload = (event.payload)(ts);
        let signature = match event.ack {
            Some(ack) => format!(
                "(payload: {payload}, ack: (reply: {}) => void) => void",
                ack(ts)
            ),
            None => format!("(payload: {payload}) => void"),
        };
        let map = match event.direction {
            Direction::Emit => &mut listen,
            Direction::Receive => &mut emit,
        };
        map.push_str(&js_doc(event.doc, "    "));
        let _ = writeln!(map, "    {}: {signature};", js_string(event.name));
    }
    listen.push('}');
    emit.push('}');
    Some(SocketTypes { listen, emit })
}

/// A component's handle in the bindings: its identifier and its sockets'.
struct ComponentHandle<'a> {
    component: &'a Component,
    ident: String,
    /// `(member identifier, socket, socket type name)`, sorted by member identifier.
    sockets: Vec<(String, &'a Socket, String)>,
}

/// The handles of `registry`, and for each name with several versions, its identifier and the
/// identifier of its latest version's handle: two that collide are an error naming both.
struct Handles<'a> {
    components: Vec<ComponentHandle<'a>>,
    /// `(the name's identifier, the latest version's handle identifier, the latest version)`.
    latest: Vec<(String, String, &'a Component)>,
}

/// Gives `component` the handle identifier `ident`, unless another component has it.
fn claim<'a>(
    components: &mut BTreeMap<String, &'a Component>,
    ident: &str,
    component: &'a Component,
) -> Result<(), Error> {
    match components.insert(ident.to_owned(), component) {
        Some(other) => Err(Error::Bindings(format!(
            "components `{}` ({}) and `{}` ({}) both have the binding identifier `{ident}`; rename one",
            other.module_id(),
            other.location(),
            component.module_id(),
            component.location()
        ))),
        None => Ok(()),
    }
}

/// Names every handle and socket type of `registry`; two that collide are an error naming both.
fn handles(registry: &Registry) -> Result<Handles<'_>, Error> {
    let mut components: BTreeMap<String, &Component> = BTreeMap::new();
    let mut type_names: BTreeMap<String, &Socket> = BTreeMap::new();
    let mut out = Vec::new();
    let mut latest = Vec::new();
    for component in registry.components() {
        let module_id = component.module_id();
        let name = component.name();
        let ident = if registry.versions_of(name).nth(1).is_some() {
            let ident = version_identifier(name, component.version());
            let newest = registry
                .resolve(name, "")
                .expect("a registered name has a latest version");
            if newest.module_id() == module_id {
                claim(&mut components, &identifier(name), component)?;
                latest.push((identifier(name), ident.clone(), component));
            }
            ident
        } else {
            identifier(name)
        };
        claim(&mut components, &ident, component)?;
        let mut members: BTreeMap<String, &Socket> = BTreeMap::new();
        for socket in registry.sockets_of(module_id) {
            let member = identifier(socket.name());
            if let Some(other) = members.insert(member.clone(), socket) {
                return Err(Error::Bindings(format!(
                    "sockets `{}` ({}) and `{}` ({}) of `{module_id}` both have the binding identifier `{member}`; rename one",
                    other.name(),
                    other.location(),
                    socket.name(),
                    socket.location()
                )));
            }
        }
        let mut sockets = Vec::with_capacity(members.len());
        let component_type = capitalized(&ident);
        for (member, socket) in members {
            let mut socket_type = component_type.clone();
            socket_type.push_str(&capitalized(&member));
            if let Some(other) = type_names.insert(socket_type.clone(), socket) {
                return Err(Error::Bindings(format!(
                    "sockets `{}` ({}) and `{}` ({}) both have the binding type `{socket_type}`; rename one",
                    other.namespace(),
                    other.location(),
                    socket.namespace(),
                    socket.location()
                )));
            }
            sockets.push((member, socket, socket_type));
        }
        out.push(ComponentHandle {
            component,
            ident,
            sockets,
        });
    }
    Ok(Handles {
        components: out,
        latest,
    })
}

/// Checks what can be checked without generating: that no two handles or socket types collide.
///
/// The server runs this at startup and generates the bindings themselves on first request.
pub fn check_names(registry: &Registry) -> Result<(), Error> {
    handles(registry).map(|_| ())
}

/// Generates the bindings of every component and socket of `registry`.
pub fn generate(registry: &Registry) -> Result<Bindings, Error> {
    let mut ts = TypeScript::new();
    let mut js = String::new();
    let mut dts = String::new();
    let mut sockets_map = String::from("export interface Sockets {\n");
    let mut handle_decls = String::new();
    let Handles {
        components: handles,
        latest,
    } = handles(registry)?;
    let socket_types_named: std::collections::BTreeSet<&str> = handles
        .iter()
        .flat_map(|h| h.sockets.iter().map(|(_, _, t)| t.as_str()))
        .collect();

    for ComponentHandle {
        component,
        ident,
        sockets,
    } in &handles
    {
        let module_id = component.module_id();
        let component_doc = format!(
            "Component `{}` {} (module id `{module_id}`).\n{}",
            component.name(),
            component.version(),
            component.doc()
        );
        js.push_str(&js_doc(&component_doc, ""));
        let _ = writeln!(js, "export const {ident} = Object.freeze({{");
        let _ = writeln!(js, "    moduleId: {},", js_string(module_id));
        handle_decls.push_str(&js_doc(&component_doc, ""));
        let _ = writeln!(handle_decls, "export declare const {ident}: {{");
        let _ = writeln!(
            handle_decls,
            "    readonly moduleId: {};",
            js_string(module_id)
        );
        let _ = writeln!(sockets_map, "    {}: {{", js_string(module_id));

        for (member, socket, socket_type) in sockets {
            let socket_doc = format!(
                "Socket `{}`, namespace `{}`.\n{}",
                socket.name(),
                socket.namespace(),
                socket.doc()
            );
            let definition = match socket_types(socket, &mut ts) {
                Some(types) => format!("RainSocket<{}, {}>", types.listen, types.emit),
                None => "RainSocket<UntypedEvents, UntypedEvents>".to_owned(),
            };
            dts.push_str(&js_doc(&socket_doc, ""));
            let _ = writeln!(dts, "export type {socket_type} = {definition};\n");

            js.push_str(&js_doc(&socket_doc, "    "));
            let _ = writeln!(
                js,
                "    {member}: () => getWebSocket({}, {}),",
                js_string(module_id),
                js_string(socket.name())
            );
            handle_decls.push_str(&js_doc(&socket_doc, "    "));
            let _ = writeln!(handle_decls, "    {member}(): {socket_type};");
            let _ = writeln!(
                sockets_map,
                "        {}: {socket_type};",
                js_string(socket.name())
            );
        }
        js.push_str("});\n\n");
        handle_decls.push_str("};\n\n");
        sockets_map.push_str("    };\n");
    }
    for (ident, newest, component) in &latest {
        let doc = format!(
            "Component `{}`'s latest version, {} (module id `{}`).",
            component.name(),
            component.version(),
            component.module_id()
        );
        js.push_str(&js_doc(&doc, ""));
        let _ = writeln!(js, "export const {ident} = {newest};\n");
        handle_decls.push_str(&js_doc(&doc, ""));
        let _ = writeln!(
            handle_decls,
            "export declare const {ident}: typeof {newest};\n"
        );
    }
    sockets_map.push_str("}\n");
    sockets_map.push_str(&references(registry));
    let intent_types = intents::intent_types(registry, &mut ts);
    if let Some(clash) = ts.first_clash() {
        return Err(Error::Bindings(clash.to_owned()));
    }
    let reserved_for_intents = match intent_types {
        Some(_) => intents::RESERVED_TYPES,
        None => &[],
    };
    for name in ts.names() {
        if socket_types_named.contains(name)
            || RESERVED_TYPES.contains(&name)
            || reserved_for_intents.contains(&name)
        {
            return Err(Error::Bindings(format!(
                "the payload type `{name}` has the name of a binding type; rename it with `#[ts(rename = \"...\")]`"
            )));
        }
    }

    let header = header(registry);
    let (intent_decls, overloads) = match intent_types {
        Some(types) => (
            format!("// Intents.\n\n{}\n", types.declarations),
            types.overloads,
        ),
        None => (String::new(), String::new()),
    };
    let js = format!(
        "{header}\nimport {{ getWebSocket }} from \"/rain/runtime.js\";\n\n{js}export {{ getWebSocket }};\n"
    );
    let payloads: Vec<&str> = ts.declarations().collect();
    let dts = format!(
        "{header}\n{PRELUDE}\n// Payload types.\n\n{payloads}\n\n// Sockets.\n\n{dts}{sockets_map}\n\
         {intent_decls}{handle_decls}{API}{MESSAGING}{overloads}}}\n\n{RUNTIME}",
        payloads = payloads.join("\n\n"),
    );
    Ok(Bindings { js, dts })
}

/// The `References` interface: each reference to a component by name (`chat`) or name and
/// version fragment (`chat@1`) to the module id it resolves to, the page's own table
/// ([`Registry::socket_references`]), so that `messaging.getWebSocket("chat@1", "room")` has the
/// type of the socket the page opens for it.
fn references(registry: &Registry) -> String {
    let mut out = String::from(
        "\n/** References by name (`chat`: its latest version) or by name and version fragment \
         (`chat@1`: the latest 1.x) to the module id each resolves to. */\nexport interface \
         References {\n",
    );
    for (reference, module_id) in registry.socket_references() {
        let _ = writeln!(
            out,
            "    {}: {};",
            js_string(&reference),
            js_string(module_id)
        );
    }
    out.push_str("}\n");
    out
}

/// Names the declarations use for themselves; payload types must not take them.
const RESERVED_TYPES: &[&str] = &[
    // TypeScript's, named bare in ts-rs's declarations (`Array<T>` for a `Vec<T>`,
    // `ArrayBuffer` for a `Binary`).
    "Array",
    "ArrayBuffer",
    "RainSocket",
    "EventMap",
    "UntypedEvents",
    "ReservedEvents",
    "AckEvents",
    "AckOf",
    "Sendable",
    "Sockets",
    "References",
    "SocketsOf",
    "ViewContext",
    "Messaging",
    "ClientRuntime",
    "Controller",
];

fn header(registry: &Registry) -> String {
    let mut header = format!(
        "// Generated by rain-core {} from the components and sockets of this app. Do not edit:\n\
         // regenerate with `<app> bindings write <folder>`, check with `<app> bindings check <folder>`.\n//\n",
        env!("CARGO_PKG_VERSION")
    );
    for component in registry.components() {
        let _ = writeln!(
            header,
            "// {} ({})",
            component.module_id(),
            component.location().file
        );
        for socket in registry.sockets_of(component.module_id()) {
            let _ = writeln!(header, "//   {} ({})", socket.namespace(), socket.handler());
        }
        for intent in registry.intents_of(component.module_id()) {
            let answered_by = match (intent.handler(), intent.view()) {
                (Some(handler), _) => handler.to_owned(),
                (None, view) => format!("view {}", view.unwrap_or_default()),
            };
            let (category, action) = (intent.category(), intent.action());
            let _ = writeln!(header, "//   intent {category} {action} ({answered_by})");
        }
    }
    header
}

/// A JSDoc comment of `doc`'s non-empty lines, indented by `pad`; nothing when there are none.
fn js_doc(doc: &str, pad: &str) -> String {
    let lines: Vec<&str> = doc
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let mut out = format!("{pad}/**\n");
    for line in lines {
        let _ = writeln!(out, "{pad} * {}", line.replace("*/", "*\\/"));
    }
    let _ = writeln!(out, "{pad} */");
    out
}

/// A JavaScript string literal.
fn js_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// What every `bindings.d.ts` declares before the app's own types.
///
/// TypeScript's own types are named through `globalThis`, so that a payload type may be called
/// `Error` or `Promise` without changing what the declarations mean.
const PRELUDE: &str = r#"/** Events as Socket.IO's typed maps: event name to listener signature. */
export type EventMap = { [event: string]: (...args: any[]) => void };

/** The events of a socket without an `events!` declaration: any name, payloads unknown. */
export type UntypedEvents = { [event: string]: (...args: unknown[]) => void };

/** Events every socket emits by itself. */
export interface ReservedEvents {
    connect: () => void;
    disconnect: (reason: string) => void;
    connect_error: (error: globalThis.Error & { data?: unknown }) => void;
}

/** The events of `M` that expect an ack: those declared with one, and any event of an untyped socket. */
export type AckEvents<M extends EventMap> = {
    [E in keyof M]: globalThis.Parameters<M[E]> extends [any, (reply: any) => void] ? E
        : unknown[] extends globalThis.Parameters<M[E]> ? E
        : never;
}[keyof M] & string;

/**
 * What the client may send where a payload type says `ArrayBuffer` (a `rain_core::Binary`): any
 * bytes the runtime sends as an attachment. Listeners get `ArrayBuffer`s. (`Depth` stops the
 * mapping in recursive types such as `JsonValue`.)
 */
export type Sendable<T, Depth extends unknown[] = []> = Depth["length"] extends 8 ? T
    : T extends globalThis.ArrayBuffer ? globalThis.ArrayBuffer | globalThis.ArrayBufferView | globalThis.Blob
    : T extends (...args: any[]) => any ? T
    : T extends object ? { [K in keyof T]: Sendable<T[K], [...Depth, unknown]> }
    : T;

/** The ack type of an event signature. */
export type AckOf<F> = F extends (payload: any, ack: (reply: infer R) => void) => void ? R : never;

/**
 * A socket of the runtime, typed: `Listen` are the events the server sends, `Emit` the events
 * the client sends.
 */
export interface RainSocket<Listen extends EventMap, Emit extends EventMap> {
    readonly connected: boolean;
    readonly id: string | undefined;
    on<E extends keyof (Listen & ReservedEvents) & string>(event: E, listener: (Listen & ReservedEvents)[E]): this;
    once<E extends keyof (Listen & ReservedEvents) & string>(event: E, listener: (Listen & ReservedEvents)[E]): this;
    off<E extends keyof (Listen & ReservedEvents) & string>(event?: E, listener?: (Listen & ReservedEvents)[E]): this;
    emit<E extends keyof Emit & string>(event: E, ...args: Sendable<globalThis.Parameters<Emit[E]>>): this;
    emitWithAck<E extends AckEvents<Emit>>(event: E, payload: Sendable<globalThis.Parameters<Emit[E]>[0]>): globalThis.Promise<AckOf<Emit[E]>>;
    connect(): this;
    disconnect(): this;
}
"#;

/// What every `bindings.d.ts` declares after the app's own types, before `Messaging`.
const API: &str = r#"/** The sockets of module id `R`, or of the module id the reference `R` resolves to. */
export type SocketsOf<R> = R extends keyof Sockets ? Sockets[R]
    : R extends keyof References ? Sockets[References[R] & keyof Sockets]
    : never;

/** The runtime's `getWebSocket`, typed by component (module id or reference) and socket name. */
export declare function getWebSocket<M extends keyof Sockets | keyof References, N extends keyof SocketsOf<M> & string>(moduleId: M, name: N): SocketsOf<M>[N];

/** `this.viewContext` of a controller of component `M`. */
export interface ViewContext<M extends keyof Sockets> {
    readonly moduleId: M;
    readonly instanceId: string;
    getRoot(): globalThis.HTMLElement;
    getWebSocket<N extends keyof Sockets[M] & string>(name: N): Sockets[M][N];
}

"#;

/// `Messaging`, but for its closing brace: the `sendIntent` overloads go after it.
const MESSAGING: &str = r#"/** `this.clientRuntime.messaging`: any component's sockets. */
export interface Messaging {
    getWebSocket<M extends keyof Sockets | keyof References, N extends keyof SocketsOf<M> & string>(moduleId: M, name: N): SocketsOf<M>[N];
    _getWebSocket<M extends keyof Sockets | keyof References, N extends keyof SocketsOf<M> & string>(moduleId: M, name: N): SocketsOf<M>[N];
"#;

/// What every `bindings.d.ts` declares last.
const RUNTIME: &str = r#"/** `this.clientRuntime`. */
export interface ClientRuntime {
    readonly messaging: Messaging;
}

/** What the runtime gives a controller of component `M` as `this`. */
export interface Controller<M extends keyof Sockets> {
    viewContext: ViewContext<M>;
    clientRuntime: ClientRuntime;
}
"#;
