//! Intents over a real socket: `/rain/intents` on 127.0.0.1, spoken as raw HTTP and Engine.IO
//! long-polling, as a page's runtime speaks it (an `intent` event with an ack).

use std::{net::SocketAddr, time::Duration};

use rain_core::prelude::*;
use rain_core::session::MaybeUser;
use serde::Deserialize;
use support::dechunk;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
};

mod support;

/// What `ECHO` is given.
#[derive(Deserialize)]
struct Note {
    text: String,
}

fn closed(_: &GuardContext<'_>) -> Result<(), Refusal> {
    Err("the counter is closed".into())
}

#[component(name = "desk", version = "1.0", assets = "tests/components/desk")]
mod desk {
    use super::*;

    /// Echoes the note, with who sent it.
    #[intent(category = "com.rain.test.general", action = "ECHO")]
    async fn echo(Data(note): Data<Note>, MaybeUser(user): MaybeUser) -> Value {
        json!({ "echoed": note.text, "by": user.map(|user| user.name) })
    }

    #[intent(category = "com.rain.test.general", action = "FAIL")]
    async fn fail() -> Result<u32, String> {
        Err("the desk is closed".to_owned())
    }

    #[intent(category = "com.rain.test.general", action = "PANIC")]
    async fn panic() -> u32 {
        panic!("the desk fell over")
    }

    #[intent(category = "com.rain.test.general", action = "NOTHING")]
    async fn nothing(socket: SocketRef) {
        assert!(socket.connected());
    }

    #[intent(category = "com.rain.test.general", action = "GUARDED", guard = closed)]
    async fn guarded() -> u32 {
        unreachable!("refused by its guard")
    }

    /// Shows the desk.
    #[intent(category = "com.rain.test.general", action = "SHOW", view = "index")]
    const SHOW: () = ();
}

/// A running app, stopped when dropped.
struct Server {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn serve(app: App) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.serve_with(listener, async {
        stopped.await.ok();
    }));
    Server { addr, _stop: stop }
}

/// Sends one HTTP/1.1 request and reads the answer's status and body.
async fn http(addr: SocketAddr, method: &str, target: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut received))
        .await
        .expect("an answer within 30 s")
        .unwrap();
    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, dechunk(head, body))
}

const NS: &str = "/rain/intents";

/// One Engine.IO long-polling session, connected to `/rain/intents`.
struct Client {
    addr: SocketAddr,
    target: String,
    next_ack: u32,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Self {
        let (status, open) = http(addr, "GET", "/socket.io/?EIO=4&transport=polling", "").await;
        assert_eq!(status, 200, "{open}");
        let open: Value = serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
        let target = format!(
            "/socket.io/?EIO=4&transport=polling&sid={}",
            open["sid"].as_str().unwrap()
        );
        let client = Self {
            addr,
            target,
            next_ack: 1,
        };
        client.send(&format!("40{NS},")).await;
        let connected = client.packets().await;
        assert!(
            connected.starts_with(&format!("40{NS},{{\"sid\":")),
            "{connected}"
        );
        client
    }

    async fn send(&self, packet: &str) {
        let (status, body) = http(self.addr, "POST", &self.target, packet).await;
        assert_eq!(status, 200, "{body}");
    }

    /// The next packets the server sends, pings answered and left out.
    async fn packets(&self) -> String {
        loop {
            let (status, body) = http(self.addr, "GET", &self.target, "").await;
            assert_eq!(status, 200, "{body}");
            let mut packets = Vec::new();
            for packet in body.split('\u{1e}') {
                if packet == "2" {
                    self.send("3").await;
                } else {
                    packets.push(packet);
                }
            }
            if !packets.is_empty() {
                return packets.join("\u{1e}");
            }
        }
    }

    /// Emits `intent` with `request` (JSON text) and an ack, and returns what the ack carries.
    async fn intent(&mut self, request: &str) -> Value {
        let id = self.next_ack;
        self.next_ack += 1;
        self.send(&format!("42{NS},{id}[\"intent\",{request}]"))
            .await;
        let answer = self.packets().await;
        let prefix = format!("43{NS},{id}");
        let Some(args) = answer.strip_prefix(&prefix) else {
            panic!("expected the ack {id}, got {answer}");
        };
        let mut args: Vec<Value> = serde_json::from_str(args).unwrap();
        assert_eq!(args.len(), 1, "one answer: {answer}");
        args.remove(0)
    }
}

fn error(text: &str) -> Value {
    json!({ "error": text })
}

#[tokio::test]
async fn server_and_view_intents_answer_over_the_intents_socket() {
    let server = serve(App::discover().unwrap()).await;
    let mut client = Client::connect(server.addr).await;

    let echo = r#"{"category":"com.rain.test.general","action":"ECHO","context":{"text":"hi"}}"#;
    assert_eq!(
        client.intent(echo).await,
        json!({ "value": { "echoed": "hi", "by": null } })
    );
    assert_eq!(
        client
            .intent(r#"{"category":"com.rain.test.general","action":"SHOW"}"#)
            .await,
        json!({ "view": { "moduleId": "desk-1.0", "view": "index" } })
    );
    assert_eq!(
        client
            .intent(r#"{"category":"com.rain.test.general","action":"NOTHING"}"#)
            .await,
        json!({ "value": null })
    );
    // Other fields of the request are ignored.
    let extra =
        r#"{"category":"com.rain.test.general","action":"ECHO","context":{"text":"x"},"v":2}"#;
    assert_eq!(client.intent(extra).await["value"]["echoed"], "x");
}

#[tokio::test]
async fn every_refusal_is_an_error_answer_and_the_socket_keeps_serving() {
    let mut limits = rain_core::Limits::default();
    limits.intent_context_bytes = 64;
    let server = serve(App::discover().unwrap().limits(limits)).await;
    let mut client = Client::connect(server.addr).await;

    for (request, expected) in [
        (
            r#"{"category":"com.rain.test.general","action":"NOPE"}"#,
            "no intent for category `com.rain.test.general` and action `NOPE`",
        ),
        (
            r#"{"action":"ECHO"}"#,
            "the intent request has no `category`; expected a non-empty string",
        ),
        (
            r#"{"category":"com.rain.test.general","action":""}"#,
            "the intent request's `action` is empty; expected a non-empty string",
        ),
        (
            r#""ECHO""#,
            "an intent request is an object `{ category, action, context }`, not a string",
        ),
        (
            r#"{"category":"com.rain.test.general","action":"FAIL"}"#,
            "the desk is closed",
        ),
        (
            r#"{"category":"com.rain.test.general","action":"GUARDED"}"#,
            "the counter is closed",
        ),
        (
            r#"{"category":"com.rain.test.general","action":"PANIC"}"#,
            "internal error",
        ),
    ] {
        assert_eq!(client.intent(request).await, error(expected), "{request}");
    }

    let wrong = r#"{"category":"com.rain.test.general","action":"ECHO","context":{"txt":"hi"}}"#;
    let answer = client.intent(wrong).await;
    let refused = answer["error"].as_str().unwrap();
    assert!(
        refused.starts_with("intent context refused: missing field `text`"),
        "{answer}"
    );

    let text = "x".repeat(100);
    let huge = format!(
        r#"{{"category":"com.rain.test.general","action":"ECHO","context":{{"text":"{text}"}}}}"#
    );
    assert_eq!(
        client.intent(&huge).await,
        error("intent context is 111 bytes, over the limit of 64")
    );

    // After a panic and every refusal, the same socket is still answered.
    let echo = r#"{"category":"com.rain.test.general","action":"ECHO","context":{"text":"hi"}}"#;
    assert_eq!(client.intent(echo).await["value"]["echoed"], "hi");
}

#[tokio::test]
async fn an_intent_without_an_ack_is_not_answered_and_intents_are_counted() {
    let server = serve(App::discover().unwrap()).await;
    let mut client = Client::connect(server.addr).await;
    client
        .send(&format!(
            "42{NS},[\"intent\",{{\"category\":\"com.rain.test.general\",\"action\":\"PANIC\"}}]"
        ))
        .await;
    // The next packet is the next ack: nothing was sent for the intent without one.
    assert_eq!(
        client
            .intent(r#"{"category":"com.rain.test.general","action":"SHOW"}"#)
            .await["view"]["view"],
        "index"
    );
    client.intent(r#"{"category":"x","action":"y"}"#).await;
    client.intent("[]").await;

    let (status, metrics) = http(server.addr, "GET", "/rain/metrics", "").await;
    assert_eq!(status, 200);
    for line in [
        "rain_intents_total{category=\"com.rain.test.general\",action=\"SHOW\",outcome=\"view\"} 1\n",
        // Not run: the intent without an ack is not counted.
        "rain_intents_total{category=\"com.rain.test.general\",action=\"PANIC\",outcome=\"panic\"} 0\n",
        "rain_intents_total{category=\"\",action=\"\",outcome=\"unknown\"} 1\n",
        "rain_intents_total{category=\"\",action=\"\",outcome=\"invalid\"} 1\n",
        "rain_connections_opened_total{module_id=\"rain\",socket=\"intents\"} 1\n",
    ] {
        assert!(metrics.contains(line), "`{line}` missing from:\n{metrics}");
    }
    // What clients send never becomes a label.
    assert!(!metrics.contains("category=\"x\""), "{metrics}");
}

#[tokio::test]
async fn an_app_without_intents_has_no_intents_socket() {
    let registry = rain_core::Registry::discover()
        .unwrap()
        .with_intents([])
        .unwrap();
    let server = serve(App::new(registry)).await;
    let (_, open) = http(
        server.addr,
        "GET",
        "/socket.io/?EIO=4&transport=polling",
        "",
    )
    .await;
    let open: Value = serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
    let target = format!(
        "/socket.io/?EIO=4&transport=polling&sid={}",
        open["sid"].as_str().unwrap()
    );
    http(server.addr, "POST", &target, &format!("40{NS},")).await;
    // The server pings as the session opens: pings are left out.
    let refused = loop {
        let (_, body) = http(server.addr, "GET", &target, "").await;
        let packets: Vec<&str> = body.split('\u{1e}').filter(|p| *p != "2").collect();
        if !packets.is_empty() {
            break packets.join("\u{1e}");
        }
    };
    assert!(refused.starts_with(&format!("44{NS},")), "{refused}");
}

#[test]
fn intents_are_found_with_their_components() {
    let registry = rain_core::Registry::discover().unwrap();
    let found: Vec<(&str, Option<&str>, Option<&str>)> = registry
        .intents()
        .iter()
        .map(|i| (i.action(), i.handler(), i.view()))
        .collect();
    assert_eq!(
        found,
        [
            ("ECHO", Some("echo"), None),
            ("FAIL", Some("fail"), None),
            ("GUARDED", Some("guarded"), None),
            ("NOTHING", Some("nothing"), None),
            ("PANIC", Some("panic"), None),
            ("SHOW", None, Some("index")),
        ]
    );
    let show = registry.intent("com.rain.test.general", "SHOW").unwrap();
    assert_eq!(show.module_id(), "desk-1.0");
    assert_eq!(show.doc(), "Shows the desk.");
    assert!(show.location().file.ends_with("intents.rs"));
    assert_eq!(registry.intents_of("desk-1.0").count(), 6);
    let json = serde_json::to_value(show).unwrap();
    assert_eq!(
        (&json["moduleId"], &json["view"], &json["handler"]),
        (&json!("desk-1.0"), &json!("index"), &Value::Null)
    );
    let echo = serde_json::to_value(&registry.intents()[0]).unwrap();
    assert_eq!(
        (&echo["category"], &echo["action"], &echo["handler"]),
        (
            &json!("com.rain.test.general"),
            &json!("ECHO"),
            &json!("echo")
        )
    );
    assert!(echo["location"]["line"].is_u64(), "{echo}");
    assert!(registry.intent("com.rain.test.general", "NOPE").is_none());
}

#[test]
fn a_zero_context_limit_is_refused_when_the_router_is_built() {
    let mut limits = rain_core::Limits::default();
    limits.intent_context_bytes = 0;
    let error = App::discover()
        .unwrap()
        .limits(limits)
        .router()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "limit `intent_context_bytes`: must be at least 1 byte: every intent with a context \
         would be refused"
    );
}

#[test]
fn a_view_intent_naming_a_view_its_component_lacks_is_a_startup_error() {
    use rain_core::__private::{ComponentKey, IntentProvider, IntentRegistration, Location};
    static MISSING: [IntentRegistration; 1] = [IntentRegistration {
        component: ComponentKey {
            name: "desk",
            version: "1.0",
        },
        category: "com.rain.test.general",
        action: "LIST",
        doc: "",
        location: Location {
            file: "tests/intents.rs",
            line: 1,
            column: 1,
        },
        guards: &[],
        provider: IntentProvider::View {
            view: "list",
            name: "LIST",
        },
    }];
    let error = rain_core::Registry::discover()
        .unwrap()
        .with_intents(&MISSING)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "view intent `com.rain.test.general` `LIST` at tests/intents.rs:1:1 shows view `list` of \
         `desk-1.0`, which has no such view; its views: `index`"
    );
}
