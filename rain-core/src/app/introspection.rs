//! `GET /rain`: one server-rendered page showing what the app is made of, for the people who run
//! it. Every component, its views and sockets, each socket's namespace, source location, declared
//! events, limits (its own or the app's) and the sockets connected to it now on this node, the
//! intents it provides (`intents`), the references by name and version fragment that resolve to
//! it (`chat@1`), and the app's own pages.
//!
//! Plain HTML and a little CSS: no script, nothing to build. Everything that comes from the app
//! (names, file paths, types) is escaped, and path segments in links are percent-encoded; doc
//! comments are rendered from their Markdown, raw HTML in them escaped (`markdown`).

use std::fmt::Write as _;

mod intents;
mod markdown;

use super::page::{Page, escape_html};
use crate::{
    base::{adapter::SocketIo, limits::Limits, metrics::open_connections, typescript::TypeScript},
    registry::{
        Component, Registry, Socket,
        events::{Direction, EventDecl},
        names::intents_namespace,
        settings::Source,
    },
};

const STYLE: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1d2430;background:#fbfcfd}\
h1{margin:.2rem 0}h2{margin:0 0 .3rem}h1 small,h2 small{font-weight:normal;color:#5c6878}\
nav a{margin-right:1rem}td.namespace code{white-space:nowrap}code{font:13px ui-monospace,monospace;background:#eef1f5;padding:0 .25rem;border-radius:3px}\
section{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:1rem 1.2rem;margin:1rem 0}\
table{border-collapse:collapse;width:100%;margin-top:.5rem}th,td{text-align:left;padding:.35rem .5rem;border-top:1px solid #e6e9ee;vertical-align:top}\
th{font-size:13px;color:#5c6878;font-weight:600}td.live{font-variant-numeric:tabular-nums;font-weight:600;text-align:right}th.live{text-align:right}\
.doc{color:#3a4452;margin:.3rem 0}.doc>:first-child{margin-top:0}.doc>:last-child{margin-bottom:0}\
.doc p,.doc ul,.doc ol,.doc pre{margin:.3rem 0}.doc pre{background:#eef1f5;padding:.4rem .6rem;border-radius:3px;overflow-x:auto}.doc pre code{padding:0}.meta{color:#5c6878;font-size:13px;margin:.2rem 0}\
ul.events{margin:.2rem 0 0;padding-left:1.1rem}ul.events li{margin:.1rem 0}.direction{color:#5c6878;font-size:13px}\
.none{color:#8a94a3}ul.limits{margin:0;padding:0;list-style:none;white-space:nowrap}.from{color:#8a94a3;font-size:12px}\
li[data-from=socket] .from{color:#1d5fa8}";

/// What every part of the page needs besides its own item.
struct Context<'a> {
    registry: &'a Registry,
    pages: &'a [(String, Page)],
    io: &'a SocketIo,
    limits: &'a Limits,
}

/// The whole page, under the app's `limits`.
pub(crate) fn render(
    registry: &Registry,
    pages: &[(String, Page)],
    io: &SocketIo,
    limits: &Limits,
) -> String {
    let context = Context {
        registry,
        pages,
        io,
        limits,
    };
    let mut types = TypeScript::new();
    // The intents socket's too (none when it is not mounted).
    let connected: i64 = registry
        .sockets()
        .iter()
        .map(|s| open_connections(io, s.namespace()))
        .sum::<i64>()
        + open_connections(io, &intents_namespace());
    let mut body = String::new();
    let intents = match registry.intents().len() {
        0 => String::new(),
        1 => ", 1 intent".to_owned(),
        count => format!(", {count} intents"),
    };
    let _ = write!(
        body,
        "<header>\n<h1>Rain <small>components and sockets</small></h1>\n\
         <p class=\"summary\">{components} {component_word}, {sockets} {socket_word}{intents}, \
         <span id=\"rain-connected\">{connected}</span> connected now on this node.</p>\n\
         <nav><a href=\"/rain/metrics\">metrics</a><a href=\"/rain/sockets\">sockets as JSON</a>\
         <a href=\"/rain/bindings.d.ts\">client bindings</a></nav>\n</header>\n",
        components = registry.components().len(),
        component_word = plural(registry.components().len(), "component", "components"),
        sockets = registry.sockets().len(),
        socket_word = plural(registry.sockets().len(), "socket", "sockets"),
    );
    pages_section(&mut body, pages);
    for component in registry.components() {
        component_section(&mut body, component, &context, &mut types);
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Rain: components and sockets</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// The app's composed pages, with the views each shows.
fn pages_section(out: &mut String, pages: &[(String, Page)]) {
    if pages.is_empty() {
        return;
    }
    out.push_str("<section class=\"pages\">\n<h2>Pages</h2>\n<ul>\n");
    for (path, page) in pages {
        let path_html = page_link(path);
        let views: Vec<String> = page
            .views()
            .iter()
            .map(|(module_id, view)| {
                format!(
                    "<code>{}</code>",
                    escape_html(&format!("{module_id} {view}"))
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<li>{path_html} {title}: {views}</li>",
            title = escape_html(page.title()),
            views = if views.is_empty() {
                "<span class=\"none\">no views</span>".to_owned()
            } else {
                views.join(", ")
            },
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// A link to one of the app's pages.
fn page_link(path: &str) -> String {
    // A route with parameters (`/users/{id}`) has no one address to link to.
    if path.contains(['{', '}']) {
        format!("<code>{}</code>", escape_html(path))
    } else {
        format!(
            "<a href=\"{}\"><code>{}</code></a>",
            escape_html(&encode_path(path)),
            escape_html(path)
        )
    }
}

/// One component: what it is, where it is declared, its views and its sockets.
fn component_section(
    out: &mut String,
    component: &Component,
    context: &Context<'_>,
    types: &mut TypeScript,
) {
    let Context {
        registry, pages, ..
    } = context;
    let id = component.module_id();
    let _ = writeln!(
        out,
        "<section class=\"component\" data-module-id=\"{id}\">\n\
         <h2>{name} <small>{version}</small></h2>\n\
         <p class=\"meta\">module id <code>{id}</code>, declared at <code>{location}</code></p>",
        id = escape_html(id),
        name = escape_html(component.name()),
        version = escape_html(component.version()),
        location = escape_html(&component.location().to_string()),
    );
    doc(out, component.doc());
    let references: Vec<String> = registry
        .references()
        .into_iter()
        .filter(|(_, resolved)| resolved.module_id() == id)
        .map(|(reference, _)| format!("<code>{}</code>", escape_html(&reference)))
        .collect();
    if !references.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"references\">Referred to as: {}</p>",
            references.join(", ")
        );
    }
    let views = component.views();
    if views.is_empty() {
        out.push_str("<p class=\"views\">Views: <span class=\"none\">none</span></p>\n");
    } else {
        let links: Vec<String> = views
            .iter()
            .map(|view| {
                format!(
                    "<a href=\"/{}/{}\">{}</a>",
                    escape_html(&encode_segment(id)),
                    escape_html(&encode_segment(view)),
                    escape_html(view)
                )
            })
            .collect();
        let _ = writeln!(out, "<p class=\"views\">Views: {}</p>", links.join(", "));
    }
    let shown_on: Vec<String> = pages
        .iter()
        .filter(|(_, page)| page.views().iter().any(|(module_id, _)| module_id == id))
        .map(|(path, _)| page_link(path))
        .collect();
    if !shown_on.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"on-pages\">On pages: {}</p>",
            shown_on.join(", ")
        );
    }
    let sockets = registry.sockets_of(id);
    if sockets.is_empty() {
        out.push_str("<p class=\"none\">No sockets.</p>\n");
    } else {
        out.push_str(
            "<table class=\"sockets\">\n<thead><tr><th>socket</th><th>namespace</th>\
             <th>handler</th><th>events</th><th>limits</th><th class=\"live\">connected</th></tr>\
             </thead>\n<tbody>\n",
        );
        for socket in sockets {
            socket_row(out, socket, context, types);
        }
        out.push_str("</tbody>\n</table>\n");
    }
    intents::intents_table(out, registry, id);
    out.push_str("</section>\n");
}

fn socket_row(out: &mut String, socket: &Socket, context: &Context<'_>, types: &mut TypeScript) {
    let _ = write!(
        out,
        "<tr class=\"socket\" data-namespace=\"{namespace}\">\
         <td><strong>{name}</strong>",
        namespace = escape_html(socket.namespace()),
        name = escape_html(socket.name()),
    );
    doc(out, socket.doc());
    let _ = write!(
        out,
        "</td><td class=\"namespace\"><code>{namespace}</code></td>\
         <td><code>{handler}</code><div class=\"meta\">{location}</div></td><td>",
        namespace = escape_html(socket.namespace()),
        handler = escape_html(socket.handler()),
        location = escape_html(&socket.location().to_string()),
    );
    match socket.events() {
        None => out.push_str("<span class=\"none\">untyped</span>"),
        Some([]) => out.push_str("<span class=\"none\">none declared</span>"),
        Some(events) => {
            out.push_str("<ul class=\"events\">");
            for event in events {
                event_item(out, event, types);
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</td><td class=\"limits\">");
    limits_list(out, socket, context.limits);
    let _ = writeln!(
        out,
        "</td><td class=\"live\">{}</td></tr>",
        open_connections(context.io, socket.namespace())
    );
}

/// A socket's event rate, burst, idle timeout and recovery window, each marked as the socket's
/// own or the app's.
fn limits_list(out: &mut String, socket: &Socket, limits: &Limits) {
    let shown = socket.shown_limits(limits);
    let rate = match shown.event_rate.value {
        0 => "no limit".to_owned(),
        rate => format!("{rate}/s"),
    };
    let idle = shown
        .idle_timeout_ms
        .value
        .map_or_else(|| "never".to_owned(), duration);
    out.push_str("<ul class=\"limits\">");
    let burst = shown.event_burst.value.to_string();
    limit_item(out, "rate", &rate, shown.event_rate.from);
    limit_item(out, "burst", &burst, shown.event_burst.from);
    limit_item(out, "idle", &idle, shown.idle_timeout_ms.from);
    let recover = shown
        .recover_ms
        .value
        .map_or_else(|| "off".to_owned(), duration);
    limit_item(out, "recover", &recover, shown.recover_ms.from);
    out.push_str("</ul>");
}

fn limit_item(out: &mut String, label: &str, value: &str, from: Source) {
    let (from, said) = match from {
        Source::Socket => ("socket", "this socket"),
        Source::App => ("app", "app"),
    };
    let _ = write!(
        out,
        "<li data-limit=\"{label}\" data-from=\"{from}\">{label} <code>{value}</code> \
         <span class=\"from\">{said}</span></li>"
    );
}

/// Milliseconds in the largest unit that divides them, as the attribute writes them: `10m`.
fn duration(ms: u64) -> String {
    for (unit, per) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000)] {
        if ms > 0 && ms.is_multiple_of(per) {
            return format!("{}{unit}", ms / per);
        }
    }
    format!("{ms}ms")
}

fn event_item(out: &mut String, event: &EventDecl, types: &mut TypeScript) {
    let direction = match event.direction {
        Direction::Receive => "client → server",
        Direction::Emit => "server → client",
    };
    let payload = (event.payload)(types);
    let ack = event
        .ack
        .map(|ack| format!(", ack <code>{}</code>", escape_html(&ack(types))))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<li><code>{name}</code> <span class=\"direction\">{direction}</span> \
         <code>{payload}</code>{ack}",
        name = escape_html(event.name),
        payload = escape_html(&payload),
    );
    doc(out, event.doc);
    out.push_str("</li>");
}

/// A doc comment, its Markdown rendered; nothing for none.
fn doc(out: &mut String, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        let _ = writeln!(out, "<div class=\"doc\">{}</div>", markdown::to_html(text));
    }
}

/// Percent-encodes one path segment: every byte but the unreserved ones (RFC 3986).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Percent-encodes each segment of a path, keeping its slashes.
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests;
