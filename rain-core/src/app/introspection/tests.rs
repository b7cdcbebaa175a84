//! `/rain` rendered from a registry made by hand: what each part shows, escaped.

use super::*;
use crate::registry::{
    registration::{ComponentKey, ComponentRegistration, Location, SocketRegistration},
    settings::SocketSettings,
};

const KEY: ComponentKey = ComponentKey {
    name: "chat",
    version: "1.0",
};
const AT: Location = Location {
    file: "src/<lib>.rs",
    line: 3,
    column: 5,
};
static COMPONENTS: [ComponentRegistration; 1] = [ComponentRegistration {
    key: KEY,
    doc: "Talks <b>loudly</b> & \"often\"",
    location: AT,
    assets: None,
}];

fn text(ts: &mut TypeScript) -> String {
    ts.type_of::<String>()
}

static EVENTS: [EventDecl; 2] = [
    EventDecl {
        name: "say<script>",
        direction: Direction::Receive,
        doc: "Says 'it' </li>",
        payload: text,
        ack: None,
    },
    EventDecl {
        name: "said",
        direction: Direction::Emit,
        doc: "",
        payload: text,
        ack: Some(text),
    },
];
static SOCKETS: [SocketRegistration; 2] = [
    SocketRegistration {
        component: KEY,
        name: "room <1>",
        handler: "room",
        doc: "The <room>.\nTalks in `rooms`:\n\n- to *all*",
        location: AT,
        mount: |_, _| {},
        guards: &[],
        event_guards: &[],
        events: Some(&EVENTS),
        settings: SocketSettings {
            event_rate: Some(120),
            idle_timeout: Some(None),
            ..SocketSettings::APP
        },
        states: &[],
    },
    SocketRegistration {
        component: KEY,
        name: "plain",
        handler: "plain",
        doc: "",
        location: AT,
        mount: |_, _| {},
        guards: &[],
        event_guards: &[],
        events: None,
        settings: SocketSettings::APP,
        states: &[],
    },
];

fn page() -> String {
    let registry = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap();
    let (_, io) = socketioxide::SocketIo::builder()
        .with_adapter::<crate::base::adapter::Adapter>(crate::base::cluster::AdapterState::local())
        .build_layer();
    let pages = vec![
        (
            "/a page/<x>".to_owned(),
            Page::new("<Home> & co").view("chat-1.0", "index"),
        ),
        ("/users/{id}".to_owned(), Page::new("User")),
    ];
    render(&registry, &pages, &io, &Limits::default())
}

#[test]
fn everything_from_the_app_is_escaped() {
    let html = page();
    for raw in [
        "<b>loudly",
        "<script>",
        "'it' </li>",
        "<room>",
        "room <1>",
        "src/<lib>.rs",
        "<Home>",
        "<x>",
    ] {
        assert!(!html.contains(raw), "`{raw}` unescaped in:\n{html}");
    }
    for escaped in [
        // Quotes need no escaping outside attributes.
        "Talks &lt;b&gt;loudly&lt;/b&gt; &amp; \"often\"",
        "<code>say&lt;script&gt;</code>",
        "Says 'it' &lt;/li&gt;",
        "data-namespace=\"/chat-1.0/room &lt;1&gt;\"",
        "<code>src/&lt;lib&gt;.rs:3:5</code>",
        "&lt;Home&gt; &amp; co",
        // Links percent-encode, then escape.
        "<a href=\"/a%20page/%3Cx%3E\"><code>/a page/&lt;x&gt;</code></a>",
    ] {
        assert!(html.contains(escaped), "`{escaped}` missing from:\n{html}");
    }
}

#[test]
fn doc_comments_are_rendered_from_markdown() {
    let html = page();
    assert!(
        html.contains(
            "<div class=\"doc\"><p>The &lt;room&gt;.\nTalks in <code>rooms</code>:</p>\n\
             <ul>\n<li>to <em>all</em></li>\n</ul>\n</div>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<div class=\"doc\"><p>Says 'it' &lt;/li&gt;</p>\n</div>\n</li>"),
        "{html}"
    );
    // Lines are joined as a browser joins them, not kept as they were typed.
    assert!(!html.contains("pre-line"), "{html}");
}

#[test]
fn shows_sockets_events_and_live_counts() {
    let html = page();
    assert!(html.contains("<h2>chat <small>1.0</small></h2>"), "{html}");
    assert!(html.contains("module id <code>chat-1.0</code>"), "{html}");
    assert!(
        html.contains(
            "<code>said</code> <span class=\"direction\">server → client</span> \
             <code>string</code>, ack <code>string</code>"
        ),
        "{html}"
    );
    assert!(html.contains("client → server"), "{html}");
    assert!(
        html.contains("<span class=\"none\">untyped</span>"),
        "{html}"
    );
    assert_eq!(
        html.matches("<td class=\"live\">0</td>").count(),
        2,
        "{html}"
    );
    assert!(
        html.contains("<span id=\"rain-connected\">0</span>"),
        "{html}"
    );
    // A route with parameters is shown, not linked.
    assert!(
        html.contains("<li><code>/users/{id}</code> User: "),
        "{html}"
    );
    assert!(
        !html.contains("<script"),
        "the page needs no script: {html}"
    );
}

#[test]
fn shows_each_sockets_limits_and_who_set_them() {
    let html = page();
    // `room <1>` sets its rate and keeps idle sockets; `plain` has the app's limits.
    let rows: Vec<&str> = html.split("<tr class=\"socket\"").skip(1).collect();
    assert_eq!(rows.len(), 2, "{html}");
    let (plain, room) = (rows[0], rows[1]);
    for expected in [
        "<li data-limit=\"rate\" data-from=\"socket\">rate <code>120/s</code> \
         <span class=\"from\">this socket</span></li>",
        "<li data-limit=\"burst\" data-from=\"app\">burst <code>100</code> \
         <span class=\"from\">app</span></li>",
        "<li data-limit=\"idle\" data-from=\"socket\">idle <code>never</code>",
    ] {
        assert!(
            room.contains(expected),
            "`{expected}` missing from:\n{room}"
        );
    }
    for expected in [
        "<li data-limit=\"rate\" data-from=\"app\">rate <code>50/s</code>",
        "<li data-limit=\"idle\" data-from=\"app\">idle <code>30m</code>",
    ] {
        assert!(
            plain.contains(expected),
            "`{expected}` missing from:\n{plain}"
        );
    }
}

#[test]
fn durations_are_written_as_the_attribute_takes_them() {
    assert_eq!(duration(1_800_000), "30m");
    assert_eq!(duration(7_200_000), "2h");
    assert_eq!(duration(90_000), "90s");
    assert_eq!(duration(1_500), "1500ms");
    assert_eq!(duration(0), "0ms");
}

#[test]
fn path_segments_are_percent_encoded() {
    assert_eq!(encode_segment("chat/dummy socket"), "chat%2Fdummy%20socket");
    assert_eq!(encode_segment("a-b_c.d~1"), "a-b_c.d~1");
    assert_eq!(encode_segment("é\"'"), "%C3%A9%22%27");
    assert_eq!(encode_path("/a b/c"), "/a%20b/c");
}
