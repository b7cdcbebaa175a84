//! What one `#[websocket]` sets for its own sockets over the app's settings: its event rate, its
//! burst, its idle timeout and its recovery window
//! (`#[websocket("cursor", event_rate = 120, idle_timeout = "10m", recover = "2m")]`).
//!
//! A registration carries them as one constant [`SocketSettings`], every field of which may be
//! left to the app. A registration written by hand (a test's) says `SocketSettings::APP`, or names
//! what it sets and takes the rest with `..SocketSettings::APP`, so a setting added later changes
//! none of them; the macro, released with this crate, names every field. They are resolved
//! against the app's [`Limits`] once, when the socket is mounted.

use std::time::Duration;

use serde::Serialize;

use crate::base::limits::Limits;

/// What one `#[websocket]` sets for itself; `None` leaves a setting to the app.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketSettings {
    /// `event_rate = n`: events a socket may send per second, sustained; `0` sets no limit.
    pub event_rate: Option<u32>,
    /// `event_burst = n`: events a socket may send at once, at least 1.
    pub event_burst: Option<u32>,
    /// `idle_timeout = "10m"` (`Some(Some(..))`) or `"never"` (`Some(None)`).
    pub idle_timeout: Option<Option<Duration>>,
    /// `recover = "2m"` (`Some(Some(..))`) or `"never"` (`Some(None)`).
    pub recover: Option<Option<Duration>>,
}

impl SocketSettings {
    /// Nothing of the socket's own: every setting is the app's.
    pub const APP: Self = Self {
        event_rate: None,
        event_burst: None,
        idle_timeout: None,
        recover: None,
    };

    /// The limits of the socket: `app`'s, with the socket's own settings in their place.
    pub(crate) fn limits(&self, app: &Limits) -> Limits {
        let mut limits = app.clone();
        if let Some(rate) = self.event_rate {
            limits.event_rate = rate;
        }
        if let Some(burst) = self.event_burst {
            limits.event_burst = burst;
        }
        if let Some(idle) = self.idle_timeout {
            limits.idle_timeout = idle;
        }
        if let Some(recover) = self.recover {
            limits.recover = recover;
        }
        limits
    }

    /// The socket's limits as `/rain` and `/rain/sockets` show them: each value in effect, and
    /// whether the socket set it.
    pub(crate) fn shown(&self, app: &Limits) -> ShownLimits {
        let limits = self.limits(app);
        ShownLimits {
            event_rate: Shown::of(limits.event_rate, self.event_rate.is_some()),
            event_burst: Shown::of(limits.event_burst, self.event_burst.is_some()),
            idle_timeout_ms: Shown::of(
                limits
                    .idle_timeout
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                self.idle_timeout.is_some(),
            ),
            recover_ms: Shown::of(
                limits
                    .recover
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                self.recover.is_some(),
            ),
        }
    }
}

/// A socket's event rate, burst and idle timeout in effect (`limits` of `/rain/sockets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShownLimits {
    /// Events a second, sustained; `0`: no limit.
    pub(crate) event_rate: Shown<u32>,
    /// Events at once.
    pub(crate) event_burst: Shown<u32>,
    /// Milliseconds without an event before a disconnect; `null`: never.
    pub(crate) idle_timeout_ms: Shown<Option<u64>>,
    /// Milliseconds a disconnected socket may recover within; `null`: not recoverable.
    pub(crate) recover_ms: Shown<Option<u64>>,
}

/// One limit in effect: `{ "value": 120, "from": "socket" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Shown<T> {
    pub(crate) value: T,
    pub(crate) from: Source,
}

impl<T> Shown<T> {
    fn of(value: T, own: bool) -> Self {
        let from = if own { Source::Socket } else { Source::App };
        Self { value, from }
    }
}

/// Who set a limit: the `#[websocket]` attribute, or the app (its [`Limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Source {
    Socket,
    App,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_overrides_only_what_it_sets() {
        let app = Limits::default();
        assert_eq!(SocketSettings::APP.limits(&app), app);
        let cursor = SocketSettings {
            event_rate: Some(120),
            idle_timeout: Some(None),
            ..SocketSettings::APP
        };
        let limits = cursor.limits(&app);
        assert_eq!(
            (limits.event_rate, limits.event_burst, limits.idle_timeout),
            (120, app.event_burst, None)
        );
        assert_eq!(limits.max_payload, app.max_payload);
    }

    #[test]
    fn shows_each_value_and_who_set_it() {
        let settings = SocketSettings {
            event_burst: Some(240),
            idle_timeout: Some(Some(Duration::from_secs(600))),
            ..SocketSettings::APP
        };
        let json = serde_json::to_value(settings.shown(&Limits::default())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "eventRate": { "value": 50, "from": "app" },
                "eventBurst": { "value": 240, "from": "socket" },
                "idleTimeoutMs": { "value": 600_000, "from": "socket" },
                "recoverMs": { "value": null, "from": "app" },
            })
        );
        let never = SocketSettings {
            idle_timeout: Some(None),
            ..SocketSettings::APP
        };
        let shown = never.shown(&Limits::default());
        assert_eq!(shown.idle_timeout_ms.value, None);
        assert_eq!(shown.idle_timeout_ms.from, Source::Socket);
    }
}
