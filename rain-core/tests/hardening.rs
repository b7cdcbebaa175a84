//! The server's defenses over real sockets on 127.0.0.x, spoken as raw HTTP and Engine.IO
//! long-polling: origin checks and CORS, connection limits by address and in all, and graceful
//! shutdown.

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use rain_core::prelude::*;
use support::dechunk;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpSocket},
    sync::oneshot,
};

mod support;

rain_core::events! {
    /// The events of `guarded/work`.
    pub Work {
        /// Works for the given number of milliseconds, then acks `"done"`.
        slow: receive u64 => String,
    }
}

#[component(name = "guarded", version = "1.0")]
mod guarded {
    use super::*;

    /// Acks every `echo` with its payload.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on("echo", async |Data::<Value>(data), ack: AckSender| {
            ack.send(&data).ok();
        });
    }

    /// A handler that takes its time.
    #[websocket("work")]
    async fn work(socket: TypedSocket<Work>) {
        socket.on(Work::slow, async |_socket, ms| {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            "done".to_owned()
        });
    }
}

const ECHO: &str = "/guarded-1.0/echo";

/// A running app and the means to stop it.
struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<Result<(), rain_core::Error>>,
}

async fn serve(app: App) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(app.serve_with(listener, async {
        stopped.await.ok();
    }));
    Server {
        addr,
        stop: Some(stop),
        served,
    }
}

/// One answer: status, headers (lowercase names) and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends one HTTP/1.1 request from `from` and reads the answer (only the head of a `101`).
async fn http(
    server: SocketAddr,
    from: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0))
        .unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nhost: {server}\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("connection: close\r\n\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    let read = async {
        loop {
            let n = stream.read(&mut buffer).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            received.extend_from_slice(&buffer[..n]);
            if received.starts_with(b"HTTP/1.1 101")
                && received.windows(4).any(|w| w == b"\r\n\r\n")
            {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("an answer within 30 s");
    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let (status_line, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    Answer {
        status: status_line.split(' ').nth(1).unwrap().parse().unwrap(),
        headers: headers.to_owned(),
        body: dechunk(headers, body),
    }
}

const POLLING: &str = "/socket.io/?EIO=4&transport=polling";
const WEBSOCKET: &str = "/socket.io/?EIO=4&transport=websocket";
const UPGRADE: [(&str, &str); 4] = [
    ("connection", "Upgrade"),
    ("upgrade", "websocket"),
    ("sec-websocket-version", "13"),
    ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
];

/// A polling session of `from`: its handshake answer and, when it opened, its id.
async fn handshake(server: SocketAddr, from: &str) -> (Answer, Option<String>) {
    let answer = http(server, from, "GET", POLLING, &[], "").await;
    let sid = (answer.status == 200).then(|| {
        let open: Value = serde_json::from_str(&answer.body[1..]).unwrap();
        open["sid"].as_str().unwrap().to_owned()
    });
    (answer, sid)
}

async fn post(server: SocketAddr, from: &str, sid: &str, body: &str) -> Answer {
    let target = format!("{POLLING}&sid={sid}");
    http(server, from, "POST", &target, &[], body).await
}

/// The packets of one long-polling `GET`, heartbeat pings left out.
async fn poll(server: SocketAddr, from: &str, sid: &str) -> String {
    let target = format!("{POLLING}&sid={sid}");
    let body = http(server, from, "GET", &target, &[], "").await.body;
    let packets: Vec<&str> = body.split('\x1e').filter(|p| *p != "2").collect();
    packets.join("\n")
}

#[tokio::test]
async fn foreign_origins_are_refused_same_and_listed_ones_served() {
    let app = App::discover()
        .unwrap()
        .allowed_origins(["https://app.example"]);
    let server = serve(app).await;
    let addr = server.addr;
    let same = format!("http://{addr}");

    for target in [POLLING, WEBSOCKET] {
        let mut headers = UPGRADE.to_vec();
        headers.push(("origin", "https://evil.example"));
        let refused = http(addr, "127.0.0.1", "GET", target, &headers, "").await;
        assert_eq!(refused.status, 403, "{target}");
        assert!(
            refused
                .body
                .starts_with("origin `https://evil.example` may not use this server's sockets"),
            "{}",
            refused.body
        );
        assert_eq!(refused.header("access-control-allow-origin"), None);
    }

    let mut headers = UPGRADE.to_vec();
    headers.push(("origin", &same));
    let upgraded = http(addr, "127.0.0.1", "GET", WEBSOCKET, &headers, "").await;
    assert_eq!(upgraded.status, 101);
    let polled = http(addr, "127.0.0.1", "GET", POLLING, &[("origin", &same)], "").await;
    assert_eq!(polled.status, 200);
    assert!(polled.body.starts_with("0{\"sid\":"));

    let preflight = http(
        addr,
        "127.0.0.1",
        "OPTIONS",
        POLLING,
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "POST"),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(
        preflight.header("access-control-allow-credentials"),
        Some("true")
    );
}

#[test]
fn a_star_is_not_an_allowed_origin() {
    let error = App::discover()
        .unwrap()
        .allowed_origins(["https://app.example", "*"])
        .router()
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "`*` cannot be an allowed origin: `*` would let every site use the sockets"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn connection_limits_refuse_with_a_reason_and_spare_other_clients() {
    let mut limits = rain_core::Limits::default();
    limits.max_connections = 4;
    limits.max_connections_per_client = 2;
    let server = serve(App::discover().unwrap().limits(limits)).await;
    let addr = server.addr;
    let mut open = Vec::new();
    for from in ["127.0.0.2", "127.0.0.2"] {
        let (answer, sid) = handshake(addr, from).await;
        assert_eq!(answer.status, 200);
        open.push((from, sid.unwrap()));
    }
    let (greedy, _) = handshake(addr, "127.0.0.2").await;
    assert_eq!(greedy.status, 429);
    assert_eq!(
        greedy.body,
        "connection refused: your address has 2 open connections, the most one client may \
         have (max_connections_per_client)"
    );

    for from in ["127.0.0.3", "127.0.0.3"] {
        let (answer, sid) = handshake(addr, from).await;
        assert_eq!(answer.status, 200, "another address is not affected");
        open.push((from, sid.unwrap()));
    }
    let (full, _) = handshake(addr, "127.0.0.4").await;
    assert_eq!(full.status, 503);
    assert_eq!(full.header("retry-after"), Some("5"));
    assert!(
        full.body.contains("its limit (max_connections)"),
        "{}",
        full.body
    );

    // The sessions that were let in work.
    for (from, sid) in &open {
        assert_eq!(
            post(addr, from, sid, &format!("40{ECHO},")).await.status,
            200
        );
        let connected = poll(addr, from, sid).await;
        assert!(
            connected.starts_with(&format!("40{ECHO},")),
            "{connected:?}"
        );
        let asked = post(addr, from, sid, &format!("42{ECHO},7[\"echo\",\"hi\"]")).await;
        assert_eq!(asked.status, 200);
        assert_eq!(poll(addr, from, sid).await, format!("43{ECHO},7[\"hi\"]"));
    }

    // A closed session gives its place back.
    let (from, sid) = open.pop().unwrap();
    post(addr, from, &sid, "1").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (answer, _) = handshake(addr, "127.0.0.4").await;
        if answer.status == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place was never given back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn shutdown_notifies_clients_and_lets_running_handlers_finish() {
    let app = App::discover()
        .unwrap()
        .shutdown_timeout(Duration::from_secs(5));
    let mut server = serve(app).await;
    let addr = server.addr;
    let work = "/guarded-1.0/work";
    let (_, sid) = handshake(addr, "127.0.0.1").await;
    let sid = sid.unwrap();
    post(addr, "127.0.0.1", &sid, &format!("40{work},")).await;
    assert!(poll(addr, "127.0.0.1", &sid).await.starts_with("40"));
    post(
        addr,
        "127.0.0.1",
        &sid,
        &format!("42{work},1[\"slow\",500]"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    server.stop.take().unwrap().send(()).unwrap();
    let mut received = String::new();
    let mut refused_while_draining = false;
    while !received.contains("[\"done\"]") {
        let polled = poll(addr, "127.0.0.1", &sid).await;
        assert!(
            !polled.is_empty(),
            "the session ended before the ack: {received}"
        );
        received.push_str(&polled);
        received.push('\n');
        if received.contains("rain:shutdown") && !refused_while_draining {
            refused_while_draining = true;
            let (during, _) = handshake(addr, "127.0.0.1").await;
            assert_eq!(during.status, 503);
            assert_eq!(
                during.body,
                "connection refused: the server is shutting down"
            );
        }
    }
    assert!(refused_while_draining, "{received}");
    assert!(
        received.contains(&format!(
            "42{work},[\"rain:shutdown\",{{\"reason\":\"the server is shutting down\"}}]"
        )),
        "{received}"
    );
    assert!(
        received.contains(&format!("43{work},1[\"done\"]")),
        "{received}"
    );
    tokio::time::timeout(Duration::from_secs(10), &mut server.served)
        .await
        .expect("the server stops after the handler")
        .unwrap()
        .unwrap();
}
