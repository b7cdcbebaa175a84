//! The app's shared state (`App::state`, `State<T>`): read in every kind of handler, and a
//! function that reads a state the app was not given stops the app at startup, naming both.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use axum::{body::Body, http::Request, routing::get};
use rain_core::{prelude::*, testing::TestServer};
use tower::ServiceExt as _;

/// A counter shared by every handler of the app.
#[derive(Clone, Default)]
struct Hits(Arc<AtomicU64>);

impl Hits {
    fn hit(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// What the intent reads.
#[derive(Clone)]
struct Motto(&'static str);

/// An alias, which the startup check sees through.
type MottoState = State<Motto>;

#[component(name = "counter", version = "1.0")]
mod counter {
    use super::*;

    /// Emits the count on connect; `hit` acks the next count, read in the event handler.
    #[websocket("hits")]
    async fn hits(socket: SocketRef, State(hits): State<Hits>) {
        socket.emit("count", &hits.hit()).ok();
        socket.on("hit", async |State(hits): State<Hits>| hits.hit());
        // No app of these tests has a `u16`: only this handler's run can tell.
        socket.on("port", async |State(port): State<u16>| port);
    }

    /// Open only while the motto is not `closed`, as its guard reads it.
    #[websocket("guarded", guard = motto_open)]
    async fn guarded(socket: SocketRef) {
        socket.on_disconnect(async |State(hits): State<Hits>| {
            hits.hit();
        });
    }

    /// Answers the motto.
    #[intent(category = "com.rain.test.general", action = "MOTTO")]
    async fn motto(motto: MottoState) -> String {
        motto.0.0.to_owned()
    }
}

fn motto_open(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    match ctx.state::<Motto>() {
        Ok(Motto("closed")) => Err("closed, says the motto".into()),
        Ok(_) => Ok(()),
        Err(missing) => Err(Refusal::new(missing.to_string())),
    }
}

fn app() -> App {
    App::discover()
        .unwrap()
        .route(
            "/hits",
            get(async |State(hits): State<Hits>| hits.hit().to_string()),
        )
        .route("/motto", get(async |State(motto): State<Motto>| motto.0))
        .route(
            "/missing",
            get(async |State(port): State<u16>| port.to_string()),
        )
}

async fn get_text(app: &App, path: &str) -> (u16, String) {
    let response = app
        .router()
        .unwrap()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[test]
fn a_socket_reading_a_state_the_app_lacks_stops_the_app_naming_both() {
    let error = app().state(Motto("rain")).router().unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "`hits`, the handler of socket `hits` of `counter-1.0` ({}:35:17), takes \
             `State<state::Hits>`, but the app has no `state::Hits`: give it one with \
             `App::state(..)` (see `rain_core::state`)",
            file!()
        )
    );
}

#[test]
fn an_intent_reading_a_state_the_app_lacks_stops_the_app_through_an_alias() {
    let error = app()
        .state(Hits::default())
        .router()
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!(
            "`motto`, the function of intent `com.rain.test.general` `MOTTO` of `counter-1.0` \
             ({}:52:25), takes `State<state::Motto>`, but the app has no `state::Motto`: give \
             it one with `App::state(..)` (see `rain_core::state`)",
            file!()
        )
    );
}

#[tokio::test]
async fn http_routes_read_the_states_and_share_them() {
    let hits = Hits::default();
    let app = app().state(hits.clone()).state(Motto("rain"));
    assert_eq!(get_text(&app, "/hits").await, (200, "1".to_owned()));
    assert_eq!(get_text(&app, "/hits").await, (200, "2".to_owned()));
    assert_eq!(hits.hit(), 3, "the route's value is the app's, not a copy");
    assert_eq!(get_text(&app, "/motto").await, (200, "rain".to_owned()));
    // A later value of a type replaces the earlier one.
    let app = app.state(Motto("sun"));
    assert_eq!(get_text(&app, "/motto").await, (200, "sun".to_owned()));
}

#[tokio::test]
async fn an_http_route_reading_a_state_the_app_lacks_answers_500_naming_it() {
    let app = app().state(Hits::default()).state(Motto("rain"));
    assert_eq!(
        get_text(&app, "/missing").await,
        (
            500,
            "the app has no state of type `u16`: give it one with `App::state(..)`".to_owned()
        )
    );
    assert_eq!(get_text(&app, "/hits").await.0, 200, "the app serves on");
}

#[tokio::test]
async fn an_event_handler_reading_a_state_the_app_lacks_acks_the_error_naming_it() {
    let server = TestServer::start(|| Ok(app().state(Hits::default()).state(Motto("rain"))))
        .await
        .unwrap();
    let page = server.client().connect().await.unwrap();
    let counter = page.socket("counter-1.0", "hits").await.unwrap();
    assert_eq!(counter.expect("count").await.unwrap(), json!(1));
    assert_eq!(
        counter.emit_with_ack("port", &()).await.unwrap(),
        json!({
            "error": "the app has no state of type `u16`: give it one with `App::state(..)`"
        }),
        "the state is named, not taken for the payload"
    );
    assert_eq!(
        counter.emit_with_ack("hit", &()).await.unwrap(),
        json!(2),
        "the socket answers on"
    );
}

#[tokio::test]
async fn sockets_events_intents_guards_and_disconnects_read_the_same_states() {
    let hits = Hits::default();
    let (given, motto) = (hits.clone(), Motto("rain"));
    let server = TestServer::start(move || Ok(app().state(given.clone()).state(motto.clone())))
        .await
        .unwrap();
    let page = server.client().connect().await.unwrap();
    let counter = page.socket("counter-1.0", "hits").await.unwrap();
    assert_eq!(
        counter.expect("count").await.unwrap(),
        json!(1),
        "read on connect"
    );
    assert_eq!(
        counter.emit_with_ack("hit", &()).await.unwrap(),
        json!(2),
        "read in an event"
    );
    let intents = page.socket("rain", "intents").await.unwrap();
    let answer = intents
        .emit_with_ack(
            "intent",
            &json!({ "category": "com.rain.test.general", "action": "MOTTO", "context": null }),
        )
        .await
        .unwrap();
    assert_eq!(answer, json!({ "value": "rain" }), "read in an intent");
    let guarded = page.socket("counter-1.0", "guarded").await.unwrap();
    guarded.disconnect().await;
    for _ in 0..100 {
        if hits.0.load(Ordering::SeqCst) == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        hits.0.load(Ordering::SeqCst),
        3,
        "read on disconnect, the app's own value"
    );
}

#[tokio::test]
async fn a_guard_reads_the_state_to_refuse() {
    let server = TestServer::start(|| Ok(app().state(Hits::default()).state(Motto("closed"))))
        .await
        .unwrap();
    let page = server.client().connect().await.unwrap();
    let refused = page.socket("counter-1.0", "guarded").await.unwrap_err();
    assert_eq!(refused.to_string(), "closed, says the motto");
}
