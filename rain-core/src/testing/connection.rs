//! One Engine.IO connection over a WebSocket, and its namespaces: a task reads every frame,
//! answers the heartbeat, reassembles binary packets and hands each packet to its namespace,
//! where it waits in order to be expected.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio::{
    sync::{Notify, mpsc, oneshot},
    task::JoinHandle,
};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest as _, http};

use super::{
    error::TestError,
    wire::{self, Kind, Packet, Received},
};
use crate::{base::recovery::parse_offset, recovery::ANNOUNCEMENT};

/// Why a wait ended without what it waited for.
pub(super) enum Missed {
    /// The namespace is disconnected, for this reason.
    Gone(String),
    /// The time ran out.
    TimedOut,
}

/// One Engine.IO connection: what the page's `Manager` is.
pub(super) struct Connection {
    out: mpsc::UnboundedSender<Message>,
    namespaces: Arc<Mutex<HashMap<String, Arc<Namespace>>>>,
    /// Where its recoverable namespaces leave what they need to recover when it ends.
    recoveries: Recoveries,
    next_ack: AtomicU64,
    task: JoinHandle<()>,
}

/// What the recoverable namespaces of ended connections need to recover, by namespace: the
/// client's, shared by its connections.
pub(super) type Recoveries = Arc<Mutex<HashMap<String, Recovery>>>;

impl Drop for Connection {
    fn drop(&mut self) {
        // The TCP connection goes with the task, as a closed tab's does.
        self.task.abort();
    }
}

impl Connection {
    /// Opens a WebSocket to `url` with `headers` and reads the Engine.IO handshake; when it
    /// ends, its recoverable namespaces leave their sessions in `recoveries`.
    pub(super) async fn open(
        url: String,
        headers: Vec<(http::HeaderName, http::HeaderValue)>,
        timeout: Duration,
        recoveries: Recoveries,
    ) -> Result<Self, TestError> {
        let websocket = |source| TestError::WebSocket {
            url: url.clone(),
            source: Box::new(source),
        };
        let mut request = url.as_str().into_client_request().map_err(websocket)?;
        request.headers_mut().extend(headers);
        // No Nagle: a small packet right after another would wait for the server's delayed ACK.
        let opened = tokio_tungstenite::connect_async_with_config(request, None, true);
        let (mut stream, _) = match tokio::time::timeout(timeout, opened).await {
            Err(_) => {
                return Err(TestError::Protocol(format!(
                    "no WebSocket at {url} in time"
                )));
            }
            Ok(Err(tungstenite::Error::Http(response))) => {
                let status = response.status().to_string();
                let body = response.body().as_deref().unwrap_or_default();
                let body = String::from_utf8_lossy(body).into_owned();
                return Err(TestError::Refused { status, body });
            }
            Ok(result) => result.map_err(websocket)?,
        };
        match tokio::time::timeout(timeout, stream.next()).await {
            Ok(Some(Ok(Message::Text(text)))) if text.starts_with(wire::OPEN) => {}
            other => {
                return Err(TestError::Protocol(format!(
                    "expected the Engine.IO handshake `0{{\"sid\":...}}`, got {other:?}"
                )));
            }
        }
        let (out, outgoing) = mpsc::unbounded_channel();
        let namespaces = Arc::default();
        let task = tokio::spawn(run(
            stream,
            outgoing,
            Arc::clone(&namespaces),
            Arc::clone(&recoveries),
        ));
        Ok(Self {
            out,
            namespaces,
            recoveries,
            next_ack: AtomicU64::new(0),
            task,
        })
    }

    /// Connects `namespace` (Socket.IO `CONNECT`, with `auth` when given) and waits for the
    /// answer: the socket's id, or the refusal.
    pub(super) async fn join(
        &self,
        namespace: &str,
        auth: Option<&Value>,
        timeout: Duration,
    ) -> Result<(Arc<Namespace>, String), TestError> {
        let (answer, answered) = oneshot::channel();
        let joined = Arc::new(Namespace {
            name: namespace.to_owned(),
            state: Mutex::new(State {
                connect: Some(answer),
                ..State::default()
            }),
            arrived: Notify::new(),
        });
        {
            let mut namespaces = lock(&self.namespaces);
            if namespaces.get(namespace).is_some_and(|ns| !ns.is_gone()) {
                return Err(TestError::AlreadyConnected {
                    namespace: namespace.to_owned(),
                });
            }
            namespaces.insert(namespace.to_owned(), Arc::clone(&joined));
        }
        let auth = auth.map(Value::to_string).unwrap_or_default();
        self.send(Kind::Connect, namespace, None, &auth, Vec::new())?;
        let outcome = tokio::time::timeout(timeout, answered).await;
        let refused = |message: String| {
            self.forget(&joined);
            TestError::ConnectRefused {
                namespace: namespace.to_owned(),
                message,
            }
        };
        match outcome {
            Ok(Ok(Ok(sid))) => Ok((joined, sid)),
            Ok(Ok(Err(message))) => Err(refused(message)),
            Ok(Err(_)) => Err(joined.disconnected(joined.gone_reason())),
            Err(_) => {
                self.forget(&joined);
                Err(TestError::Timeout {
                    what: "answer to the connect".to_owned(),
                    namespace: namespace.to_owned(),
                    within: timeout,
                    arrived: "nothing".to_owned(),
                })
            }
        }
    }

    /// Sends a Socket.IO packet, and its attachments after it.
    pub(super) fn send(
        &self,
        kind: Kind,
        namespace: &str,
        id: Option<u64>,
        json: &str,
        attachments: Vec<Bytes>,
    ) -> Result<(), TestError> {
        let text = wire::encode(kind, namespace, id, json, attachments.len());
        let closed = |_| TestError::Disconnected {
            namespace: namespace.to_owned(),
            reason: "the connection is closed".to_owned(),
            arrived: "nothing".to_owned(),
        };
        self.out.send(Message::Text(text.into())).map_err(closed)?;
        for bytes in attachments {
            self.out.send(Message::Binary(bytes)).map_err(closed)?;
        }
        Ok(())
    }

    /// A new ack id, and the receiver of its ack on `namespace`.
    pub(super) fn expect_ack(&self, namespace: &Namespace) -> (u64, oneshot::Receiver<Received>) {
        let id = self.next_ack.fetch_add(1, Ordering::Relaxed);
        let (ack, acked) = oneshot::channel();
        namespace.state().acks.insert(id, ack);
        (id, acked)
    }

    /// Leaves `namespace` (Socket.IO `DISCONNECT`); it can be connected again.
    pub(super) fn leave(&self, namespace: &Namespace) {
        if !namespace.is_gone() {
            let _ = self.send(Kind::Disconnect, &namespace.name, None, "", Vec::new());
        }
        namespace.close("the test disconnected it");
        let mut namespaces = lock(&self.namespaces);
        if namespaces
            .get(&namespace.name)
            .is_some_and(|ns| std::ptr::eq(Arc::as_ptr(ns), namespace))
        {
            namespaces.remove(&namespace.name);
        }
    }

    fn forget(&self, namespace: &Arc<Namespace>) {
        let mut namespaces = lock(&self.namespaces);
        if namespaces
            .get(&namespace.name)
            .is_some_and(|ns| Arc::ptr_eq(ns, namespace))
        {
            namespaces.remove(&namespace.name);
        }
    }

    /// Drops the connection as a lost network does: the TCP connection closes with no WebSocket
    /// or Engine.IO close, so the server parks the recoverable sockets on it.
    pub(super) fn cut(&self) {
        self.task.abort();
        end(
            &self.namespaces,
            &self.recoveries,
            "the test cut the connection",
        );
    }

    /// Closes the WebSocket, as a page that goes away does.
    pub(super) fn close(&self) {
        let _ = self.out.send(Message::Close(None));
    }
}

/// One namespace of the connection: the events that arrived and are not yet expected, the acks
/// awaited, and whether it is still connected.
pub(super) struct Namespace {
    pub(super) name: String,
    state: Mutex<State>,
    arrived: Notify,
}

#[derive(Default)]
struct State {
    /// In the order they arrived.
    queue: VecDeque<Received>,
    connect: Option<oneshot::Sender<Result<String, String>>>,
    acks: HashMap<u64, oneshot::Sender<Received>>,
    /// Why it is no longer connected.
    gone: Option<String>,
    /// Whether the server announced a recovery ([`ANNOUNCEMENT`]): its events carry offsets.
    recoverable: bool,
    /// The session to recover on the next connection: the pid the announcement gave, and the
    /// offset of the last event received (or the announcement's).
    session: Option<Recovery>,
}

/// What a recoverable namespace's next `CONNECT` sends to recover its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Recovery {
    pub(super) pid: String,
    pub(super) offset: String,
}

impl Namespace {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn is_gone(&self) -> bool {
        self.state().gone.is_some()
    }

    /// Why it is disconnected; empty while it is connected.
    pub(super) fn gone_reason(&self) -> String {
        self.state().gone.clone().unwrap_or_default()
    }

    /// Waits up to `within` for `take` to find something in the queue.
    async fn wait<T>(
        &self,
        within: Duration,
        mut take: impl FnMut(&mut VecDeque<Received>) -> Option<T>,
    ) -> Result<T, Missed> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            {
                let mut state = self.state();
                if let Some(found) = take(&mut state.queue) {
                    return Ok(found);
                }
                if let Some(reason) = &state.gone {
                    return Err(Missed::Gone(reason.clone()));
                }
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return Err(Missed::TimedOut);
            }
        }
    }

    /// The next `event` that arrived, waiting up to `within` for it.
    pub(super) async fn next(&self, event: &str, within: Duration) -> Result<Received, Missed> {
        self.wait(within, |queue| {
            let at = queue.iter().position(|received| received.event == event)?;
            queue.remove(at)
        })
        .await
    }

    /// What the next connection's `CONNECT` of this namespace sends to recover it, once the
    /// server announced it recoverable.
    pub(super) fn recovery(&self) -> Option<Recovery> {
        self.state().session.clone()
    }

    /// The announcement of a recoverable namespace, waited for up to `within` and left in the
    /// queue for the test to expect.
    pub(super) async fn announcement(&self, within: Duration) -> Result<Value, Missed> {
        self.wait(within, |queue| {
            queue
                .iter()
                .find(|received| received.event == ANNOUNCEMENT)
                .map(Received::payload)
        })
        .await
    }

    /// Waits up to `within` for the namespace to be disconnected; its reason.
    pub(super) async fn gone(&self, within: Duration) -> Result<String, Missed> {
        match self.wait(within, |_| None::<()>).await {
            Err(Missed::Gone(reason)) => Ok(reason),
            Err(missed) => Err(missed),
            Ok(()) => unreachable!("nothing is taken"),
        }
    }

    /// The events queued and not yet expected, for error messages: `` `a` 1, `b` {..} ``.
    pub(super) fn arrived(&self) -> String {
        let state = self.state();
        if state.queue.is_empty() {
            return "nothing".to_owned();
        }
        let shown: Vec<String> = state
            .queue
            .iter()
            .map(|received| format!("`{}` {}", received.event, received.shown()))
            .collect();
        shown.join(", ")
    }

    /// The error of a wait that ended because the namespace is disconnected.
    pub(super) fn disconnected(&self, reason: String) -> TestError {
        TestError::Disconnected {
            namespace: self.name.clone(),
            reason,
            arrived: self.arrived(),
        }
    }

    fn push(&self, received: Received) {
        self.state().queue.push_back(received);
        self.arrived.notify_waiters();
    }

    fn close(&self, reason: &str) {
        let mut state = self.state();
        if state.gone.is_none() {
            state.gone = Some(reason.to_owned());
        }
        // Dropped, so that whoever awaits them learns it now.
        state.connect = None;
        state.acks.clear();
        drop(state);
        self.arrived.notify_waiters();
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding it (a failed assertion elsewhere) leaves nothing half-written.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Stream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads and writes the WebSocket until either side closes it, then closes every namespace.
async fn run(
    mut stream: Stream,
    mut outgoing: mpsc::UnboundedReceiver<Message>,
    namespaces: Arc<Mutex<HashMap<String, Arc<Namespace>>>>,
    recoveries: Recoveries,
) {
    // A binary packet, while its attachments arrive.
    let mut pending: Option<(Packet, Vec<Bytes>)> = None;
    let reason = loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str();
                    match text.chars().next() {
                        Some(wire::PING) => {
                            let _ = stream.send(Message::Text(wire::PONG.into())).await;
                        }
                        Some(wire::CLOSE) => break "the server closed the connection".to_owned(),
                        Some(wire::MESSAGE) => match wire::decode(&text[1..]) {
                            Ok(packet) if packet.attachments > 0 => {
                                pending = Some((packet, Vec::new()));
                            }
                            Ok(packet) => dispatch(&namespaces, packet, Vec::new()),
                            Err(error) => break error,
                        },
                        _ => {}
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    let Some((packet, mut attachments)) = pending.take() else {
                        break "a binary frame that no packet announced".to_owned();
                    };
                    attachments.push(bytes);
                    if attachments.len() < packet.attachments {
                        pending = Some((packet, attachments));
                    } else {
                        dispatch(&namespaces, packet, attachments);
                    }
                }
                Some(Ok(Message::Close(_))) | None => {
                    break "the server closed the connection".to_owned();
                }
                Some(Err(error)) => break format!("the connection broke: {error}"),
                Some(Ok(_)) => {}
            },
            message = outgoing.recv() => match message {
                Some(Message::Close(frame)) => {
                    let _ = stream.close(frame).await;
                    break "the test closed the connection".to_owned();
                }
                Some(message) => {
                    if let Err(error) = stream.send(message).await {
                        break format!("the connection broke: {error}");
                    }
                }
                None => {
                    let _ = stream.close(None).await;
                    break "the test closed the connection".to_owned();
                }
            },
        }
    };
    end(&namespaces, &recoveries, &reason);
}

/// Disconnects every namespace of an ended connection for `reason`, and keeps what each
/// recoverable one needs to recover on the next connection.
fn end(
    namespaces: &Mutex<HashMap<String, Arc<Namespace>>>,
    recoveries: &Mutex<HashMap<String, Recovery>>,
    reason: &str,
) {
    for (name, namespace) in lock(namespaces).drain() {
        if let Some(recovery) = namespace.recovery() {
            lock(recoveries).insert(name, recovery);
        }
        namespace.close(reason);
    }
}

/// Whether the offset `next` comes after `last`: a later sequence number of the same epoch, or
/// any of another epoch (the server started again), as `client/socket.js` tells them.
fn later(next: &str, last: &str) -> bool {
    match (parse_offset(next), parse_offset(last)) {
        (Some((epoch, seq)), Some((last_epoch, last_seq))) => epoch != last_epoch || seq > last_seq,
        _ => true,
    }
}

/// Hands a whole packet to its namespace.
fn dispatch(
    namespaces: &Mutex<HashMap<String, Arc<Namespace>>>,
    packet: Packet,
    attachments: Vec<Bytes>,
) {
    let Some(namespace) = lock(namespaces).get(&packet.namespace).cloned() else {
        return;
    };
    match packet.kind {
        Kind::Connect => {
            let sid = serde_json::from_str::<Value>(&packet.json)
                .ok()
                .and_then(|answer| answer["sid"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if let Some(answer) = namespace.state().connect.take() {
                let _ = answer.send(Ok(sid));
            }
        }
        Kind::ConnectError => {
            let message = match serde_json::from_str::<Value>(&packet.json) {
                Ok(Value::String(message)) => message,
                Ok(Value::Object(error)) => match error.get("message") {
                    Some(Value::String(message)) => message.clone(),
                    _ => Value::Object(error).to_string(),
                },
                _ => packet.json,
            };
            if let Some(answer) = namespace.state().connect.take() {
                let _ = answer.send(Err(message));
            }
        }
        Kind::Disconnect => {
            namespace.close("the server disconnected it");
            lock(namespaces).remove(&packet.namespace);
        }
        Kind::Event | Kind::BinaryEvent => match Received::new(packet.json, attachments, true) {
            Ok(mut received) => {
                let mut state = namespace.state();
                if received.event == ANNOUNCEMENT {
                    state.recoverable = true;
                    let announced = received.payload();
                    state.session = match (announced["pid"].as_str(), announced["offset"].as_str())
                    {
                        (Some(pid), Some(offset)) => Some(Recovery {
                            pid: pid.to_owned(),
                            offset: offset.to_owned(),
                        }),
                        _ => None,
                    };
                } else if state.recoverable
                    && packet.id.is_none()
                    && let Some(offset) = received.take_offset()
                    && let Some(session) = &mut state.session
                {
                    // Replayed, then live: an event no later than the last one is a repeat.
                    if !later(&offset, &session.offset) {
                        return;
                    }
                    session.offset = offset;
                }
                received.ack_id = packet.id;
                drop(state);
                namespace.push(received);
            }
            Err(error) => tracing::warn!(%error, "the test client drops an event"),
        },
        Kind::Ack | Kind::BinaryAck => {
            let Some(ack) = packet.id.and_then(|id| namespace.state().acks.remove(&id)) else {
                return;
            };
            match Received::new(packet.json, attachments, false) {
                Ok(received) => {
                    let _ = ack.send(received);
                }
                Err(error) => tracing::warn!(%error, "the test client drops an ack"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::later;

    #[test]
    fn an_offset_is_later_when_its_number_is_higher_or_its_epoch_another() {
        assert!(later("0a1b2c3d-10", "0a1b2c3d-f"));
        assert!(!later("0a1b2c3d-f", "0a1b2c3d-f"));
        assert!(!later("0a1b2c3d-e", "0a1b2c3d-f"));
        // The server started again: its numbers start again.
        assert!(later("ffffffff-1", "0a1b2c3d-f"));
        assert!(later("0a1b2c3d-1", "not an offset"));
    }
}
