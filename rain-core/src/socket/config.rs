//! What every socket of one `#[websocket]` shares: who it is, its guards and its limits.

use std::{borrow::Cow, panic::AssertUnwindSafe, sync::Arc};

use super::{
    guard::{Guard, GuardContext, Refusal},
    idle::IdleWatch,
    panic::{INTERNAL_ERROR, panic_message},
    rate::Rate,
};
use crate::base::{limits::Limits, recovery::Log};

/// What every socket of one `#[websocket]` shares: who it is, its guards and its limits.
#[derive(Debug)]
pub(crate) struct SocketConfig {
    pub(super) module_id: String,
    pub(super) socket: Cow<'static, str>,
    pub(super) connect_guards: &'static [Guard],
    pub(super) event_guards: &'static [Guard],
    pub(super) rate: Option<Rate>,
    /// The idle watch, when there is an idle timeout.
    pub(super) idle: Option<Arc<IdleWatch>>,
    /// How many events are held while the connect handler runs: the burst.
    pub(super) hold_cap: usize,
    /// The namespace's recovery log, when its sockets are recoverable.
    pub(super) recovery: Option<Arc<Log>>,
}

impl SocketConfig {
    /// The configuration of the sockets of `socket` in `module_id`, under `limits`.
    pub(crate) fn new(
        module_id: String,
        socket: &'static str,
        connect_guards: &'static [Guard],
        event_guards: &'static [Guard],
        limits: &Limits,
        recovery: Option<Arc<Log>>,
    ) -> Self {
        Self {
            idle: limits.idle_timeout.map(|timeout| {
                Arc::new(IdleWatch::new(
                    module_id.clone(),
                    Cow::Borrowed(socket),
                    timeout,
                ))
            }),
            module_id,
            socket: Cow::Borrowed(socket),
            connect_guards,
            event_guards,
            // A rate of 0 sets no limit; a burst below 1 would refuse every event.
            rate: (limits.event_rate > 0).then(|| Rate {
                per_second: f64::from(limits.event_rate),
                burst: f64::from(limits.event_burst.max(1)),
            }),
            hold_cap: usize::try_from(limits.event_burst.max(1)).unwrap_or(usize::MAX),
            recovery,
        }
    }

    /// A socket on a namespace that Rain did not mount: no guards, no limits.
    pub(super) fn unmanaged(namespace: &str) -> Self {
        Self {
            module_id: String::new(),
            socket: Cow::Owned(namespace.to_owned()),
            connect_guards: &[],
            event_guards: &[],
            rate: None,
            idle: None,
            hold_cap: 0,
            recovery: None,
        }
    }

    /// Runs `guards` in order: the first refusal is the answer. A guard that panics refuses with
    /// an internal error, so that it takes neither the connection nor the server down.
    pub(crate) fn check(
        &self,
        guards: &[Guard],
        context: &GuardContext<'_>,
    ) -> Result<(), Refusal> {
        let (sid, event) = (context.socket().id, context.event());
        for guard in guards {
            let refusal = match std::panic::catch_unwind(AssertUnwindSafe(|| guard(context))) {
                Ok(Ok(())) => continue,
                Ok(Err(refusal)) => refusal,
                Err(panic) => {
                    tracing::error!(
                        module = %self.module_id, socket = %self.socket, %sid, event,
                        panic = panic_message(&*panic), "guard panicked"
                    );
                    return Err(Refusal::new(INTERNAL_ERROR));
                }
            };
            match event {
                Some(event) => tracing::info!(
                    module = %self.module_id, socket = %self.socket, %sid, event, %refusal,
                    "event refused by a guard"
                ),
                None => tracing::info!(
                    module = %self.module_id, socket = %self.socket, %sid, %refusal,
                    "connection refused by a guard"
                ),
            }
            return Err(refusal);
        }
        Ok(())
    }
}
