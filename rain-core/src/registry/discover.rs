//! The [`Registry`]: every component, socket and intent linked into the binary, found once at
//! startup.
//!
//! [`Registry::discover`] gathers the registrations, sorts them (link order is unspecified),
//! derives every module id and namespace (by the rules of [`names`](super::names)) and reports
//! duplicates with both source locations. A component is found by its module id
//! ([`Registry::component`]) or, among the versions of its name, by a version fragment
//! ([`Registry::resolve`], [`Registry::lookup`]: the rule of [`versions`](super::versions)).

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
};

use super::{
    error::DiscoverError,
    events::EventDecl,
    intents::{self, Intent},
    names::{module_id, namespace, reference, split_reference},
    registration::{ComponentRegistration, IntentRegistration, Location, SocketRegistration},
    settings::ShownLimits,
    versions::{self, ResolveError, fragments},
};
use crate::{
    base::{
        adapter::SocketIo,
        limits::Limits,
        recovery::{Recoveries, RecoverySettings},
        state::StateType,
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

    /// The types the handler reads with `State<T>`.
    pub(crate) fn states(&self) -> impl Iterator<Item = StateType> {
        self.registration
            .states
            .iter()
            .filter_map(|state_of| state_of())
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

/// Every component, socket and intent of the app, sorted by module id, namespace, and category
/// and action.
#[derive(Debug, Clone)]
pub struct Registry {
    components: Vec<Component>,
    sockets: Vec<Socket>,
    intents: Vec<Intent>,
}

impl Registry {
    /// Collects every `#[component]`, `#[websocket]` and `#[intent]` linked into the binary.
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
        )?
        .with_intents(inventory::iter::<IntentRegistration>)
    }

    /// This registry with the intents of `intents` instead of its own: an intent of a component
    /// that is not registered, two of one category and action, and a view intent naming a view
    /// its component does not have are errors naming where they were declared.
    #[doc(hidden)]
    pub fn with_intents(
        mut self,
        intents: impl IntoIterator<Item = &'static IntentRegistration>,
    ) -> Result<Self, DiscoverError> {
        let found = intents::collect(intents, |id| self.component(id).map(Component::views))?;
        self.intents = found;
        Ok(self)
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
        let mut by_version: Vec<&Component> = components.iter().collect();
        by_version.sort_by(|a, b| {
            (a.name().cmp(b.name())).then_with(|| versions::compare(a.version(), b.version()))
        });
        if let Some(pair) = by_version.windows(2).find(|w| {
            w[0].name() == w[1].name() && versions::compare(w[0].version(), w[1].version()).is_eq()
        }) {
            return Err(DiscoverError::SameVersion {
                name: pair[0].name(),
                first_module_id: pair[0].module_id.clone(),
                first: pair[0].location(),
                second_module_id: pair[1].module_id.clone(),
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
            intents: Vec::new(),
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

    /// The versions of the component `name`, sorted by module id.
    pub fn versions_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Component> + 'a {
        self.components.iter().filter(move |c| c.name() == name)
    }

    /// The version of component `name` that the version `fragment` names: `1.3` the latest
    /// `1.3.x`, `2` the latest `2.x`, `1.5.2` exactly that one, `""` the latest version (the
    /// rule of [`resolve`](crate::registry::resolve)).
    ///
    /// ```no_run
    /// let registry = rain_core::Registry::discover()?;
    /// let chat = registry.resolve("chat", "1")?;
    /// assert_eq!(chat.name(), "chat");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve(&self, name: &str, fragment: &str) -> Result<&Component, ResolveError> {
        let registered = self.components.iter().map(|c| (c.name(), c.version()));
        let version = versions::resolve(name, fragment, registered)?;
        Ok(self
            .component(&module_id(name, version))
            .expect("a resolved version is registered"))
    }

    /// The component a reference names: a module id (`chat-1.0`) names its component, always;
    /// otherwise `name@fragment` (`chat@1`) or a bare name (`chat`, the latest version) is
    /// resolved by [`Registry::resolve`]. (Names and versions never contain `@`.)
    pub fn lookup(&self, reference: &str) -> Result<&Component, ResolveError> {
        if let Some(component) = self.component(reference) {
            return Ok(component);
        }
        match split_reference(reference) {
            // `chat@` would be a second spelling of `chat`.
            Some((name, "")) if self.versions_of(name).next().is_some() => {
                Err(ResolveError::InvalidFragment {
                    name: name.to_owned(),
                    fragment: String::new(),
                })
            }
            Some((name, fragment)) => self.resolve(name, fragment),
            None => self.resolve(reference, ""),
        }
    }

    /// Every reference by name that [`Registry::lookup`] resolves, with its component, sorted:
    /// for each name, the bare name (its latest version) and `name@fragment` for every prefix of
    /// each of its versions (`chat@1`, `chat@1.0`), each resolved by [`Registry::resolve`]. A
    /// reference that is also a module id names that module's component and is left out.
    pub fn references(&self) -> Vec<(String, &Component)> {
        let mut out: BTreeMap<String, &Component> = BTreeMap::new();
        for component in &self.components {
            let name = component.name();
            for fragment in std::iter::once(String::new()).chain(fragments(component.version())) {
                let reference = reference(name, &fragment);
                if out.contains_key(&reference) || self.component(&reference).is_some() {
                    continue;
                }
                let resolved = self
                    .resolve(name, &fragment)
                    .expect("a prefix of a version names it");
                out.insert(reference, resolved);
            }
        }
        out.into_iter().collect()
    }

    /// [`Registry::references`] to components with sockets, as module ids: the page's table of
    /// references (`rain-versions`, which the runtime looks a reference up in instead of applying
    /// the rule itself) and the bindings' `References` type.
    ///
    /// Every version of a name is in, the versions without sockets too, so that `chat` means in
    /// the browser what it means on the server; names none of whose versions has a socket are
    /// left out.
    pub fn socket_references(&self) -> BTreeMap<String, &str> {
        let with_sockets: BTreeSet<&str> = self
            .sockets()
            .iter()
            .filter_map(|s| self.component(s.module_id()))
            .map(|c| c.name())
            .collect();
        self.references()
            .into_iter()
            .filter(|(_, component)| with_sockets.contains(component.name()))
            .map(|(reference, component)| (reference, component.module_id()))
            .collect()
    }

    /// Every intent, sorted by category and action.
    pub fn intents(&self) -> &[Intent] {
        &self.intents
    }

    /// The intent of this category and action, if a component provides it.
    pub fn intent(&self, category: &str, action: &str) -> Option<&Intent> {
        self.intents
            .binary_search_by(|i| (i.category(), i.action()).cmp(&(category, action)))
            .ok()
            .map(|i| &self.intents[i])
    }

    /// The intents one component provides, sorted by category and action.
    pub fn intents_of<'a>(&'a self, module_id: &'a str) -> impl Iterator<Item = &'a Intent> + 'a {
        self.intents
            .iter()
            .filter(move |i| i.module_id() == module_id)
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
mod tests;
