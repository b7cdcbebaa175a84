//! The measurements, each against one running server, each bounded in time and in count.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::{mpsc, watch},
    task::JoinSet,
};

use tokio_tungstenite::tungstenite::Bytes;

use crate::{
    client::{Client, Failure},
    server::Server,
};

/// The `hello` → `bye` socket.
pub(crate) const DUMMY: &str = "/intents-example-1.0/chat/dummy socket";
/// The broadcasting chat room.
pub(crate) const ROOM: &str = "/bench-1.0/room";
/// The socket that acks every `bin` with the bytes it carried.
pub(crate) const ECHO: &str = "/bench-1.0/echo";
const HELLO: &str = r#"{"ignored":true}"#;
const BYE: &str = r#"{"message":"Hello sir"}"#;
/// Connections opened at once, so that a server's accept queue never overflows.
const CONNECT_BATCH: usize = 100;

/// Round trips at one concurrency.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Load {
    /// Round trips per second.
    pub(crate) per_second: f64,
    /// Median latency.
    pub(crate) p50: Duration,
    /// 99th percentile latency.
    pub(crate) p99: Duration,
    /// Server CPU time (user + system) per round trip.
    pub(crate) cpu_per_round_trip: Duration,
}

/// Opens `count` connections to `namespace`, `CONNECT_BATCH` at a time.
async fn connect_many(port: u16, namespace: &str, count: usize) -> Result<Vec<Client>, Failure> {
    let mut clients = Vec::with_capacity(count);
    while clients.len() < count {
        let batch = CONNECT_BATCH.min(count - clients.len());
        let mut set = JoinSet::new();
        for _ in 0..batch {
            let namespace = namespace.to_owned();
            set.spawn(async move { Client::connect(port, &namespace).await });
        }
        while let Some(joined) = set.join_next().await {
            clients.push(joined.map_err(|e| e.to_string())??);
        }
    }
    Ok(clients)
}

/// What one round trip of [`round_trips`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exchange {
    /// `hello` at [`DUMMY`], answered by `bye`.
    Hello,
    /// `bin` at [`ECHO`] carrying this many bytes as one binary attachment, with an ack request;
    /// the ack carries the same bytes back.
    Binary(usize),
}

impl Exchange {
    /// The namespace it is made at.
    pub(crate) fn namespace(self) -> &'static str {
        match self {
            Exchange::Hello => DUMMY,
            Exchange::Binary(_) => ECHO,
        }
    }

    /// What connection `index` sends each time: for a binary round trip, `size` bytes of its
    /// own (so that a reply meant for another connection would not match).
    pub(crate) fn payload(self, index: usize) -> Bytes {
        match self {
            Exchange::Hello => Bytes::new(),
            Exchange::Binary(size) => {
                let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ (index as u64 + 1);
                let mut bytes = Vec::with_capacity(size + 8);
                while bytes.len() < size {
                    // xorshift64
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    bytes.extend_from_slice(&state.to_le_bytes());
                }
                bytes.truncate(size);
                bytes.into()
            }
        }
    }

    /// One round trip, its reply checked.
    pub(crate) async fn once(self, client: &mut Client, payload: &Bytes) -> Result<(), Failure> {
        match self {
            Exchange::Hello => {
                client.emit("hello", HELLO).await?;
                client.expect("bye", BYE).await
            }
            Exchange::Binary(_) => client.echo_binary("bin", payload).await,
        }
    }
}

/// Round trips of `exchange` on `connections` connections, each waiting for its reply before
/// the next emit, for `warmup` unmeasured and then `duration` (or `max_each` round trips each).
pub(crate) async fn round_trips(
    server: &Server,
    clock_ticks: u64,
    exchange: Exchange,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    max_each: usize,
) -> Result<Load, Failure> {
    let clients = connect_many(server.port, exchange.namespace(), connections).await?;
    let start = Instant::now() + warmup;
    let end = start + duration;
    let mut set = JoinSet::new();
    for (index, mut client) in clients.into_iter().enumerate() {
        let payload = exchange.payload(index);
        set.spawn(async move {
            let mut latencies = Vec::with_capacity(max_each.min(1 << 16));
            while Instant::now() < start {
                exchange.once(&mut client, &payload).await?;
            }
            while latencies.len() < max_each {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                exchange.once(&mut client, &payload).await?;
                latencies.push(sent.elapsed());
            }
            client.close().await;
            Ok::<_, Failure>(latencies)
        });
    }
    tokio::time::sleep_until(start.into()).await;
    let cpu_before = server.cpu_time(clock_ticks)?;
    let mut latencies = Vec::new();
    while let Some(joined) = set.join_next().await {
        latencies.extend(joined.map_err(|e| e.to_string())??);
    }
    let elapsed = start.elapsed();
    let cpu = server.cpu_time(clock_ticks)?.saturating_sub(cpu_before);
    if latencies.is_empty() {
        return Err("no round trip completed".to_owned());
    }
    latencies.sort_unstable();
    let count = latencies.len();
    Ok(Load {
        per_second: count as f64 / elapsed.as_secs_f64(),
        p50: latencies[count / 2],
        p99: latencies[(count * 99 / 100).min(count - 1)],
        cpu_per_round_trip: cpu / count as u32,
    })
}

/// Resident memory per idle connection: the growth of `VmRSS` when `count` connections, each with
/// the `hello` socket connected, sit idle (answering pings), divided by `count`.
pub(crate) async fn idle_memory(server: &Server, count: usize) -> Result<f64, Failure> {
    // One connection first, so that what a server sets up once is in the baseline.
    let mut first = Client::connect(server.port, DUMMY).await?;
    first.emit("hello", HELLO).await?;
    first.expect("bye", BYE).await?;
    first.close().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = server.resident_bytes()?;

    let clients = connect_many(server.port, DUMMY, count).await?;
    let (stop, stopped) = watch::channel(false);
    let mut set = JoinSet::new();
    for client in clients {
        set.spawn(client.idle(stopped.clone()));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = server.resident_bytes()?;
    let alive = set.len();
    let _ = stop.send(true);
    while set.join_next().await.is_some() {}
    if alive != count {
        return Err(format!(
            "{} of {count} idle connections closed early",
            count - alive
        ));
    }
    Ok((after as f64 - before as f64) / count as f64)
}

/// Time from one client's `message` emit until all `clients` (the sender too) have it, for each of
/// `rounds` messages.
pub(crate) async fn broadcast(
    server: &Server,
    clients: usize,
    rounds: usize,
) -> Result<Vec<Duration>, Failure> {
    let mut all = connect_many(server.port, ROOM, clients).await?;
    let mut sender = all.pop().ok_or("no clients")?;
    let receivers = all.len();
    let counts: Arc<Vec<AtomicUsize>> =
        Arc::new((0..rounds).map(|_| AtomicUsize::new(0)).collect());
    let (done, mut completed) = mpsc::unbounded_channel::<(usize, Instant)>();
    let mut set = JoinSet::new();
    for mut client in all {
        let counts = Arc::clone(&counts);
        let done = done.clone();
        set.spawn(async move {
            for (round, count) in counts.iter().enumerate() {
                client.expect("message", &message(round)).await?;
                if count.fetch_add(1, Ordering::AcqRel) + 1 == receivers {
                    let _ = done.send((round, Instant::now()));
                }
            }
            client.close().await;
            Ok::<_, Failure>(())
        });
    }
    drop(done);
    let mut times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let sent = Instant::now();
        sender.emit("message", &message(round)).await?;
        sender.expect("message", &message(round)).await?;
        let echoed = Instant::now();
        let last = if receivers == 0 {
            echoed
        } else {
            let (finished, at) = tokio::time::timeout(Duration::from_secs(30), completed.recv())
                .await
                .map_err(|_| format!("broadcast {round} did not reach every client"))?
                .ok_or("receivers failed")?;
            if finished != round {
                return Err(format!("broadcast {finished} finished during {round}"));
            }
            at
        };
        times.push(last.max(echoed) - sent);
    }
    sender.close().await;
    while let Some(joined) = set.join_next().await {
        joined.map_err(|e| e.to_string())??;
    }
    Ok(times)
}

fn message(round: usize) -> String {
    format!(r#"{{"n":{round}}}"#)
}

/// One file of the browser runtime as served.
#[derive(Debug, Clone)]
pub(crate) struct RuntimeFile {
    /// Its name under `/rain/`.
    pub(crate) name: String,
    /// Bytes sent to a client that takes gzip (`Accept-Encoding: gzip`), as Rain sends them.
    pub(crate) gzipped: usize,
    /// Bytes sent to a client that does not (no `Accept-Encoding`).
    pub(crate) identity: usize,
}

/// Every module of the browser runtime that `/rain/runtime.js` imports, fetched from `server`
/// twice: with `Accept-Encoding: gzip`, which must come gzipped, and without, as it is.
pub(crate) async fn runtime_size(server: &Server) -> Result<Vec<RuntimeFile>, Failure> {
    let mut pending = vec!["runtime.js".to_owned()];
    let mut files = Vec::new();
    while let Some(name) = pending.pop() {
        if files.iter().any(|f: &RuntimeFile| f.name == name) {
            continue;
        }
        let path = format!("/rain/{name}");
        let (head, gzipped) = http_get(server.port, &path, &["Accept-Encoding: gzip"]).await?;
        if !head.contains("\r\ncontent-encoding: gzip") {
            return Err(format!(
                "GET {path} with Accept-Encoding: gzip came uncompressed"
            ));
        }
        let (_, body) = http_get(server.port, &path, &[]).await?;
        let text = String::from_utf8_lossy(&body);
        for quote in ["from \"./", "import \"./"] {
            for (at, _) in text.match_indices(quote) {
                let rest = &text[at + quote.len()..];
                if let Some(end) = rest.find('"') {
                    pending.push(rest[..end].to_owned());
                }
            }
        }
        files.push(RuntimeFile {
            name,
            gzipped: gzipped.len(),
            identity: body.len(),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// `GET path` over HTTP/1.1 with `extra` header lines; the head (lowercase) and body of a `200`
/// response, the body as it came over the wire.
async fn http_get(port: u16, path: &str, extra: &[&str]) -> Result<(String, Vec<u8>), Failure> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    let extra: String = extra.iter().map(|line| format!("{line}\r\n")).collect();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .map_err(|_| format!("GET {path} timed out"))?
        .map_err(|e| e.to_string())?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        return Err(format!("GET {path}: {}", head.lines().next().unwrap_or("")));
    }
    let body = &response[split + 4..];
    if head.contains("transfer-encoding: chunked") {
        return Err(format!("GET {path}: chunked responses are not read"));
    }
    Ok((head, body.to_vec()))
}
