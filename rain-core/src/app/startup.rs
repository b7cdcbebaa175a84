//! The table an app prints when it starts.

use std::net::SocketAddr;

use super::builder::App;
use crate::registry::names::{INTENTS_SOCKET, RAIN_MODULE_ID, intents_namespace};

impl App {
    /// The table printed at startup: every component, its sockets and namespaces, the intents
    /// socket when the app declares intents, the pages, and where to watch the app (`/rain`,
    /// `/rain/metrics`).
    pub fn startup_table(&self, addr: SocketAddr) -> String {
        let mut rows = vec![[
            "component".to_owned(),
            "socket".to_owned(),
            "namespace / page".to_owned(),
        ]];
        for component in self.registry.components() {
            let id = component.module_id();
            for socket in self.registry.sockets_of(id) {
                rows.push([
                    id.to_owned(),
                    socket.name().to_owned(),
                    socket.namespace().to_owned(),
                ]);
            }
            for view in component.views() {
                rows.push([
                    id.to_owned(),
                    String::new(),
                    format!("http://{addr}/{id}/{view}"),
                ]);
            }
        }
        let intents = self.registry.intents().len();
        if intents > 0 {
            let plural = if intents == 1 { "intent" } else { "intents" };
            rows.push([
                RAIN_MODULE_ID.to_owned(),
                INTENTS_SOCKET.to_owned(),
                format!("{} ({intents} {plural})", intents_namespace()),
            ]);
        }
        for (path, _) in &self.pages {
            rows.push([
                "(page)".to_owned(),
                String::new(),
                format!("http://{addr}{path}"),
            ]);
        }
        for (what, path) in [("(introspection)", "/rain"), ("(metrics)", "/rain/metrics")] {
            rows.push([
                what.to_owned(),
                String::new(),
                format!("http://{addr}{path}"),
            ]);
        }
        let widths: Vec<usize> = (0..3)
            .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        rows.iter()
            .map(|r| {
                format!(
                    "{:w0$}  {:w1$}  {}",
                    r[0],
                    r[1],
                    r[2],
                    w0 = widths[0],
                    w1 = widths[1]
                )
                .trim_end()
                .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
