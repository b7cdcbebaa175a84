//! The example tests itself in process: its pages, files and sockets through the app's `Router`.

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The example's app, its chat's history in a database of its own, in memory.
async fn app() -> rain_core::App {
    let history = crate::History::connect("sqlite::memory:").await.unwrap();
    crate::app(history).unwrap()
}

async fn router() -> Router {
    app().await.router().unwrap()
}

async fn get(router: &Router, uri: &str) -> (StatusCode, String, String) {
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn post(router: &Router, uri: &str, body: &str) -> StatusCode {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "text/plain;charset=UTF-8")
        .body(Body::from(body.to_owned()))
        .unwrap();
    router.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn lists_its_sockets() {
    let (status, content_type, body) = get(&router().await, "/rain/sockets").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    let sockets: serde_json::Value = serde_json::from_str(&body).unwrap();
    let namespaces: Vec<&str> = sockets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(
        namespaces,
        [
            "/chat-1.0/room",
            "/chat-2.0/room",
            "/intents-example-1.0/chat/dummy socket",
            "/rain/intents"
        ]
    );
    // Rain's intents socket comes last, with the intents it answers.
    let actions: Vec<&str> = sockets[3]["intents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "com.rain.test.chat.SHOW",
            "com.rain.test.serverside.INLINE_LOGGING"
        ]
    );
    assert_eq!(sockets[2]["moduleId"], "intents-example-1.0");
    assert_eq!(sockets[2]["name"], "chat/dummy socket");
    assert_eq!(sockets[2]["handler"], "dummy_socket");
    assert!(
        sockets[2]["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("lib.rs")
    );
    // No socket of the example sets its own limits: each has the app's.
    assert_eq!(
        sockets[2]["limits"],
        serde_json::json!({
            "eventRate": { "value": 50, "from": "app" },
            "eventBurst": { "value": 100, "from": "app" },
            "idleTimeoutMs": { "value": 1_800_000, "from": "app" },
            "recoverMs": { "value": null, "from": "app" },
        })
    );
}

#[tokio::test]
async fn main_page_shows_both_components() {
    let (status, content_type, body) = get(&router().await, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert!(
        body.contains(r#"data-rain-module="intents-example-1.0""#),
        "{body}"
    );
    assert!(body.contains(r#"data-rain-controller="/intents-example-1.0/client/index.js""#));
    assert!(body.contains(r#"data-rain-module="chat-1.0""#));
    assert!(body.contains(r#"data-itemid="btnCustomHandler""#));
    assert!(body.contains(r#"<script type="module" src="/rain/runtime.js"></script>"#));
    assert!(body.contains(r#""namespace":"/intents-example-1.0/chat/dummy socket""#));
}

#[tokio::test]
async fn each_view_has_a_page_of_its_own() {
    let (status, _, body) = get(&router().await, "/chat-1.0/index").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"data-rain-module="chat-1.0""#));
    assert!(
        !body.contains(r#"data-rain-module="intents-example-1.0""#),
        "{body}"
    );
}

#[tokio::test]
async fn serves_component_files_with_their_types() {
    let router = router().await;
    let (status, content_type, body) = get(&router, "/intents-example-1.0/client/index.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/javascript; charset=utf-8");
    assert!(body.contains("getWebSocket(\"chat/dummy socket\")"));
    let (status, content_type, _) = get(&router, "/chat-1.0/css/index.css").await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "text/css; charset=utf-8")
    );
    let (status, content_type, _) = get(&router, "/rain/runtime.js").await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "text/javascript; charset=utf-8")
    );
}

#[tokio::test]
async fn nothing_outside_a_component_folder_is_served() {
    let router = router().await;
    for uri in [
        "/intents-example-1.0/../Cargo.toml",
        "/intents-example-1.0/%2e%2e/Cargo.toml",
        "/intents-example-1.0/..%2fCargo.toml",
        "/intents-example-1.0/client/../../../Cargo.toml",
        "/intents-example-1.0//etc/passwd",
        "/../Cargo.toml",
        "/chat-1.0/..%5c..%5cCargo.toml",
        "/rain/..%2fCargo.toml",
        "/nowhere-1.0/index",
        "/intents-example-1.0/missing.js",
    ] {
        let (status, _, body) = get(&router, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
    }
}

/// The next packets the server sends on a long-polling session, pings answered and left out.
///
/// The server pings as soon as a session opens, then every interval: a ping may come before,
/// or with, any packet a test waits for.
async fn poll(router: &Router, uri: &str) -> String {
    loop {
        let (status, _, body) = get(router, uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut packets = Vec::new();
        for packet in body.split('\u{1e}') {
            if packet == "2" {
                assert_eq!(post(router, uri, "3").await, StatusCode::OK);
            } else {
                packets.push(packet);
            }
        }
        if !packets.is_empty() {
            return packets.join("\u{1e}");
        }
    }
}

/// Opens an Engine.IO long-polling session: the URI to poll it at and post to it.
async fn open_session(router: &Router) -> String {
    let (status, _, open) = get(router, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(status, StatusCode::OK, "{open}");
    let handshake: serde_json::Value =
        serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
    format!(
        "/socket.io/?EIO=4&transport=polling&sid={}",
        handshake["sid"].as_str().unwrap()
    )
}

/// `hello` on `chat/dummy socket` is answered with `bye`, over Engine.IO long-polling.
#[tokio::test]
async fn dummy_socket_answers_hello_with_bye() {
    let router = router().await;
    let uri = open_session(&router).await;
    let ns = "/intents-example-1.0/chat/dummy socket";

    assert_eq!(
        post(&router, &uri, &format!("40{ns},")).await,
        StatusCode::OK
    );
    let connected = poll(&router, &uri).await;
    assert!(
        connected.starts_with(&format!("40{ns},{{\"sid\":")),
        "{connected}"
    );

    assert_eq!(
        post(
            &router,
            &uri,
            &format!("42{ns},[\"hello\",{{\"ignored\":true}}]")
        )
        .await,
        StatusCode::OK
    );
    let bye = poll(&router, &uri).await;
    assert_eq!(
        bye,
        format!("42{ns},[\"bye\",{{\"message\":\"Hello sir\"}}]")
    );
}

/// The bindings committed next to the controllers: the golden files, reviewed like code.
const BINDINGS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/components/intents-example/client/rain"
);

/// Regenerate with `cargo run -p intents-example -- bindings write
/// examples/intents_example/components/intents-example/client/rain`.
#[tokio::test]
async fn committed_bindings_are_up_to_date() {
    if let Err(error) = app().await.check_bindings(BINDINGS) {
        panic!("{error}");
    }
}

#[tokio::test]
async fn serves_the_committed_bindings() {
    let router = router().await;
    for (file, expected_type) in [
        ("bindings.js", "text/javascript; charset=utf-8"),
        ("bindings.d.ts", "application/typescript; charset=utf-8"),
    ] {
        let (status, content_type, body) = get(&router, &format!("/rain/{file}")).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(content_type, expected_type, "{file}");
        let committed = std::fs::read_to_string(format!("{BINDINGS}/{file}")).unwrap();
        assert!(
            body == committed,
            "/rain/{file} differs from {BINDINGS}/{file}"
        );
    }
}

#[tokio::test]
async fn bindings_type_the_declared_events() {
    let bindings = app().await.bindings().unwrap();
    assert!(bindings.js.contains(
        r#"chatDummySocket: () => getWebSocket("intents-example-1.0", "chat/dummy socket"),"#
    ));
    for line in [
        r#""bye": (payload: Bye) => void;"#,
        r#""hello": (payload: Hello) => void;"#,
        r#""whoami": (payload: null, ack: (reply: Identity) => void) => void;"#,
        "ignored?: boolean",
        "socketId: string",
        "export type ChatV1_0Room = RainSocket<UntypedEvents, UntypedEvents>;",
        "export type ChatV2_0Room = RainSocket<UntypedEvents, UntypedEvents>;",
        "chatDummySocket(): IntentsExampleChatDummySocket;",
        // The name alone is the latest version, as a reference by name is.
        "export declare const chat: typeof chatV2_0;",
    ] {
        assert!(bindings.dts.contains(line), "`{line}` missing");
    }
    for line in [
        r#"room: () => getWebSocket("chat-1.0", "room"),"#,
        r#"room: () => getWebSocket("chat-2.0", "room"),"#,
        "export const chatV1_0 = Object.freeze({",
        "export const chat = chatV2_0;",
    ] {
        assert!(bindings.js.contains(line), "`{line}` missing");
    }
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempFolder(std::path::PathBuf);

impl TempFolder {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "rain-{name}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        Self(path)
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn stale_bindings_fail_the_check_with_a_diff() {
    let app = app().await;
    let folder = TempFolder::new("stale-bindings");
    app.write_bindings(&folder.0).unwrap();
    app.check_bindings(&folder.0).unwrap();

    let dts = folder.0.join("bindings.d.ts");
    let text = std::fs::read_to_string(&dts).unwrap();
    let old = r#"    "bye": (payload: Bye) => void;"#;
    assert!(text.contains(old));
    std::fs::write(
        &dts,
        text.replace(old, r#"    "bye": (payload: Hello) => void;"#),
    )
    .unwrap();

    let error = app.check_bindings(&folder.0).unwrap_err();
    let rain_core::Error::StaleBindings {
        folder: named,
        diff,
    } = &error
    else {
        panic!("expected stale bindings, got {error}");
    };
    assert_eq!(named, &folder.0.display().to_string());
    // A unified diff of the one file that changed: from what is there to what should be.
    assert!(diff.contains("bindings.d.ts"), "{diff}");
    assert!(!diff.contains("bindings.js"), "{diff}");
    assert!(diff.contains("\n@@ "), "{diff}");
    assert!(
        diff.contains(r#"-    "bye": (payload: Hello) => void;"#),
        "{diff}"
    );
    assert!(
        diff.contains(r#"+    "bye": (payload: Bye) => void;"#),
        "{diff}"
    );
    assert_eq!(
        diff.lines().filter(|l| l.starts_with(['-', '+'])).count(),
        4,
        "only the headers and the one line: {diff}"
    );
    assert!(error.to_string().contains("bindings write"), "{error}");

    std::fs::remove_file(folder.0.join("bindings.js")).unwrap();
    let error = app.check_bindings(&folder.0).unwrap_err();
    assert!(
        error.to_string().contains("+export const intentsExample"),
        "{error}"
    );
}

mod intents;
mod observability;
mod sockets;
mod versions;

/// `POST /login` answers with a redirect and the signed session cookie; `POST /logout` with a new
/// one that names nobody (the HTTP side reads it back through `rain_core::session::User`).
#[tokio::test]
async fn login_form_sets_the_session_cookie() {
    let app = app()
        .await
        .session_secret("the example's test secret, 32 bytes or more")
        .unwrap();
    let sessions =
        rain_core::session::Sessions::new("the example's test secret, 32 bytes or more").unwrap();
    let router = app.router().unwrap();
    let form = |uri: &str, body: &str, cookie: Option<&str>| {
        let mut request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    };
    let cookie_of = |response: &axum::response::Response| {
        let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        set_cookie.split(';').next().unwrap().to_owned()
    };

    let response = router
        .clone()
        .oneshot(form("/login", "name=Ada", None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/");
    let cookie = cookie_of(&response);
    let token = cookie.strip_prefix("rain_session=").unwrap();
    let session = sessions.verify(token).unwrap();
    assert_eq!(session.user().unwrap().name, "Ada");

    let response = router
        .oneshot(form("/logout", "", Some(&cookie)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = cookie_of(&response);
    let token = cookie.strip_prefix("rain_session=").unwrap();
    let session = sessions.verify(token).unwrap();
    assert_eq!(session.user(), None);
}

/// The chat's sockets take the [`History`](crate::History): an app without one does not start,
/// and says what it lacks.
#[test]
fn the_app_without_a_history_does_not_start() {
    let error = rain_core::App::discover().unwrap().router().unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("takes `State<intents_example::history::History>`"),
        "{message}"
    );
    assert!(message.contains("socket `room` of `chat-1.0`"), "{message}");
}
