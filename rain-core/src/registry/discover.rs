//! The [`Registry`]: every component and socket linked into the binary, found once at startup.
//!
//! [`Registry::discover`] gathers the registrations, sorts them (link order is unspecified),
//! derives every module id and namespace (by the rules of [`names`](super::names)) and reports
//! duplicates with both source locations.

use std::fmt;

use super::{
    error::DiscoverError,
    events::EventDecl,
    names::{module_id, namespace},
    registration::{ComponentRegistration, Location, SocketRegistration},
    settings::ShownLimits,
};
use crate::{
    base::{
        adapter::SocketIo,
        limits::Limits,
        recovery::{Recoveries, RecoverySettings},
    },
    socket::{
        config::SocketConfig,
        mount::{Mount, ReadHandshake},
        recover::Owner,
    },
};

/// A component found at startup.
#[derive(Clone)]
pub struct Component {
    module_id: String,
    registration: &'static ComponentRegistration,
}

impl fmt::Debug for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Component")
            .field("module_id", &self.module_id)
            .field("location", &self.registration.location)
            .finish_non_exhaustive()
    }
}

impl Component {
    /// The module id: name + `-` + version.
    pub fn module_id(&self) -> &str {
        &self.module_id
    }

    /// The name given to `#[component(name = ...)]`.
    pub fn name(&self) -> &'static str {
        self.registration.key.name
    }

    /// The version given to `#[component(version = ...)]`.
    pub fn version(&self) -> &'static str {
        self.registration.key.version
    }

    /// The doc comment on the component's module, if any.
    pub fn doc(&self) -> &'static str {
        self.registration.doc
    }

    /// Where the component was declared.
    pub fn location(&self) -> Location {
        self.registration.location
    }

    /// Reads one of the component's embedded files by its path inside the component folder.
    pub(crate) fn asset(&self, path: &str) -> Option<rust_embed::EmbeddedFile> {
        self.registration
            .assets
            .and_then(|assets| (assets.get)(path))
    }

    /// The paths of all files the component embeds, sorted.
    pub fn asset_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .registration
            .assets
            .map(|assets| (assets.iter)().map(|p| p.into_owned()).collect())
            .unwrap_or_default();
        paths.sort();
        paths
    }

    /// The ids of the component's views: one per `views/<id>.html` file, sorted.
    pub fn views(&self) -> Vec<String> {
        self.asset_paths()
            .iter()
            .filter_map(|p| p.strip_prefix("views/")?.strip_suffix(".html"))
            .filter(|id| !id.contains('/'))
            .map(str::to_owned)
            .collect()
    }
}

/// A socket found at startup.
#[derive(Clone)]
pub struct Socket {
    module_id: String,
    namespace: String,
    registration: &'static SocketRegistration,
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("namespace", &self.namespace)
            .field("location", &self.registration.location)
            .finish_non_exhaustive()
    }
}

impl Socket {
    /// The module id of the component the socket belongs to.
    pub fn module_id(&self) -> &str {
        &self.module_id
    }

    /// The socket name, namespace path included (`chat/dummy socket`).
    pub fn name(&self) -> &'static str {
        self.registration.name
    }

    /// The Socket.IO namespace: `/<module id>/<socket name>`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The name of the Rust function that handles connections.
    pub fn handler(&self) -> &'static str {
        self.registration.handler
    }

    /// The doc comment on the handler, if any.
    pub fn doc(&self) -> &'static str {
        self.registration.doc
    }

    /// Where the socket was declared.
    pub fn location(&self) -> Location {
        self.registration.location
    }

    /// The socket's declared events, when its handler takes a
    /// [`TypedSocket`](crate::TypedSocket); `None` for an untyped socket.
    pub fn events(&self) -> Option<&'static [EventDecl]> {
        self.registration.events
    }

    /// The socket's event rate, burst and idle timeout under the app's `limits`, each with who
    /// set it.
    pub(crate) fn shown_limits(&self, limits: &Limits) -> ShownLimits {
        self.registration.settings.shown(limits)
    }

    /// Mounts the socket on `io` under the app's `limits` (with the socket's own settings in
    /// their place), as `mounting` says.
    pub(crate) fn mount(&self, io: &SocketIo, limits: &Limits, mounting: &Mounting<'_>) {
        // Resolved once here: each event reads only the socket's own rate bucket.
        let limits = self.registration.settings.limits(limits);
        let recovery = limits.recover.map(|window| {
            let settings = RecoverySettings {
                window,
                heartbeat: mounting.heartbeat,
                max_missed: limits.recovery_max_missed,
                max_missed_bytes: limits.recovery_max_missed_bytes,
                buffer_events: limits.recovery_buffer_events,
                buffer_bytes: limits.recovery_buffer_bytes,
            };
            mounting.recoveries.add(&self.namespace, settings)
        });
        let config = SocketConfig::new(
            self.module_id.clone(),
            self.registration.name,
            self.registration.guards,
            self.registration.event_guards,
            &limits,
            recovery,
        );
        let mount = Mount {
            namespace: self.namespace.clone(),
            config: std::sync::Arc::new(config),
            read_handshake: mounting.read_handshake,
            owner: mounting.owner,
        };
        (self.registration.mount)(io, mount);
    }
}

/// What mounting every socket of an app shares: how a handshake's session is read, who a client
/// is for a recovery, and the recovery logs with the heartbeat they wait out.
pub(crate) struct Mounting<'a> {
    /// Reads each handshake before the socket's guards run.
    pub(crate) read_handshake: ReadHandshake,
    /// Who a socket's client is, for a recovery.
    pub(crate) owner: Owner,
    /// Where a recoverable socket's log goes, for its namespace's adapter to find.
    pub(crate) recoveries: &'a Recoveries,
    /// The ping interval plus the ping timeout.
    pub(crate) heartbeat: std::time::Duration,
}

/// Every component and socket of the app, sorted by module id and socket name.
#[derive(Debug, Clone)]
pub struct Registry {
    components: Vec<Component>,
    sockets: Vec<Socket>,
}

impl Registry {
    /// Collects every `#[component]` and `#[websocket]` linked into the binary.
    ///
    /// ```no_run
    /// let registry = rain_core::Registry::discover()?;
    /// for socket in registry.sockets() {
    ///     println!("{} at {}", socket.namespace(), socket.location());
    /// }
    /// # Ok::<(), rain_core::DiscoverError>(())
    /// ```
    pub fn discover() -> Result<Self, DiscoverError> {
        Self::from_registrations(
            inventory::iter::<ComponentRegistration>,
            inventory::iter::<SocketRegistration>,
        )
    }

    /// Builds a registry from explicit registrations; [`Registry::discover`] passes the linked ones.
    #[doc(hidden)]
    pub fn from_registrations(
        components: impl IntoIterator<Item = &'static ComponentRegistration>,
        sockets: impl IntoIterator<Item = &'static SocketRegistration>,
    ) -> Result<Self, DiscoverError> {
        let mut components: Vec<Component> = components
            .into_iter()
            .map(|registration| Component {
                module_id: module_id(registration.key.name, registration.key.version),
                registration,
            })
            .collect();
        if components.is_empty() {
            return Err(DiscoverError::NoComponents);
        }
        components.sort_by(|a, b| (&a.module_id, a.location()).cmp(&(&b.module_id, b.location())));
        if let Some(pair) = components
            .windows(2)
            .find(|w| w[0].module_id == w[1].module_id)
        {
            return Err(DiscoverError::DuplicateComponent {
                module_id: pair[0].module_id.clone(),
                first: pair[0].location(),
                second: pair[1].location(),
            });
        }

        let mut found = Vec::new();
        for registration in sockets {
            let id = module_id(registration.component.name, registration.component.version);
            if components
                .binary_search_by(|c| c.module_id.as_str().cmp(&id))
                .is_err()
            {
                return Err(DiscoverError::MissingComponent {
                    module_id: id,
                    socket: registration.name,
                    location: registration.location,
                });
            }
            found.push(Socket {
                namespace: namespace(&id, registration.name),
                module_id: id,
                registration,
            });
        }
        found.sort_by(|a, b| (&a.namespace, a.location()).cmp(&(&b.namespace, b.location())));
        if let Some(pair) = found.windows(2).find(|w| w[0].namespace == w[1].namespace) {
            return Err(DiscoverError::DuplicateSocket {
                namespace: pair[0].namespace.clone(),
                first: pair[0].location(),
                second: pair[1].location(),
            });
        }
        Ok(Self {
            components,
            sockets: found,
        })
    }

    /// Every component, sorted by module id.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Every socket, sorted by namespace.
    pub fn sockets(&self) -> &[Socket] {
        &self.sockets
    }

    /// The component with this module id.
    pub fn component(&self, module_id: &str) -> Option<&Component> {
        self.components
            .binary_search_by(|c| c.module_id.as_str().cmp(module_id))
            .ok()
            .map(|i| &self.components[i])
    }

    /// The sockets of one component, sorted by name.
    pub fn sockets_of(&self, module_id: &str) -> &[Socket] {
        // Sorted by namespace, `/<module id>/<name>`: one component's sockets are contiguous.
        let prefix = format!("/{module_id}/");
        let start = self
            .sockets
            .partition_point(|s| s.namespace.as_str() < prefix.as_str());
        let len = self.sockets[start..].partition_point(|s| s.module_id == module_id);
        &self.sockets[start..start + len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{registration::ComponentKey, settings::SocketSettings};

    const fn location(line: u32) -> Location {
        Location {
            file: "src/lib.rs",
            line,
            column: 1,
        }
    }

    const fn component(
        name: &'static str,
        version: &'static str,
        line: u32,
    ) -> ComponentRegistration {
        ComponentRegistration {
            key: ComponentKey { name, version },
            doc: "",
            location: location(line),
            assets: None,
        }
    }

    const fn socket(name: &'static str, component: ComponentKey, line: u32) -> SocketRegistration {
        SocketRegistration {
            component,
            name,
            handler: "handler",
            doc: "",
            location: location(line),
            mount: |_, _| {},
            events: None,
            guards: &[],
            event_guards: &[],
            settings: SocketSettings::APP,
        }
    }

    const CHAT: ComponentKey = ComponentKey {
        name: "chat",
        version: "1.0",
    };
    const INTENTS: ComponentKey = ComponentKey {
        name: "intents-example",
        version: "1.0",
    };

    static COMPONENTS: [ComponentRegistration; 2] = [
        component("intents-example", "1.0", 10),
        component("chat", "1.0", 20),
    ];

    #[test]
    fn derives_module_ids_and_namespaces_and_sorts() {
        static SOCKETS: [SocketRegistration; 3] = [
            socket("room", CHAT, 30),
            socket("chat/dummy socket", INTENTS, 40),
            socket("a/b", CHAT, 50),
        ];
        let registry = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap();
        let ids: Vec<_> = registry
            .components()
            .iter()
            .map(|c| c.module_id())
            .collect();
        assert_eq!(ids, ["chat-1.0", "intents-example-1.0"]);
        let namespaces: Vec<_> = registry.sockets().iter().map(|s| s.namespace()).collect();
        assert_eq!(
            namespaces,
            [
                "/chat-1.0/a/b",
                "/chat-1.0/room",
                "/intents-example-1.0/chat/dummy socket"
            ]
        );
        assert_eq!(registry.sockets_of("chat-1.0").len(), 2);
        assert_eq!(registry.sockets_of("intents-example-1.0").len(), 1);
        assert!(registry.sockets_of("chat").is_empty());
        assert_eq!(registry.component("chat-1.0").unwrap().name(), "chat");
        assert!(registry.component("chat-2.0").is_none());
    }

    #[test]
    fn order_of_registration_does_not_matter() {
        static FORWARD: [SocketRegistration; 2] = [socket("b", CHAT, 1), socket("a", INTENTS, 2)];
        static BACKWARD: [SocketRegistration; 2] = [socket("a", INTENTS, 2), socket("b", CHAT, 1)];
        let one = Registry::from_registrations(&COMPONENTS, &FORWARD).unwrap();
        let two = Registry::from_registrations(COMPONENTS.iter().rev(), &BACKWARD).unwrap();
        let names = |r: &Registry| {
            r.sockets()
                .iter()
                .map(|s| s.namespace().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&one), names(&two));
    }

    #[test]
    fn empty_app_is_an_error_that_explains_linking() {
        let err = Registry::from_registrations([], []).unwrap_err();
        assert!(matches!(err, DiscoverError::NoComponents));
        assert!(err.to_string().contains("as _;"), "{err}");
    }

    #[test]
    fn duplicate_component_names_both_locations() {
        static TWICE: [ComponentRegistration; 2] =
            [component("chat", "1.0", 7), component("chat", "1.0", 3)];
        let err = Registry::from_registrations(&TWICE, []).unwrap_err();
        assert_eq!(
            err.to_string(),
            "two components have the module id `chat-1.0`: src/lib.rs:3:1 and src/lib.rs:7:1"
        );
    }

    #[test]
    fn duplicate_socket_names_both_locations() {
        static SOCKETS: [SocketRegistration; 2] =
            [socket("room", CHAT, 9), socket("room", CHAT, 4)];
        let err = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "two sockets have the namespace `/chat-1.0/room`: src/lib.rs:4:1 and src/lib.rs:9:1"
        );
    }

    #[test]
    fn socket_of_missing_component_is_an_error() {
        static SOCKETS: [SocketRegistration; 1] = [socket(
            "room",
            ComponentKey {
                name: "nowhere",
                version: "1.0",
            },
            5,
        )];
        let err = Registry::from_registrations(&COMPONENTS, &SOCKETS).unwrap_err();
        assert!(
            matches!(err, DiscoverError::MissingComponent { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("nowhere-1.0"), "{err}");
    }
}
