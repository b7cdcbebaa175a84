//! The example observed: `/rain` shows its components, `/rain/metrics` counts a real session's
//! traffic, and each step of the session runs in a `tracing` span that names it.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use tracing::{
    Subscriber,
    field::{Field, Visit},
    span::{Attributes, Id},
};
use tracing_subscriber::{Layer, layer::Context, prelude::*, registry::LookupSpan};

use super::{get, open_session, poll, post, router};

const DUMMY: &str = "/intents-example-1.0/chat/dummy socket";

#[tokio::test]
async fn introspection_page_shows_components_sockets_and_events() {
    let (status, content_type, html) = get(&router().await, "/rain").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/html; charset=utf-8");
    for expected in [
        "<h2>chat <small>1.0</small></h2>",
        "<h2>chat <small>2.0</small></h2>",
        "<tr class=\"socket\" data-namespace=\"/chat-2.0/room\">",
        // Each version, with the references that name it.
        "<p class=\"references\">Referred to as: <code>chat@1</code>, <code>chat@1.0</code></p>",
        "<p class=\"references\">Referred to as: <code>chat</code>, <code>chat@2</code>, <code>chat@2.0</code></p>",
        "<a href=\"/chat-2\"><code>/chat-2</code></a> Chat 2.0: <code>chat-2.0 index</code>",
        "<h2>intents-example <small>1.0</small></h2>",
        "<tr class=\"socket\" data-namespace=\"/chat-1.0/room\">",
        &format!("<tr class=\"socket\" data-namespace=\"{DUMMY}\">"),
        "<code>dummy_socket</code>",
        "<code>hello</code> <span class=\"direction\">client → server</span> <code>Hello</code>",
        "<code>whoami</code> <span class=\"direction\">client → server</span> <code>null</code>, ack <code>Identity</code>",
        // Docs are rendered from Markdown.
        "Answers every <code>hello</code> with a <code>bye</code>.",
        "<a href=\"/intents-example-1.0/typed\">typed</a>",
        "<a href=\"/\"><code>/</code></a> Rain intents example:",
        "<td class=\"live\">0</td>",
    ] {
        assert!(
            html.contains(expected),
            "`{expected}` missing from:\n{html}"
        );
    }
}

/// One span as it was opened: its name and its fields, formatted.
#[derive(Debug, Clone)]
struct SpanRecord {
    name: &'static str,
    fields: Vec<(String, String)>,
}

impl SpanRecord {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A `tracing` layer that keeps every span Rain opens.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<SpanRecord>>>);

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        if !attrs.metadata().target().starts_with("rain_core") {
            return;
        }
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(SpanRecord {
            name: attrs.metadata().name(),
            fields,
        });
    }
}

impl Spans {
    fn named(&self, name: &str) -> Vec<SpanRecord> {
        let spans = self.0.lock().unwrap();
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }
}

/// The value of the series `name{labels}` in a Prometheus text exposition.
fn series(text: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|value| value.parse().unwrap())
}

/// A long-polling session that connects to `chat/dummy socket`, says `hello` twice and leaves,
/// watched through `/rain/metrics` and through the spans it opens.
///
/// A current-thread runtime runs every task of the server on this thread, inside the
/// subscriber set for it.
#[tokio::test(flavor = "current_thread")]
async fn a_session_moves_the_metrics_and_runs_in_named_spans() {
    let spans = Spans::default();
    let _subscriber = tracing_subscriber::registry()
        .with(spans.clone())
        .set_default();
    let router = router().await;
    // Another server of the same app, in the same process: it must count nothing of this one's.
    let other = super::router().await;
    let labels = r#"module_id="intents-example-1.0",socket="chat/dummy socket""#;
    let hello = format!(r#"{labels},event="hello""#);
    let metrics = async || {
        let (status, content_type, text) = get(&router, "/rain/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
        text
    };
    let before = metrics().await;
    assert_eq!(series(&before, "rain_connections_open", labels), Some(0.0));
    assert_eq!(series(&before, "rain_events_received_total", &hello), None);

    let uri = open_session(&router).await;
    assert_eq!(
        post(&router, &uri, &format!("40{DUMMY},")).await,
        StatusCode::OK
    );
    let connected = poll(&router, &uri).await;
    assert!(connected.starts_with(&format!("40{DUMMY},")), "{connected}");
    for _ in 0..2 {
        let hello = format!("42{DUMMY},[\"hello\",{{}}]");
        assert_eq!(post(&router, &uri, &hello).await, StatusCode::OK);
        assert!(poll(&router, &uri).await.contains("\"bye\""));
    }

    let during = metrics().await;
    assert_eq!(series(&during, "rain_connections_open", labels), Some(1.0));
    assert_eq!(
        series(&during, "rain_connections_opened_total", labels),
        Some(1.0)
    );
    assert_eq!(
        series(&during, "rain_events_received_total", &hello),
        Some(2.0)
    );
    let bye = format!(r#"{labels},event="bye""#);
    assert_eq!(
        series(&during, "rain_events_emitted_total", &bye),
        Some(2.0)
    );
    assert_eq!(
        series(&during, "rain_handler_duration_seconds_count", &hello),
        Some(2.0)
    );
    assert_eq!(
        series(
            &during,
            "rain_handler_duration_seconds_bucket",
            &format!(r#"{hello},le="+Inf""#)
        ),
        Some(2.0)
    );

    assert_eq!(
        post(&router, &uri, &format!("41{DUMMY},")).await,
        StatusCode::OK
    );
    let mut after = metrics().await;
    for _ in 0..200 {
        if series(&after, "rain_connections_open", labels) == Some(0.0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        after = metrics().await;
    }
    assert_eq!(series(&after, "rain_connections_open", labels), Some(0.0));
    assert_eq!(
        series(&after, "rain_connections_closed_total", labels),
        Some(1.0)
    );

    let (_, _, elsewhere) = get(&other, "/rain/metrics").await;
    assert_eq!(
        series(&elsewhere, "rain_connections_opened_total", labels),
        Some(0.0)
    );
    assert_eq!(
        series(&elsewhere, "rain_events_received_total", &hello),
        None
    );

    let [connect] = &spans.named("connect")[..] else {
        panic!("one connect span: {:?}", spans.0.lock().unwrap());
    };
    assert_eq!(connect.field("module_id"), Some("intents-example-1.0"));
    assert_eq!(connect.field("socket"), Some("chat/dummy socket"));
    let sid = connect.field("sid").expect("the socket id");
    let events = spans.named("event");
    assert_eq!(events.len(), 2, "{events:?}");
    for event in &events {
        assert_eq!(event.field("event"), Some("hello"));
        assert_eq!(event.field("module_id"), Some("intents-example-1.0"));
        assert_eq!(event.field("socket"), Some("chat/dummy socket"));
        assert_eq!(event.field("sid"), Some(sid));
    }
    let [disconnect] = &spans.named("disconnect")[..] else {
        panic!("one disconnect span: {:?}", spans.0.lock().unwrap());
    };
    assert_eq!(disconnect.field("socket"), Some("chat/dummy socket"));
    assert_eq!(disconnect.field("sid"), Some(sid));
    assert_eq!(disconnect.field("reason"), Some("ClientNSDisconnect"));
}
