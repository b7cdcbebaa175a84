//! The example tests itself in process: its pages, files and sockets through the app's `Router`.

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn router() -> Router {
    crate::app().unwrap().router().unwrap()
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
    let (status, content_type, body) = get(&router(), "/rain/sockets").await;
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
        ["/chat-1.0/room", "/intents-example-1.0/chat/dummy socket"]
    );
    assert_eq!(sockets[1]["moduleId"], "intents-example-1.0");
    assert_eq!(sockets[1]["name"], "chat/dummy socket");
    assert_eq!(sockets[1]["handler"], "dummy_socket");
    assert!(
        sockets[1]["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("lib.rs")
    );
}

#[tokio::test]
async fn main_page_shows_both_components() {
    let (status, content_type, body) = get(&router(), "/").await;
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
    let (status, _, body) = get(&router(), "/chat-1.0/index").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"data-rain-module="chat-1.0""#));
    assert!(
        !body.contains(r#"data-rain-module="intents-example-1.0""#),
        "{body}"
    );
}

#[tokio::test]
async fn serves_component_files_with_their_types() {
    let router = router();
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
    let router = router();
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

/// `hello` on `chat/dummy socket` is answered with `bye`, over Engine.IO long-polling.
#[tokio::test]
async fn dummy_socket_answers_hello_with_bye() {
    let router = router();
    let (status, _, open) = get(&router, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(status, StatusCode::OK, "{open}");
    let handshake: serde_json::Value =
        serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
    let sid = handshake["sid"].as_str().unwrap();
    let uri = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    let ns = "/intents-example-1.0/chat/dummy socket";

    assert_eq!(
        post(&router, &uri, &format!("40{ns},")).await,
        StatusCode::OK
    );
    let (_, _, connected) = get(&router, &uri).await;
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
    let (_, _, bye) = get(&router, &uri).await;
    assert_eq!(
        bye,
        format!("42{ns},[\"bye\",{{\"message\":\"Hello sir\"}}]")
    );
}
