//! Rain nodes on a real redis-server, in process: every namespace of every node subscribes, a node
//! that stops unsubscribes, and a node started while Redis is down serves its clients and joins
//! the others once Redis is up. (Messages crossing nodes are tested with the official client in
//! `tests/js/cluster.test.mjs`.)

use std::{
    net::TcpListener as StdListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

/// A redis-server on 127.0.0.1, nothing persisted: the test's own (killed when dropped), or the
/// one `tests/run.sh` started (`RAIN_TEST_REDIS_URL`).
struct Redis {
    child: Option<Child>,
    port: u16,
}

impl Redis {
    /// The one of `tests/run.sh` when there is one, otherwise one of the test's own.
    fn shared_or_own() -> Self {
        let shared = std::env::var("RAIN_TEST_REDIS_URL").ok().and_then(|url| {
            let port = url.rsplit_once(':')?.1.trim_end_matches('/').parse().ok()?;
            Some(Self { child: None, port })
        });
        shared.unwrap_or_else(|| Self::start_on(free_port()))
    }

    fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "these tests need redis-server (Redis 7+): `apt-get install -y redis-server` \
                     (tests/run.sh installs it): {error}"
                )
            });
        let redis = Self {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// How many connections subscribe to the request channel of `namespace`: one per node.
    async fn nodes_of(&self, namespace: &str) -> u32 {
        let client = redis::Client::open(self.url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let (_, count): (String, u32) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(format!("rain-request#{namespace}#"))
            .query_async(&mut conn)
            .await
            .unwrap();
        count
    }

    /// Waits (at most 10 s) until `namespace` has `nodes` nodes.
    async fn wait_for_nodes(&self, namespace: &str, nodes: u32) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self.nodes_of(namespace).await;
            if found == nodes {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{namespace}: {found} nodes, expected {nodes}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The intents example's app, its chat's history in memory (each node its own).
async fn example() -> rain_core::App {
    let history = intents_example::History::connect("sqlite::memory:")
        .await
        .unwrap();
    intents_example::app(history).unwrap()
}

/// One node of the intents example, on a free port, sharing its sockets through `redis_url`.
struct Node {
    port: u16,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), rain_core::Error>>,
}

impl Node {
    async fn start(redis_url: &str) -> Self {
        let app = example().await.redis(redis_url).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.serve_with(listener, async move {
            let _ = stopped.await;
        }));
        Self {
            port,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().unwrap();
    }

    /// The status line of `GET path`.
    async fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response.lines().next().unwrap_or_default().to_owned()
    }
}

const ROOM: &str = "/chat-1.0/room";
const DUMMY: &str = "/intents-example-1.0/chat/dummy socket";

#[tokio::test]
async fn every_namespace_of_every_node_subscribes_and_a_stopped_node_leaves() {
    let redis = Redis::shared_or_own();
    let a = Node::start(&redis.url()).await;
    let b = Node::start(&redis.url()).await;
    redis.wait_for_nodes(ROOM, 2).await;
    redis.wait_for_nodes(DUMMY, 2).await;
    assert_eq!(a.get("/rain/sockets").await, "HTTP/1.1 200 OK");
    a.stop().await;
    redis.wait_for_nodes(ROOM, 1).await;
    b.stop().await;
    redis.wait_for_nodes(ROOM, 0).await;
}

#[tokio::test]
async fn a_node_started_while_redis_is_down_serves_and_joins_when_it_is_up() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let node = Node::start(&url).await;
    // Serving already: pages and sockets do not wait for Redis.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if TcpStream::connect(("127.0.0.1", node.port)).await.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the node did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(node.get("/rain/sockets").await, "HTTP/1.1 200 OK");
    let redis = Redis::start_on(port);
    redis.wait_for_nodes(ROOM, 1).await;
    redis.wait_for_nodes(DUMMY, 1).await;
    node.stop().await;
}

#[tokio::test]
async fn a_url_that_is_not_a_redis_url_is_an_error() {
    let error = example().await.redis("http://127.0.0.1:6379").unwrap_err();
    assert!(error.to_string().contains("is not a Redis URL"), "{error}");
    let error = example()
        .await
        .redis("redis://127.0.0.1:6379?protocol=resp2")
        .unwrap_err();
    assert!(error.to_string().contains("RESP3"), "{error}");
}
