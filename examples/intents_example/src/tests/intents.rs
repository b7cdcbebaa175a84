//! RAIN's intents in the example: the server intent `INLINE_LOGGING` of the intents example and
//! the view intent `SHOW` of chat 1.0, sent over `/rain/intents` as a page's runtime sends them,
//! with and without a logged-in user; and where they are shown (`/rain`, the bindings).

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::{app, get, router};

const NS: &str = "/rain/intents";
const SECRET: &str = "the example's test secret, 32 bytes or more";

/// Sends one request, with `cookie` when given; the status and the body.
async fn send(
    router: &Router,
    method: &str,
    uri: &str,
    body: &str,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if method == "POST" {
        request = request.header(header::CONTENT_TYPE, "text/plain;charset=UTF-8");
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// An Engine.IO long-polling session connected to `/rain/intents`, presenting `cookie`.
struct Page {
    router: Router,
    uri: String,
    cookie: Option<String>,
    acks: u32,
}

impl Page {
    async fn open(router: &Router, cookie: Option<String>) -> Self {
        let (status, open) = send(
            router,
            "GET",
            "/socket.io/?EIO=4&transport=polling",
            "",
            cookie.as_deref(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{open}");
        let open: Value = serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
        let uri = format!(
            "/socket.io/?EIO=4&transport=polling&sid={}",
            open["sid"].as_str().unwrap()
        );
        let page = Self {
            router: router.clone(),
            uri,
            cookie,
            acks: 0,
        };
        page.post(&format!("40{NS},")).await;
        let connected = page.poll().await;
        assert!(connected.starts_with(&format!("40{NS},")), "{connected}");
        page
    }

    async fn post(&self, packet: &str) {
        let (status, body) = send(
            &self.router,
            "POST",
            &self.uri,
            packet,
            self.cookie.as_deref(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn poll(&self) -> String {
        loop {
            let (status, body) =
                send(&self.router, "GET", &self.uri, "", self.cookie.as_deref()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let packets: Vec<&str> = body.split('\u{1e}').filter(|p| *p != "2").collect();
            if body.split('\u{1e}').any(|p| p == "2") {
                self.post("3").await;
            }
            if !packets.is_empty() {
                return packets.join("\u{1e}");
            }
        }
    }

    /// `sendIntent`: the answer the ack carries.
    async fn send_intent(&mut self, request: Value) -> Value {
        self.acks += 1;
        let id = self.acks;
        self.post(&format!("42{NS},{id}[\"intent\",{request}]"))
            .await;
        let ack = self.poll().await;
        let args = ack
            .strip_prefix(&format!("43{NS},{id}"))
            .unwrap_or_else(|| panic!("expected ack {id}: {ack}"));
        let [answer]: [Value; 1] = serde_json::from_str(args).unwrap();
        answer
    }
}

fn logging(message: &str) -> Value {
    json!({
        "category": "com.rain.test.general",
        "action": "com.rain.test.serverside.INLINE_LOGGING",
        "context": { "message": message },
    })
}

#[tokio::test]
async fn the_server_intent_logs_and_answers_with_who_sent_it() {
    let app = app().await.session_secret(SECRET).unwrap();
    let router = app.router().unwrap();

    let mut anonymous = Page::open(&router, None).await;
    assert_eq!(
        anonymous.send_intent(logging("hello")).await,
        json!({ "value": { "logged": "hello", "by": null } })
    );

    // The cookie `POST /login` would set.
    let token = rain_core::session::Sessions::new(SECRET)
        .unwrap()
        .token_for(rain_core::session::User::new("ada", "Ada"));
    let mut logged_in = Page::open(&router, Some(format!("rain_session={token}"))).await;
    assert_eq!(
        logged_in.send_intent(logging("hi")).await,
        json!({ "value": { "logged": "hi", "by": "Ada" } })
    );
}

#[tokio::test]
async fn the_view_intent_answers_chat_2_0s_index_view() {
    let router = router().await;
    let mut page = Page::open(&router, None).await;
    let show = json!({ "category": "com.rain.test.general", "action": "com.rain.test.chat.SHOW" });
    assert_eq!(
        page.send_intent(show).await,
        json!({ "view": { "moduleId": "chat-2.0", "view": "index" } })
    );
    // The view the answer names is one the runtime can mount.
    let (status, _, mounted) = get(&router, "/rain/views/chat-2.0/index").await;
    assert_eq!(status, StatusCode::OK, "{mounted}");

    let unknown = json!({ "category": "com.rain.test.general", "action": "com.rain.test.NOPE" });
    assert_eq!(
        page.send_intent(unknown).await,
        json!({ "error": "no intent for category `com.rain.test.general` and action `com.rain.test.NOPE`" })
    );
    let wrong = json!({
        "category": "com.rain.test.general",
        "action": "com.rain.test.serverside.INLINE_LOGGING",
        "context": { "text": "hi" },
    });
    let refused = page.send_intent(wrong).await;
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .starts_with("intent context refused: missing field `message`"),
        "{refused}"
    );
}

#[tokio::test]
async fn intents_are_listed_on_rain_and_typed_in_the_bindings() {
    let (status, _, html) = get(&router().await, "/rain").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "3 components, 3 sockets, 2 intents,",
        "<tr class=\"intent\" data-category=\"com.rain.test.general\" \
         data-action=\"com.rain.test.serverside.INLINE_LOGGING\">",
        "server function <code>do_logging</code>",
        "<tr class=\"intent\" data-category=\"com.rain.test.general\" \
         data-action=\"com.rain.test.chat.SHOW\">",
        "view <a href=\"/chat-2.0/index\"><code>index</code></a>",
    ] {
        assert!(
            html.contains(expected),
            "`{expected}` missing from:\n{html}"
        );
    }

    let bindings = app().await.bindings().unwrap();
    for line in [
        "        \"com.rain.test.serverside.INLINE_LOGGING\": { context: LogRequest; answer: Logged };",
        "        \"com.rain.test.chat.SHOW\": { view: { moduleId: \"chat-2.0\"; view: \"index\" } };",
        "    sendIntent(request: IntentRequest<\"com.rain.test.general\", \
         \"com.rain.test.serverside.INLINE_LOGGING\"> & { intentContext: LogRequest }): \
         globalThis.Promise<Logged>;",
        "by: string | null",
    ] {
        assert!(bindings.dts.contains(line), "`{line}` missing");
    }
}
