//! Full HTML pages made of component views.

use std::{borrow::Cow, fmt::Write as _};

use serde::Serialize;

use super::error::Error;
use crate::{
    base::{engine::EngineSettings, limits::Limits},
    registry::{
        Component, Registry, ResolveError,
        names::{
            INTENTS_SOCKET, RAIN_MODULE_ID, component_path, intents_namespace, split_reference,
        },
    },
};

/// A page made of component views, served at a path of its own by [`App::page`](crate::App::page).
///
/// Each view is the HTML fragment `views/<view>.html` of a component's folder. On the page it is
/// wrapped in an element that names its component instance; the runtime finds it there, loads the
/// view's controller (`client/<view>.js`) and gives it its `viewContext`.
///
/// A view's component is named by its module id (`chat-1.0`), or by its name and a version
/// fragment (`chat@1`: the latest `1.x`; `chat@1.3`: the latest `1.3.x`; `chat@1.5.2`: exactly
/// that one), or by its name alone (`chat`: its latest version), resolved when the app starts
/// ([`Registry::lookup`]). A module id always names its own component.
///
/// ```
/// use rain_core::Page;
///
/// let home = Page::new("Chat and intents")
///     .view("intents-example-1.0", "index")
///     .view("chat@1", "index");
/// ```
#[derive(Debug, Clone)]
pub struct Page {
    title: String,
    views: Vec<(String, String)>,
}

impl Page {
    /// An empty page with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            views: Vec::new(),
        }
    }

    /// Adds an instance of `view` of the component `component` (a module id, `name@fragment` or
    /// a name: see [`Page`]), below the ones already added.
    pub fn view(mut self, component: impl Into<String>, view: impl Into<String>) -> Self {
        self.views.push((component.into(), view.into()));
        self
    }

    /// The page's title.
    pub(crate) fn title(&self) -> &str {
        &self.title
    }

    /// The views shown, in order: (component as given, or its module id once resolved, view).
    pub(crate) fn views(&self) -> &[(String, String)] {
        &self.views
    }

    /// The page with each view's component resolved to its module id, once every view is known
    /// to exist, so that a typo fails at startup rather than on a request.
    pub(crate) fn resolve(&self, path: &str, registry: &Registry) -> Result<Self, Error> {
        let mut views = Vec::with_capacity(self.views.len());
        for (reference, view) in &self.views {
            let component = match registry.lookup(reference) {
                Ok(component) => component,
                Err(ResolveError::UnknownName { .. }) if split_reference(reference).is_none() => {
                    return Err(Error::UnknownComponent {
                        page: path.to_owned(),
                        module_id: reference.clone(),
                        known: list(
                            registry
                                .components()
                                .iter()
                                .map(|c| c.module_id().to_owned()),
                        ),
                    });
                }
                Err(source) => {
                    return Err(Error::UnresolvedComponent {
                        page: path.to_owned(),
                        reference: reference.clone(),
                        source,
                    });
                }
            };
            let module_id = component.module_id();
            let known = component.views();
            if !known.contains(view) {
                return Err(Error::UnknownView {
                    page: path.to_owned(),
                    module_id: module_id.to_owned(),
                    view: view.clone(),
                    known: list(known),
                });
            }
            views.push((module_id.to_owned(), view.clone()));
        }
        Ok(Self {
            title: self.title.clone(),
            views,
        })
    }

    /// Renders a page [resolved](Page::resolve) (each view's component named by its module id);
    /// a view whose component has no such module id is left out.
    ///
    /// The sockets' manifest carries the engine's path and transports, which the runtime
    /// connects with; beside it, the references by name the runtime resolves
    /// ([`Registry::socket_references`]).
    pub(crate) fn render(
        &self,
        registry: &Registry,
        engine: &EngineSettings,
        limits: &Limits,
    ) -> String {
        let mut head = String::new();
        let mut body = String::new();
        for (index, (module_id, view)) in self.views.iter().enumerate() {
            let Some(component) = registry.component(module_id) else {
                continue;
            };
            let parts = ViewParts::of(component, view);
            if let Some(href) = &parts.css {
                let _ = writeln!(
                    head,
                    r#"<link rel="stylesheet" href="{}">"#,
                    escape_html(href)
                );
            }
            let fragment = parts.html;
            let controller = parts
                .controller
                .map(|src| format!(r#" data-rain-controller="{}""#, escape_html(&src)))
                .unwrap_or_default();
            let _ = write!(
                body,
                "<div class=\"rain-component\" id=\"rain-instance-{index}\" data-rain-module=\"{}\" \
                 data-rain-instance=\"{}\" data-rain-view=\"{}\"{controller}>\n{fragment}\n</div>\n",
                escape_html(module_id),
                escape_html(&format!("{module_id}.{view}.{index}")),
                escape_html(view),
            );
        }
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n{head}\
             <script type=\"application/json\" id=\"rain-sockets\" data-engine-path=\"{path}\" \
             data-transports=\"{transports}\">{manifest}</script>\n\
             <script type=\"application/json\" id=\"rain-versions\">{versions}</script>\n\
             <script type=\"module\" src=\"/rain/runtime.js\"></script>\n</head>\n<body>\n{body}</body>\n</html>\n",
            title = escape_html(&self.title),
            manifest = script_json(&manifest(registry, limits)),
            versions = script_json(&registry.socket_references()),
            path = escape_html(&engine.client_path()),
            transports = engine.transports.names().join(","),
        )
    }
}

/// One view of a component, as a page shows it and the runtime mounts it
/// (`GET /rain/views/{component}/{view}`): its HTML fragment, and the URLs of its stylesheet and
/// controller where it has them.
#[derive(Serialize)]
pub(crate) struct ViewParts {
    pub(crate) html: String,
    pub(crate) css: Option<String>,
    pub(crate) controller: Option<String>,
}

impl ViewParts {
    /// `view` of `component`: `views/<view>.html`, `css/<view>.css`, `client/<view>.js`.
    pub(crate) fn of(component: &Component, view: &str) -> Self {
        let module_id = component.module_id();
        let url = |path: String| {
            component
                .asset(&path)
                .map(|_| component_path(module_id, &path))
        };
        Self {
            html: component
                .asset(&format!("views/{view}.html"))
                .map(|f| String::from_utf8_lossy(&f.data).into_owned())
                .unwrap_or_default(),
            css: url(format!("css/{view}.css")),
            controller: url(format!("client/{view}.js")),
        }
    }
}

/// One socket as the browser runtime knows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestSocket<'a> {
    module_id: &'a str,
    name: &'a str,
    namespace: Cow<'a, str>,
    /// The recovery window in milliseconds, on a recoverable socket: the runtime then waits for
    /// the socket's recovery announcement before it counts as connected.
    #[serde(skip_serializing_if = "Option::is_none")]
    recover: Option<u64>,
}

/// The component's sockets, and Rain's own `intents` socket (of the module id `rain`) when the
/// app declares an intent: `messaging.sendIntent` sends on it.
fn manifest<'a>(registry: &'a Registry, limits: &Limits) -> Vec<ManifestSocket<'a>> {
    let mut sockets: Vec<ManifestSocket<'a>> = registry
        .sockets()
        .iter()
        .map(|s| ManifestSocket {
            module_id: s.module_id(),
            name: s.name(),
            namespace: Cow::Borrowed(s.namespace()),
            recover: s.shown_limits(limits).recover_ms.value,
        })
        .collect();
    if !registry.intents().is_empty() {
        sockets.push(ManifestSocket {
            module_id: RAIN_MODULE_ID,
            name: INTENTS_SOCKET,
            namespace: Cow::Owned(intents_namespace()),
            recover: None,
        });
    }
    sockets
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| format!("`{i}`")).collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// Escapes text for an HTML text node or a double-quoted attribute.
///
/// Five replacements; a crate for them would add a dependency for less code than its import.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside a `<script>` element: no `</script>`, `<!--` or line separators.
fn script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .expect("manifest entries are plain strings")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    /// Chat 1.0 has a socket, chat 2.0 and `plain` none.
    #[test]
    fn the_table_of_references_has_every_version_of_the_names_with_sockets() {
        use crate::registry::{
            fixtures::{component, socket},
            registration::{ComponentRegistration, SocketRegistration},
        };
        static COMPONENTS: [ComponentRegistration; 3] = [
            component("chat", "1.0", 1),
            component("chat", "2.0", 2),
            component("plain", "1.0", 3),
        ];
        static SOCKETS: [SocketRegistration; 1] = [socket("room", COMPONENTS[0].key, 4)];
        let registry = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap();
        assert_eq!(
            script_json(&registry.socket_references()),
            r#"{"chat":"chat-2.0","chat@1":"chat-1.0","chat@1.0":"chat-1.0","chat@2":"chat-2.0","chat@2.0":"chat-2.0"}"#
        );
        let html =
            Page::new("Home").render(&registry, &EngineSettings::default(), &Limits::default());
        assert!(
            html.contains(
                "<script type=\"application/json\" id=\"rain-versions\">{\"chat\":\"chat-2.0\","
            ),
            "{html}"
        );
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let json = script_json(&["</script><!--", "\u{2028}"]);
        assert!(!json.contains('<') && !json.contains('>'), "{json}");
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ["</script><!--", "\u{2028}"]);
    }
}
