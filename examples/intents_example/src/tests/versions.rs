//! Two versions of `chat` side by side: `/` shows 1.0 (`chat@1`), `/chat-2` shows 2.0
//! (`chat@2`), each on a namespace of its own, both served by the one app.

use std::collections::{BTreeMap, VecDeque};

use axum::{Router, http::StatusCode};

use super::{app, get, open_session, poll, post, router};

const ROOM_1: &str = "/chat-1.0/room";
const ROOM_2: &str = "/chat-2.0/room";

/// The JSON of the page's `<script type="application/json" id="…">`.
fn script_json(page: &str, id: &str) -> serde_json::Value {
    let open = format!(r#"<script type="application/json" id="{id}""#);
    let start = page
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let rest = &page[start..];
    let text = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(text).unwrap()
}

/// The manifest's `(module id, name, namespace)` of every socket.
fn manifest(page: &str) -> Vec<(String, String, String)> {
    script_json(page, "rain-sockets")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let field = |key: &str| s[key].as_str().unwrap().to_owned();
            (field("moduleId"), field("name"), field("namespace"))
        })
        .collect()
}

#[tokio::test]
async fn each_page_shows_its_version_of_the_chat() {
    let router = router().await;
    let (status, _, home) = get(&router, "/").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, chat_2) = get(&router, "/chat-2").await;
    assert_eq!(status, StatusCode::OK, "{chat_2}");

    assert!(home.contains(r#"data-rain-module="chat-1.0""#), "{home}");
    assert!(home.contains(r#"data-rain-controller="/chat-1.0/client/index.js""#));
    assert!(!home.contains(r#"data-rain-module="chat-2.0""#), "{home}");
    assert!(home.contains("<h2>Chat</h2>"));

    assert!(
        chat_2.contains(r#"data-rain-module="chat-2.0""#),
        "{chat_2}"
    );
    assert!(chat_2.contains(r#"data-rain-instance="chat-2.0.index.0""#));
    assert!(chat_2.contains(r#"data-rain-controller="/chat-2.0/client/index.js""#));
    assert!(
        !chat_2.contains(r#"data-rain-module="chat-1.0""#),
        "{chat_2}"
    );
    assert!(chat_2.contains("<h2>Chat 2.0</h2>"));

    // Each version's socket has a namespace of its own, in the manifests of both pages.
    for page in [&home, &chat_2] {
        let sockets = manifest(page);
        for (module_id, namespace) in [("chat-1.0", ROOM_1), ("chat-2.0", ROOM_2)] {
            let entry = (
                module_id.to_owned(),
                "room".to_owned(),
                namespace.to_owned(),
            );
            assert!(sockets.contains(&entry), "{entry:?} not in {sockets:?}");
        }
    }
}

/// The table the runtime resolves `chat@1` with: every reference by name, to its module id.
#[tokio::test]
async fn the_page_tells_the_runtime_what_each_reference_resolves_to() {
    let (_, _, page) = get(&router().await, "/chat-2").await;
    let versions: BTreeMap<String, String> =
        serde_json::from_value(script_json(&page, "rain-versions")).unwrap();
    let expected: BTreeMap<String, String> = [
        ("chat", "chat-2.0"),
        ("chat@1", "chat-1.0"),
        ("chat@1.0", "chat-1.0"),
        ("chat@2", "chat-2.0"),
        ("chat@2.0", "chat-2.0"),
        ("intents-example", "intents-example-1.0"),
        ("intents-example@1", "intents-example-1.0"),
        ("intents-example@1.0", "intents-example-1.0"),
    ]
    .into_iter()
    .map(|(reference, module_id)| (reference.to_owned(), module_id.to_owned()))
    .collect();
    assert_eq!(versions, expected);
    // Computed by the server's own rule.
    let app = app().await;
    for (reference, module_id) in &versions {
        assert_eq!(
            app.registry().lookup(reference).unwrap().module_id(),
            module_id
        );
    }
}

/// One long-polling session: the packets it has received and not yet looked at.
struct Session<'a> {
    router: &'a Router,
    uri: String,
    pending: VecDeque<String>,
}

impl Session<'_> {
    /// Takes packets until one starts with `prefix`: returns it and the packets before it.
    async fn until(&mut self, prefix: &str) -> (String, Vec<String>) {
        let mut before = Vec::new();
        loop {
            while let Some(packet) = self.pending.pop_front() {
                if packet.starts_with(prefix) {
                    return (packet, before);
                }
                before.push(packet);
            }
            let packets = poll(self.router, &self.uri).await;
            self.pending
                .extend(packets.split('\u{1e}').map(str::to_owned));
        }
    }

    async fn send(&self, packet: &str) {
        assert_eq!(post(self.router, &self.uri, packet).await, StatusCode::OK);
    }
}

/// One Engine.IO session joins both rooms: each version relays on its own namespace only, 2.0
/// stamping its messages with `sentAt`.
#[tokio::test]
async fn both_versions_of_the_room_are_served_side_by_side() {
    let router = router().await;
    let mut session = Session {
        router: &router,
        uri: open_session(&router).await,
        pending: VecDeque::new(),
    };

    for ns in [ROOM_1, ROOM_2] {
        session.send(&format!("40{ns},")).await;
        session.until(&format!("40{ns},{{\"sid\":")).await;
    }

    session
        .send(&format!(r#"42{ROOM_2},1["message",{{"text":"two"}}]"#))
        .await;
    let (message, mut others) = session.until(&format!(r#"42{ROOM_2},["message","#)).await;
    let payload: serde_json::Value =
        serde_json::from_str(message.split_once(',').unwrap().1).unwrap();
    assert_eq!(payload[1]["text"], "two");
    assert!(payload[1]["sentAt"].as_u64().unwrap() > 0, "{message}");
    others.extend(session.until(&format!("43{ROOM_2},1")).await.1);

    session
        .send(&format!(r#"42{ROOM_1},1["message",{{"text":"one"}}]"#))
        .await;
    let (message, before) = session.until(&format!(r#"42{ROOM_1},["message","#)).await;
    assert!(
        message.starts_with(&format!(r#"42{ROOM_1},["message",{{"text":"one"}}"#)),
        "chat 1.0 stamps nothing: {message}"
    );
    // Neither room relayed the other's message.
    for packet in others.iter().chain(&before) {
        assert!(!packet.contains(r#"["message","#), "{packet}");
    }
}
