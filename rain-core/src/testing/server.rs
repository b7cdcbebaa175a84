//! [`TestServer`]: the app under test, served on a port of 127.0.0.1 by [`App::serve_with`],
//! restartable on the same port.

use std::{net::SocketAddr, sync::Arc};

use tokio::{
    net::{TcpListener, TcpSocket},
    sync::oneshot,
    task::JoinHandle,
};

use super::{
    client::{ClientBuilder, Current, Target},
    error::TestError,
    http,
};
use crate::{App, Error, session::Sessions};

/// What the test server asks for to know the app answers: any answer will do.
const READY_PATH: &str = "/rain/sockets";

type MakeApp = dyn Fn() -> Result<App, Error> + Send + Sync;

/// The app under test on `127.0.0.1`, on a port of its own, over real TCP and real Engine.IO.
///
/// [`TestServer::start`] takes the function that makes the app (the one `main` calls, say), so
/// that [`TestServer::restart`] can make a fresh one. Dropping the server stops the app
/// gracefully (in the background).
pub struct TestServer {
    target: Target,
    make_app: Box<MakeApp>,
    running: Option<Running>,
}

/// A served app: what stops it, and what it returns once stopped.
struct Running {
    stop: oneshot::Sender<()>,
    served: JoinHandle<Result<(), Error>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.target.addr)
            .field("running", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Makes the app with `make_app` and serves it on `127.0.0.1:0` (a free port), returning
    /// once it answers.
    ///
    /// Fails with [`TestError::Start`] when `make_app` fails or the app cannot be served (a
    /// page naming a missing view, say).
    pub async fn start(
        make_app: impl Fn() -> Result<App, Error> + Send + Sync + 'static,
    ) -> Result<Self, TestError> {
        let listener = listen(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let addr = listener.local_addr().map_err(|source| TestError::Io {
            context: "cannot read the listening address".to_owned(),
            source,
        })?;
        let mut server = Self {
            target: Target {
                addr,
                current: Arc::default(),
            },
            make_app: Box::new(make_app),
            running: None,
        };
        server.serve(listener).await?;
        Ok(server)
    }

    /// The address the app listens on.
    pub fn addr(&self) -> SocketAddr {
        self.target.addr
    }

    /// The app's URL: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.target.addr)
    }

    /// A client to open, like one browser page: see [`ClientBuilder`].
    pub fn client(&self) -> ClientBuilder {
        ClientBuilder::new(self.target.clone())
    }

    /// The sessions of the running app: to sign a token (`sessions.token_for(user)`) for a
    /// socket's `auth`, or to verify a cookie a route set.
    pub fn sessions(&self) -> Sessions {
        let current = self
            .target
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        current
            .sessions
            .clone()
            .expect("a started app has told its sessions")
    }

    /// `GET path` (a page, `/rain/sockets`, a route of the app): the status and the body.
    pub async fn get(&self, path: &str) -> Result<(u16, String), TestError> {
        http::get(self.target.addr, path, &[]).await
    }

    /// Stops the app gracefully (clients get `rain:shutdown`, then their sockets close) and
    /// serves a fresh one from `make_app` on the same port, so that new clients connect to it
    /// as a reloaded page would.
    pub async fn restart(&mut self) -> Result<(), TestError> {
        self.stop().await?;
        let listener = listen(self.target.addr)?;
        self.serve(listener).await
    }

    /// Stops the app gracefully and waits until it has stopped; [`TestServer::restart`] starts
    /// it again.
    pub async fn stop(&mut self) -> Result<(), TestError> {
        let Some(Running { stop, served }) = self.running.take() else {
            return Ok(());
        };
        let _ = stop.send(());
        match served.await {
            Ok(result) => result.map_err(TestError::Start),
            Err(error) => Err(TestError::Protocol(format!("the app panicked: {error}"))),
        }
    }

    async fn serve(&mut self, listener: TcpListener) -> Result<(), TestError> {
        let app = (self.make_app)().map_err(TestError::Start)?;
        let engine_path = app.current_engine().client_path();
        let (app, sessions) = app.settled_sessions();
        let (stop, stopped) = oneshot::channel::<()>();
        let mut served = tokio::spawn(app.serve_with(listener, async {
            let _ = stopped.await;
        }));
        tokio::select! {
            result = &mut served => {
                return Err(match result {
                    Ok(Err(error)) => TestError::Start(error),
                    Ok(Ok(())) => TestError::Protocol("the app stopped as it started".to_owned()),
                    Err(error) => TestError::Protocol(format!("the app panicked: {error}")),
                });
            }
            answer = http::get(self.target.addr, READY_PATH, &[]) => {
                answer?;
            }
        }
        *self
            .target
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Current {
            engine_path,
            sessions: Some(sessions),
        };
        self.running = Some(Running { stop, served });
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.stop.send(());
        }
    }
}

/// Listens on `addr`, reusing it while connections of the app stopped before linger.
fn listen(addr: SocketAddr) -> Result<TcpListener, TestError> {
    let io = |source| TestError::Io {
        context: format!("cannot listen on {addr}"),
        source,
    };
    let socket = TcpSocket::new_v4().map_err(io)?;
    socket.set_reuseaddr(true).map_err(io)?;
    socket.bind(addr).map_err(io)?;
    socket.listen(1024).map_err(io)
}
