//! Running one app on several nodes: the Socket.IO adapter every socket uses, kept on this node
//! alone or shared with the other nodes through Redis.
//!
//! Without Redis an app needs nothing else: rooms, broadcasts and socket lists are this node's. With
//! a Redis URL (`RAIN_REDIS_URL`, or [`App::redis`](crate::App::redis)), every namespace runs on the
//! [`socketioxide-redis`](socketioxide_redis) adapter: broadcasts (`within`, `to`, `except`,
//! `broadcast`), `rooms`, `fetch_sockets` and what it returns (`join`, `leave`, `emit`,
//! `disconnect` on a socket of any node) reach every node that uses the same Redis. Handlers do not
//! change: they name the adapter only through [`SocketRef`](crate::SocketRef) and
//! [`SocketIo`](crate::SocketIo).
//!
//! Every node on one Redis server is a node of one app (channels are named `rain-...#<namespace>#`,
//! and Redis publish/subscribe ignores database numbers): give another app another Redis server.
//!
//! ```no_run
//! # async fn run() -> Result<(), rain_core::Error> {
//! rain_core::App::discover()?
//!     .redis("redis://127.0.0.1:6379")?
//!     .serve_from_env()
//!     .await
//! # }
//! ```
//!
//! # When Redis goes away
//!
//! Each node keeps serving its own clients: what a handler emits or broadcasts still reaches the
//! sockets connected to that node, and cross-node messages are dropped, not queued. The node logs
//! once that it is cut off, checks Redis every half second, and when Redis answers again it
//! subscribes again and logs once that cross-node delivery resumed: no restart, and no message is
//! delivered twice (Redis publish/subscribe delivers at most once; nothing is replayed).

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{
        Arc, OnceLock, RwLock, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures_util::future::Either;
use redis::{
    AsyncCommands as _, FromRedisValue, PushInfo, PushKind,
    aio::{ConnectionManager, ConnectionManagerConfig},
};
use socketioxide::adapter::Emitter;
use socketioxide_core::{
    Sid,
    adapter::{
        BroadcastOptions, CoreAdapter, CoreLocalAdapter, DefinedAdapter, RemoteSocketData, Room,
        RoomParam, errors::BroadcastError,
    },
    packet::Packet,
};
use socketioxide_redis::{
    CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr,
    drivers::{ChanItem, Driver, MessageStream},
};
use tokio::sync::{Notify, mpsc, watch};

use super::recovery::{Deliver, Log, Recoveries, kept_for_recovery};

/// How long one Redis command may take before the node counts Redis as gone.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a node that lost Redis tries it again.
const RETRY_EVERY: Duration = Duration::from_millis(500);
/// How often a node checks that its connection still holds every subscription.
const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How long a request to the other nodes (`fetch_sockets`, `rooms`) waits for their answers.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// The prefix of every Redis channel Rain uses, so that other Socket.IO servers sharing the
/// Redis are not disturbed.
const CHANNEL_PREFIX: &str = "rain";

/// The adapter under every socket of an app: this node's rooms and sockets, shared with the other
/// nodes through Redis when the app has a Redis URL.
///
/// Named by handlers only as [`crate::Adapter`], through [`crate::SocketRef`] and
/// [`crate::SocketIo`].
pub struct NodeAdapter {
    kind: Kind,
    /// The namespace's recovery log, when its sockets are recoverable.
    log: Option<Arc<Log>>,
}

enum Kind {
    /// Single node: exactly socketioxide's `LocalAdapter`.
    Local(CoreLocalAdapter<Emitter>),
    /// Several nodes, through Redis.
    Redis(Arc<CustomRedisAdapter<Emitter, RedisLink>>, RedisLink),
}

/// What every namespace's [`NodeAdapter`] is built from: nothing, or the app's Redis link; and
/// the recovery logs of the recoverable namespaces.
pub struct AdapterState {
    redis: Option<(RedisAdapterCtr<RedisLink>, RedisLink)>,
    recoveries: Arc<Recoveries>,
}

impl AdapterState {
    /// Every socket on this node only.
    pub(crate) fn local() -> Self {
        Self {
            redis: None,
            recoveries: Arc::default(),
        }
    }

    /// Every socket shared through `link`.
    pub(crate) fn redis(link: RedisLink) -> Self {
        let config = RedisAdapterConfig::new()
            .with_prefix(CHANNEL_PREFIX)
            .with_request_timeout(REQUEST_TIMEOUT);
        let recoveries = Arc::<Recoveries>::default();
        let _ = link.shared.recoveries.set(Arc::clone(&recoveries));
        Self {
            redis: Some((RedisAdapterCtr::new_with_driver(link.clone(), config), link)),
            recoveries,
        }
    }

    /// The recovery logs, which mounting a recoverable socket adds to before its namespace
    /// exists.
    pub(crate) fn recoveries(&self) -> Arc<Recoveries> {
        Arc::clone(&self.recoveries)
    }
}

impl Deliver for NodeAdapter {
    fn deliver(&self, packet: Packet, to: Sid) {
        if let Err(errors) = self
            .get_local()
            .broadcast(packet, BroadcastOptions::new(to))
        {
            tracing::debug!(?errors, "a missed event could not be replayed");
        }
    }
}

impl DefinedAdapter for NodeAdapter {}

impl CoreAdapter<Emitter> for NodeAdapter {
    type Error = socketioxide_redis::Error<RedisLink>;
    type State = AdapterState;
    type AckStream = <CustomRedisAdapter<Emitter, RedisLink> as CoreAdapter<Emitter>>::AckStream;
    type InitRes = ();

    fn new(state: &Self::State, local: CoreLocalAdapter<Emitter>) -> Self {
        let log = state.recoveries.get(local.path());
        let kind = match &state.redis {
            None => Kind::Local(local),
            Some((ctr, link)) => {
                Kind::Redis(Arc::new(CustomRedisAdapter::new(ctr, local)), link.clone())
            }
        };
        Self { kind, log }
    }

    fn init(self: Arc<Self>, on_success: impl FnOnce() + Send + 'static) {
        if let Some(log) = &self.log {
            log.own(self.get_local().server_id());
            let deliver: Weak<dyn Deliver> =
                Arc::downgrade(&(Arc::clone(&self) as Arc<dyn Deliver>));
            log.attach(deliver);
        }
        // The namespace serves this node's clients at once; its subscriptions follow (the link
        // resubscribes them anyway whenever Redis comes back).
        on_success();
        if let Kind::Redis(adapter, link) = &self.kind {
            let (adapter, link) = (Arc::clone(adapter), link.clone());
            link.shared.mounting.send_modify(|n| *n += 1);
            tokio::spawn(async move {
                if let Err(error) = CoreAdapter::init(adapter, || ()).await {
                    tracing::error!(%error, "namespace not shared through Redis");
                }
                link.shared.mounting.send_modify(|n| *n -= 1);
            });
        }
    }

    async fn close(&self) -> Result<(), Self::Error> {
        match &self.kind {
            Kind::Local(_) => Ok(()),
            Kind::Redis(adapter, _) => adapter.close().await,
        }
    }

    async fn server_count(&self) -> Result<u16, Self::Error> {
        match &self.kind {
            Kind::Local(_) => Ok(1),
            Kind::Redis(adapter, _) => adapter.server_count().await,
        }
    }

    async fn broadcast(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
    ) -> Result<(), BroadcastError> {
        match (&self.kind, &self.log) {
            (Kind::Local(local), None) => {
                local.broadcast(packet, opts).map_err(BroadcastError::from)
            }
            (Kind::Redis(adapter, _), None) => adapter.broadcast(packet, opts).await,
            // Numbered, kept and sent under the log's lock: a recovery replays it or the socket
            // gets it live, exactly one of the two.
            // A socket closed meanwhile gets it when it recovers: not a failure.
            (Kind::Local(local), Some(log)) => log
                .record(packet, &opts, |packet| {
                    local.broadcast(packet, opts.clone())
                })
                .or_else(kept_for_recovery)
                .map_err(BroadcastError::from),
            // Sent after the lock: a recovery at that moment may replay it and receive it live
            // too; the offset lets the client drop the second.
            (Kind::Redis(adapter, _), Some(log)) => {
                let packet = log.record(packet, &opts, |packet| packet);
                match adapter.broadcast(packet, opts).await {
                    Err(BroadcastError::Socket(errors)) => {
                        kept_for_recovery(errors).map_err(BroadcastError::Socket)
                    }
                    sent => sent,
                }
            }
        }
    }

    async fn broadcast_with_ack(
        &self,
        packet: Packet,
        opts: BroadcastOptions,
        timeout: Option<Duration>,
    ) -> Result<Self::AckStream, Self::Error> {
        match &self.kind {
            Kind::Local(local) => Ok(Either::Left(
                local.broadcast_with_ack(packet, opts, timeout).0,
            )),
            Kind::Redis(adapter, _) => adapter.broadcast_with_ack(packet, opts, timeout).await,
        }
    }

    async fn add_sockets(
        &self,
        opts: BroadcastOptions,
        rooms: impl RoomParam,
    ) -> Result<(), Self::Error> {
        match &self.kind {
            Kind::Local(local) => {
                local.add_sockets(opts, rooms);
                Ok(())
            }
            Kind::Redis(adapter, _) => adapter.add_sockets(opts, rooms).await,
        }
    }

    async fn del_sockets(
        &self,
        opts: BroadcastOptions,
        rooms: impl RoomParam,
    ) -> Result<(), Self::Error> {
        match &self.kind {
            Kind::Local(local) => {
                local.del_sockets(opts, rooms);
                Ok(())
            }
            Kind::Redis(adapter, _) => adapter.del_sockets(opts, rooms).await,
        }
    }

    async fn disconnect_socket(&self, opts: BroadcastOptions) -> Result<(), BroadcastError> {
        match &self.kind {
            Kind::Local(local) => local
                .disconnect_socket(opts)
                .map_err(BroadcastError::Socket),
            Kind::Redis(adapter, _) => adapter.disconnect_socket(opts).await,
        }
    }

    async fn rooms(&self, opts: BroadcastOptions) -> Result<Vec<Room>, Self::Error> {
        match &self.kind {
            Kind::Local(local) => Ok(local.rooms(opts).into_iter().collect()),
            Kind::Redis(adapter, _) => adapter.rooms(opts).await,
        }
    }

    async fn fetch_sockets(
        &self,
        opts: BroadcastOptions,
    ) -> Result<Vec<RemoteSocketData>, Self::Error> {
        match &self.kind {
            Kind::Local(local) => Ok(local.fetch_sockets(opts)),
            Kind::Redis(adapter, _) => adapter.fetch_sockets(opts).await,
        }
    }

    fn get_local(&self) -> &CoreLocalAdapter<Emitter> {
        match &self.kind {
            Kind::Local(local) => local,
            Kind::Redis(adapter, _) => adapter.get_local(),
        }
    }
}

/// The one Redis connection of an app, shared by every namespace: publishes, subscribes, and
/// routes the messages of each subscribed channel to its namespace.
///
/// It never fails a command: while Redis is unreachable, publishing drops the message (this
/// node's clients are served by the adapter itself), the node counts as the only one, and a
/// background task reconnects and subscribes again.
#[derive(Clone)]
pub struct RedisLink {
    conn: ConnectionManager,
    shared: Arc<Shared>,
}

/// What the link, its push handler and its watchdog share.
struct Shared {
    /// Where each subscribed channel's messages go.
    routes: RwLock<HashMap<String, mpsc::Sender<ChanItem>>>,
    /// Whether Redis is reachable: publish, subscribe, ask the other nodes.
    up: watch::Sender<bool>,
    /// Whether, on top of that, every route is subscribed.
    subscribed: watch::Sender<bool>,
    /// Whether the log says this node is cut off from Redis: it says so once, and once that it is
    /// back.
    cut_off: AtomicBool,
    /// Woken when a command or the connection reports that Redis went away.
    wake: Notify,
    /// Namespaces whose subscriptions are being made.
    mounting: watch::Sender<usize>,
    /// `host:port`, for the log (never the password).
    target: String,
    /// The recovery logs, whose namespaces' broadcasts from other nodes are numbered here.
    recoveries: OnceLock<Arc<Recoveries>>,
}

impl RedisLink {
    /// Opens the link (lazily: this returns at once) and starts the task that watches it.
    ///
    /// Must be called inside a Tokio runtime.
    pub(crate) fn open(client: redis::Client) -> Result<Self, redis::RedisError> {
        let shared = Arc::new(Shared {
            routes: RwLock::new(HashMap::new()),
            up: watch::Sender::new(false),
            subscribed: watch::Sender::new(false),
            cut_off: AtomicBool::new(false),
            wake: Notify::new(),
            mounting: watch::Sender::new(0),
            target: client.get_connection_info().addr().to_string(),
            recoveries: OnceLock::new(),
        });
        let on_push = Arc::downgrade(&shared);
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_secs(1))
            .set_push_sender(move |push: PushInfo| {
                if let Some(shared) = on_push.upgrade() {
                    shared.receive(push);
                }
                Ok::<(), Infallible>(())
            });
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        tokio::spawn(watch_over(conn.clone(), Arc::downgrade(&shared)));
        Ok(Self { conn, shared })
    }

    /// Waits (at most `limit`) until Redis answered and every namespace subscribed, so that a
    /// node announces itself ready only once other nodes' messages reach it.
    pub(crate) async fn settled(&self, limit: Duration) {
        let mut subscribed = self.shared.subscribed.subscribe();
        let mut mounting = self.shared.mounting.subscribe();
        let settled = async {
            let _ = subscribed.wait_for(|s| *s).await;
            let _ = mounting.wait_for(|n| *n == 0).await;
        };
        // Past the limit the node serves its own clients; the watchdog has said why.
        let _ = tokio::time::timeout(limit, settled).await;
    }

    /// `host:port` of the Redis server.
    pub(crate) fn target(&self) -> &str {
        &self.shared.target
    }

    fn is_up(&self) -> bool {
        *self.shared.up.borrow()
    }
}

impl Shared {
    /// Routes a message pushed by Redis to its channel's namespace, or notes a lost connection.
    fn receive(&self, push: PushInfo) {
        match push.kind {
            PushKind::Message => {
                let mut data = push.data.into_iter();
                let (Some(channel), Some(message)) = (data.next(), data.next()) else {
                    return;
                };
                let (Ok(channel), Ok(message)) = (
                    String::from_redis_value(channel),
                    Vec::<u8>::from_redis_value(message),
                ) else {
                    tracing::warn!("unreadable message from Redis");
                    return;
                };
                let message = self.renumbered(&channel, message);
                let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
                if let Some(route) = routes.get(&channel)
                    && route.try_send((channel, message)).is_err()
                {
                    tracing::warn!("a namespace is not keeping up with Redis: message dropped");
                }
            }
            PushKind::Disconnection => self.lost("connection closed"),
            _ => {}
        }
    }

    /// `message` on `channel`, renumbered when it is a broadcast to a recoverable namespace
    /// (see [`Recoveries::renumbered`]).
    fn renumbered(&self, channel: &str, message: Vec<u8>) -> Vec<u8> {
        // `<prefix>-request#<namespace>#`: a request to every node.
        let namespace = channel
            .strip_prefix(CHANNEL_PREFIX)
            .and_then(|rest| rest.strip_prefix("-request#"))
            .and_then(|rest| rest.strip_suffix('#'));
        match (self.recoveries.get(), namespace) {
            (Some(recoveries), Some(namespace)) => recoveries.renumbered(namespace, message),
            _ => message,
        }
    }

    /// Records that Redis went away; logs only when it was up.
    fn lost(&self, why: &str) {
        self.subscribed.send_replace(false);
        if self.up.send_replace(false) && !self.cut_off.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                redis = %self.target,
                "Redis unreachable ({why}): serving this node's clients only, \
                 cross-node messages are dropped until it is back"
            );
        }
        self.wake.notify_one();
    }

    fn channels(&self) -> Vec<String> {
        let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
        routes.keys().cloned().collect()
    }
}

/// Runs as long as the link: notices Redis going away (a failed command, a closed connection, a
/// connection that lost its subscriptions), and brings it back: reconnects, subscribes again.
async fn watch_over(mut conn: ConnectionManager, shared: Weak<Shared>) {
    loop {
        let Some(link) = shared.upgrade() else { return };
        if *link.up.borrow() {
            let woken = tokio::time::timeout(CHECK_EVERY, link.wake.notified()).await;
            if woken.is_ok() || !*link.up.borrow() {
                continue;
            }
            // A quiet connection may have been replaced without a word; its subscriptions with it.
            match subscription_count(&mut conn).await {
                Ok(count) if count >= link.channels().len() => {}
                Ok(_) => {
                    if let Err(error) = subscribe(&mut conn, link.channels()).await {
                        link.lost(&error);
                    }
                }
                Err(error) => link.lost(&error),
            }
        } else {
            let back = async {
                ping(&mut conn).await?;
                // Up first: a namespace mounting now subscribes itself rather than being missed.
                link.up.send_replace(true);
                subscribe(&mut conn, link.channels()).await
            };
            match back.await {
                Ok(()) => {
                    link.subscribed.send_replace(true);
                    if link.cut_off.swap(false, Ordering::Relaxed) {
                        tracing::info!(redis = %link.target, "Redis reachable again: cross-node delivery resumed");
                    } else {
                        tracing::info!(redis = %link.target, "connected to Redis: sockets are shared across nodes");
                    }
                }
                Err(error) => {
                    link.up.send_replace(false);
                    if !link.cut_off.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            redis = %link.target,
                            "Redis unreachable ({error}): serving this node's clients only until it answers"
                        );
                    }
                    drop(link);
                    tokio::time::sleep(RETRY_EVERY).await;
                }
            }
        }
    }
}

async fn ping(conn: &mut ConnectionManager) -> Result<(), String> {
    with_timeout(redis::cmd("PING").query_async::<()>(conn)).await
}

async fn subscribe(conn: &mut ConnectionManager, channels: Vec<String>) -> Result<(), String> {
    if channels.is_empty() {
        return Ok(());
    }
    with_timeout(conn.subscribe(channels)).await
}

/// How many channels this connection is subscribed to (`sub=` of `CLIENT INFO`).
async fn subscription_count(conn: &mut ConnectionManager) -> Result<usize, String> {
    let info: String = with_timeout(redis::cmd("CLIENT").arg("INFO").query_async(conn)).await?;
    Ok(info
        .split_whitespace()
        .find_map(|field| field.strip_prefix("sub="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0))
}

async fn with_timeout<T>(
    command: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, String> {
    match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer in time".to_owned()),
    }
}

impl Driver for RedisLink {
    type Error = Infallible;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Infallible> {
        if self.is_up()
            && let Err(error) =
                with_timeout(self.conn.clone().publish::<_, _, redis::Value>(chan, val)).await
        {
            self.shared.lost(&error);
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Infallible> {
        let (tx, rx) = mpsc::channel(size);
        self.shared
            .routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(chan.clone(), tx);
        // While Redis is away, the watchdog subscribes every route when it is back.
        if self.is_up()
            && let Err(error) = with_timeout(self.conn.clone().subscribe(chan)).await
        {
            self.shared.lost(&error);
        }
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Infallible> {
        self.shared
            .routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chan);
        if self.is_up() {
            let _ = with_timeout(self.conn.clone().unsubscribe(chan)).await;
        }
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Infallible> {
        if !self.is_up() {
            return Ok(1);
        }
        let mut conn = self.conn.clone();
        let mut numsub = redis::cmd("PUBSUB");
        numsub.arg("NUMSUB").arg(chan);
        match with_timeout(numsub.query_async::<(String, u16)>(&mut conn)).await {
            Ok((_, count)) => Ok(count.max(1)),
            Err(error) => {
                self.shared.lost(&error);
                Ok(1)
            }
        }
    }
}
