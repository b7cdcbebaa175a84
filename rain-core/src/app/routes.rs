//! The app's own HTTP routes: `/rain/sockets`, `/rain`, `/rain/metrics`, the bindings, the views
//! the runtime mounts (`/rain/views/...`), and the components' files and views.

use std::sync::{Arc, OnceLock};

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};
use serde::Serialize;

use super::{
    assets::{Asset, checked_path},
    bindings::{self},
    introspection,
    page::{Page, ViewParts},
};
use crate::{
    base::{
        adapter::SocketIo,
        engine::EngineSettings,
        limits::Limits,
        metrics::{self, Metrics},
    },
    registry::{
        INTENTS_SOCKET, Location, RAIN_MODULE_ID, Registry, intents_namespace,
        settings::ShownLimits,
    },
};

/// What every request handler shares.
pub(super) struct Shared {
    pub(super) registry: Arc<Registry>,
    /// The pages, each view's component resolved to its module id.
    pub(super) pages: Vec<(String, Page)>,
    /// The engine's path and transports, which pages tell the runtime.
    pub(super) engine: EngineSettings,
    /// What this server measures, served at `/rain/metrics` and shown at `/rain`.
    pub(super) metrics: Arc<Metrics>,
    /// The server's sockets, whose live counts `/rain` and `/rain/metrics` show.
    pub(super) io: SocketIo,
    /// The app's limits, under which `/rain` and `/rain/sockets` show each socket's own.
    pub(super) limits: Limits,
    /// `bindings.js` and `bindings.d.ts`, generated on first request: an app with many sockets
    /// starts without paying for TypeScript it may never serve.
    pub(super) bindings: OnceLock<Result<[Asset; 2], String>>,
}

impl Shared {
    /// Serves one of the generated bindings files (0: `.js`, 1: `.d.ts`).
    pub(super) fn bindings(&self, index: usize, headers: &HeaderMap) -> Response {
        let generated = self.bindings.get_or_init(|| {
            bindings::generate(&self.registry)
                .map(|b| {
                    [
                        generated("bindings.js", b.js),
                        generated("bindings.d.ts", b.dts),
                    ]
                })
                .map_err(|error| {
                    tracing::error!(%error, "client bindings not generated");
                    error.to_string()
                })
        });
        match generated {
            Ok(files) => files[index].respond(headers),
            Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.clone()).into_response(),
        }
    }
}

pub(super) type SharedState = State<Arc<Shared>>;

/// A generated file, served and revalidated like the embedded ones.
pub(super) fn generated(name: &str, text: String) -> Asset {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(text.as_bytes()).into();
    Asset::new(name, text.into_bytes().into(), hash)
}

/// One entry of `GET /rain/sockets`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SocketInfo<'a> {
    module_id: &'a str,
    name: &'a str,
    namespace: &'a str,
    handler: &'a str,
    location: Location,
    /// The socket's event rate, burst and idle timeout, each `{ value, from }`, `from` being
    /// `"socket"` (set on its `#[websocket]`) or `"app"`.
    limits: ShownLimits,
}

/// `GET /rain/sockets`: every socket, sorted by namespace; then, when the app declares intents,
/// Rain's intents socket with the intents it answers.
pub(super) async fn sockets_json(State(shared): SharedState) -> Response {
    let sockets: Vec<SocketInfo<'_>> = shared
        .registry
        .sockets()
        .iter()
        .map(|s| SocketInfo {
            module_id: s.module_id(),
            name: s.name(),
            namespace: s.namespace(),
            handler: s.handler(),
            location: s.location(),
            limits: s.shown_limits(&shared.limits),
        })
        .collect();
    let mut listed: Vec<Listed<'_>> = sockets.into_iter().map(Listed::Socket).collect();
    let intents = shared.registry.intents();
    if !intents.is_empty() {
        listed.push(Listed::Intents {
            module_id: RAIN_MODULE_ID,
            name: INTENTS_SOCKET,
            namespace: intents_namespace(),
            intents,
        });
    }
    Json(listed).into_response()
}

/// One entry of `/rain/sockets`: a component's socket, or Rain's intents socket, each with its
/// fields in the order written here.
#[derive(Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
enum Listed<'a> {
    Socket(SocketInfo<'a>),
    Intents {
        module_id: &'static str,
        name: &'static str,
        namespace: String,
        intents: &'a [crate::registry::Intent],
    },
}

/// `GET /rain`: the components, their sockets and events, and the live connection counts.
pub(super) async fn introspection_page(State(shared): SharedState) -> Html<String> {
    Html(introspection::render(
        &shared.registry,
        &shared.pages,
        &shared.io,
        &shared.limits,
    ))
}

/// `GET /rain/metrics`: every metric, in the Prometheus text format.
pub(super) async fn metrics_text(State(shared): SharedState) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        shared.metrics.render(&shared.io),
    )
        .into_response()
}

/// `GET /{module id}/{path}`: a view rendered as a page (`/chat-1.0/index`) or a component file.
pub(super) async fn component_file(
    State(shared): SharedState,
    Path((module_id, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(component) = shared.registry.component(&module_id) else {
        return (StatusCode::NOT_FOUND, "no such component").into_response();
    };
    if !path.contains(['.', '/']) && component.asset(&format!("views/{path}.html")).is_some() {
        let page = Page::new(format!("{module_id} {path}")).view(module_id, path);
        return Html(page.render(&shared.registry, &shared.engine, &shared.limits)).into_response();
    }
    match checked_path(&path).and_then(|p| component.asset(p)) {
        Some(file) => Asset::embedded(&path, file).respond(&headers),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// A view as the runtime mounts it at run time.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MountedView {
    module_id: String,
    view: String,
    #[serde(flatten)]
    parts: ViewParts,
}

/// `GET /rain/views/{component}/{view}`: one view as the runtime mounts it
/// (`viewContext.insert`), its component named as a page names it (a module id, `chat@1` or
/// `chat`): `{ moduleId, view, html, css, controller }`, the last two URLs or null; `404` with
/// `{ error }` for a component or view that does not exist.
pub(super) async fn mounted_view(
    State(shared): SharedState,
    Path((reference, view)): Path<(String, String)>,
) -> Response {
    let not_found = |error: String| {
        (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": error })),
        )
            .into_response()
    };
    let component = match shared.registry.lookup(&reference) {
        Ok(component) => component,
        Err(error) => return not_found(error.to_string()),
    };
    let views = component.views();
    if !views.contains(&view) {
        let known: Vec<String> = views.iter().map(|v| format!("`{v}`")).collect();
        return not_found(format!(
            "component `{}` has no view `{view}`; its views: {}",
            component.module_id(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    Json(MountedView {
        module_id: component.module_id().to_owned(),
        parts: ViewParts::of(component, &view),
        view,
    })
    .into_response()
}
