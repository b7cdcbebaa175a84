//! What runs when a socket disconnects: Rain's own steps (the close counted, the socket parked
//! for recovery, its presence left) and the app's disconnect handler, all through socketioxide's
//! one disconnect slot.
//!
//! socketioxide keeps one disconnect handler per socket, and setting one replaces the last. Rain
//! sets [`Departures`] there when a socket connects; Rain's steps add themselves with [`add`],
//! and [`SocketRef::on_disconnect`](crate::SocketRef::on_disconnect) adds the app's handler
//! last, so setting it replaces none of Rain's. Rain's steps run synchronously, while the
//! socket's rooms are still known; the app's handler then runs as socketioxide runs it, and the
//! socket leaves its namespace when it has finished.

use std::sync::{Arc, Mutex};

use socketioxide::{
    handler::DisconnectHandler,
    socket::{DisconnectReason, Socket},
};

use crate::base::adapter::Adapter;

/// One of Rain's steps on a disconnect.
pub(crate) type Step = Box<dyn FnOnce(&Arc<Socket<Adapter>>, DisconnectReason) + Send>;

/// The app's disconnect handler, as socketioxide calls one.
type AppHandler =
    Box<dyn Fn(Arc<Socket<Adapter>>, DisconnectReason, fn(Arc<Socket<Adapter>>)) + Send + Sync>;

#[derive(Default)]
struct Steps {
    rain: Vec<Step>,
    app: Option<AppHandler>,
}

/// The disconnect handler Rain sets on every socket it mounts.
#[derive(Clone, Default)]
pub(crate) struct Departures(Arc<Mutex<Steps>>);

impl Departures {
    /// Sets the departures of `socket` as its disconnect handler, unless they are set.
    pub(crate) fn install(socket: &Arc<Socket<Adapter>>) -> Self {
        if let Some(departures) = socket.extensions.get::<Self>() {
            return departures;
        }
        let departures = Self::default();
        socket.extensions.insert(departures.clone());
        socket.on_disconnect(departures.clone());
        departures
    }

    fn steps(&self) -> std::sync::MutexGuard<'_, Steps> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Adds one of Rain's steps to `socket`'s departures.
pub(crate) fn add(socket: &Arc<Socket<Adapter>>, step: Step) {
    Departures::install(socket).steps().rain.push(step);
}

/// Sets the app's disconnect handler of `socket`, replacing the app's last one.
pub(crate) fn set_app<C, T>(socket: &Arc<Socket<Adapter>>, handler: C)
where
    C: DisconnectHandler<Adapter, T> + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let app: AppHandler =
        Box::new(move |socket, reason, defer| handler.call_with_defer(socket, reason, defer));
    Departures::install(socket).steps().app = Some(app);
}

impl DisconnectHandler<Adapter, ()> for Departures {
    fn call_with_defer(
        &self,
        socket: Arc<Socket<Adapter>>,
        reason: DisconnectReason,
        defer: fn(Arc<Socket<Adapter>>),
    ) {
        let Steps { rain, app } = std::mem::take(&mut *self.steps());
        for step in rain {
            step(&socket, reason);
        }
        match app {
            Some(app) => app(socket, reason, defer),
            None => defer(socket),
        }
    }
}
