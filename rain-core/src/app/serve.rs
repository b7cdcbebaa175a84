//! Serving: on `RAIN_ADDR` with the settings of the environment, on an address, or on a listener
//! until a shutdown future completes.

use std::{io::IsTerminal as _, net::SocketAddr, time::Duration};

use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

use super::{builder::App, error::Error, read_ahead::ReadAheadListener};
use crate::{base::env, features::session::Sessions};

/// The address [`App::serve_from_env`] listens on when `RAIN_ADDR` is not set.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

impl App {
    /// Serves on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C, with the limits, engine and
    /// session settings that `RAIN_*` variables set over the builder's (see [`crate::limits`],
    /// [`crate::engine`] and [`crate::session`]), sharing sockets through the Redis at `RAIN_REDIS_URL` when that is
    /// set ([`App::redis`]).
    ///
    /// Also installs a `tracing` subscriber (filtered by `RUST_LOG`, default `info`) unless the
    /// program installed one already. It writes to stdout, in color only when stdout is a
    /// terminal and `NO_COLOR` is not set, so that a log piped to a file or a collector is plain
    /// text.
    pub async fn serve_from_env(mut self) -> Result<(), Error> {
        self.limits = self.limits.with_env()?;
        self.engine = self.engine.with_env()?;
        let sessions = self.sessions.take().unwrap_or_else(Sessions::random);
        self.sessions = Some(sessions.with_env()?);
        if let Some(list) = env::process("RAIN_ALLOWED_ORIGINS") {
            self.origins = list.split(',').map(str::to_owned).collect();
        }
        let seconds = "a whole number of seconds";
        if let Some(seconds) = env::parse(&env::process, "RAIN_SHUTDOWN_TIMEOUT", seconds)? {
            self.shutdown_timeout = Duration::from_secs(seconds);
        }
        if let Some(url) = env::process("RAIN_REDIS_URL")
            && !url.is_empty()
        {
            self = self.redis(&url)?;
        }
        let value = env::process("RAIN_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr: SocketAddr = value
            .parse()
            .map_err(|source| Error::BadAddress { value, source })?;
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
            )
            // The subscriber writes to stdout.
            .with_ansi(colored(
                std::io::stdout().is_terminal(),
                env::process("NO_COLOR"),
            ))
            .try_init();
        self.serve(addr).await
    }

    /// Serves on `addr` until Ctrl-C (or, on Unix, `SIGTERM`).
    pub async fn serve(self, addr: SocketAddr) -> Result<(), Error> {
        let listener = TcpListener::bind(addr).await.map_err(|source| Error::Io {
            context: format!("cannot listen on {addr}"),
            source,
        })?;
        self.serve_with(listener, stop_signal()).await
    }

    /// Serves on `listener` until `shutdown` completes, then shuts down gracefully (see
    /// [`crate::shutdown`]): refuses new sessions, sends every socket `rain:shutdown`, lets
    /// running handlers finish within [`App::shutdown_timeout`], closes every socket and stops.
    ///
    /// Prints the components, their sockets and pages, then `listening on http://<addr>`.
    pub async fn serve_with(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let (router, io, drain, link) = self.router_with_io()?;
        let timeout = self.shutdown_timeout;
        if let Some(link) = &link {
            // Listening is announced once other nodes' messages reach this one (or Redis is late).
            link.settled(std::time::Duration::from_secs(5)).await;
        }
        let addr = listener.local_addr().map_err(|source| Error::Io {
            context: "cannot read the listening address".to_owned(),
            source,
        })?;
        println!("{}", self.startup_table(addr));
        if let Some(link) = &link {
            println!(
                "sockets shared with the other nodes through Redis at {}",
                link.target()
            );
        }
        println!("listening on http://{addr}");
        // The peer address is what `max_connections_per_client` counts by.
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        // Without it, a small packet written right after another (a `CONNECT` answer, then the
        // connect handler's first emit) can wait for the client's delayed ACK, ~40 ms.
        let listener = ReadAheadListener(listener).tap_io(|stream| {
            if let Err(error) = stream.get_ref().set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Long-polling requests and WebSocket sessions would otherwise hold the
                // shutdown open until their clients go away.
                drain.shut_down(&io, timeout).await;
            })
            .await
            .map_err(|source| Error::Io {
                context: "serving failed".to_owned(),
                source,
            })
    }
}

/// Completes on Ctrl-C, or on `SIGTERM` where there is one (what service managers send).
///
/// The signals are taken over when this is called, before `listening` is printed, not when the
/// future is first polled: a signal sent as soon as that line appears stops the server
/// gracefully instead of killing it.
pub(super) fn stop_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        match signals {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stopping: closing every socket");
    }
}

/// Whether the log is written in color: only to a terminal, and not when `NO_COLOR` is set to
/// anything but the empty string (<https://no-color.org>).
fn colored(terminal: bool, no_color: Option<String>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::colored;

    #[test]
    fn the_log_is_colored_only_on_a_terminal_without_no_color() {
        assert!(colored(true, None));
        assert!(colored(true, Some(String::new())));
        assert!(!colored(true, Some("1".to_owned())));
        assert!(!colored(false, None));
        assert!(!colored(false, Some(String::new())));
    }
}
