//! The browser runtime and the bindings over a real socket on 127.0.0.1: gzipped to clients that
//! take gzip, as they are to others, each with its own entity tag; and the runtime within its
//! size budget as served.

use std::{io::Read as _, net::SocketAddr};

use rain_core::prelude::*;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

#[component(name = "packed", version = "1.0")]
mod packed {
    use super::*;

    /// A socket, so that the bindings have something to say.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on("echo", async |Data::<Value>(data), ack: AckSender| {
            ack.send(&data).ok();
        });
    }
}

/// The browser runtime's budget: every module `runtime.js` imports, gzipped as served, in all.
/// The Socket.IO binary protocol (placeholders, reassembly, base64 polling packets, `Blob`s sent
/// in order) takes about 1.7 KB of it.
const RUNTIME_BUDGET: usize = 12_000;

/// The parts of the runtime a page loads only when it first uses them (`import("./x.js")`):
/// mounting views at run time and intents, gzipped as served, in all.
const ON_DEMAND_BUDGET: usize = 2_500;

async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        App::discover()
            .unwrap()
            .serve_with(listener, std::future::pending()),
    );
    addr
}

/// One answer: status, headers (lowercase names) and body bytes.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// `GET path` over HTTP/1.1 with the given extra header lines.
async fn get(server: SocketAddr, path: &str, extra: &[&str]) -> Answer {
    let mut stream = TcpStream::connect(server).await.unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n");
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut response),
    )
    .await
    .expect("the server answers within 10 s")
    .unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an end of headers");
    let headers = String::from_utf8(response[..split].to_vec()).unwrap();
    let status = headers[9..12].parse().unwrap();
    assert!(
        !headers
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{headers}"
    );
    Answer {
        status,
        headers,
        body: response[split + 4..].to_vec(),
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a valid gzip body");
    out
}

/// The modules a module imports: `from "./x.js"` and `import "./x.js"`.
fn imports(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for quote in ["from \"./", "import \"./"] {
        for (at, _) in text.match_indices(quote) {
            let rest = &text[at + quote.len()..];
            found.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    found
}

/// Both representations of a file, checked against each other: the gzipped one decompresses to
/// the plain one, each has its own entity tag, and each tag revalidates only its own.
async fn check_both(server: SocketAddr, path: &str) -> (Answer, Answer) {
    let plain = get(server, path, &[]).await;
    assert_eq!(plain.status, 200, "{path}: {plain:?}");
    assert_eq!(plain.header("content-encoding"), None, "{path}");
    assert_eq!(plain.header("vary"), Some("accept-encoding"), "{path}");

    let gzipped = get(server, path, &["Accept-Encoding: gzip, deflate, br"]).await;
    assert_eq!(gzipped.status, 200, "{path}");
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"), "{path}");
    assert_eq!(gzipped.header("vary"), Some("accept-encoding"), "{path}");
    assert_eq!(
        gzipped.header("content-type"),
        plain.header("content-type"),
        "{path}"
    );
    assert_eq!(
        gzipped.header("content-length"),
        Some(gzipped.body.len().to_string().as_str()),
        "{path}"
    );
    assert_eq!(gunzip(&gzipped.body), plain.body, "{path}");
    assert!(gzipped.body.len() < plain.body.len(), "{path}");

    let plain_tag = plain.header("etag").unwrap();
    let gzip_tag = gzipped.header("etag").unwrap();
    assert_ne!(plain_tag, gzip_tag, "{path}");

    let accept = "Accept-Encoding: gzip";
    let revalidated = get(
        server,
        path,
        &[accept, &format!("If-None-Match: {gzip_tag}")],
    )
    .await;
    assert_eq!(revalidated.status, 304, "{path}");
    assert!(revalidated.body.is_empty(), "{path}");
    assert_eq!(revalidated.header("etag"), Some(gzip_tag), "{path}");
    let weak = get(
        server,
        path,
        &[accept, &format!("If-None-Match: W/{gzip_tag}")],
    )
    .await;
    assert_eq!(weak.status, 304, "{path}: a weak match revalidates");
    let revalidated = get(server, path, &[&format!("If-None-Match: {plain_tag}")]).await;
    assert_eq!(revalidated.status, 304, "{path}");
    // Each tag names one representation: it does not revalidate the other.
    let other = get(
        server,
        path,
        &[accept, &format!("If-None-Match: {plain_tag}")],
    )
    .await;
    assert_eq!(other.status, 200, "{path}");
    assert_eq!(other.header("content-encoding"), Some("gzip"), "{path}");
    let other = get(server, path, &[&format!("If-None-Match: {gzip_tag}")]).await;
    assert_eq!(other.status, 200, "{path}");
    assert_eq!(other.body, plain.body, "{path}");
    (plain, gzipped)
}

#[tokio::test]
async fn runtime_is_gzipped_to_clients_that_take_it_and_within_budget() {
    let server = serve().await;
    let mut pending = vec!["runtime.js".to_owned()];
    let mut sizes: Vec<(String, usize, usize)> = Vec::new();
    while let Some(name) = pending.pop() {
        if sizes.iter().any(|(seen, ..)| *seen == name) {
            continue;
        }
        let (plain, gzipped) = check_both(server, &format!("/rain/{name}")).await;
        pending.extend(imports(std::str::from_utf8(&plain.body).unwrap()));
        sizes.push((name, plain.body.len(), gzipped.body.len()));
    }
    sizes.sort();
    let names: Vec<&str> = sizes.iter().map(|(name, ..)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "components.js",
            "emitter.js",
            "engine.js",
            "messaging.js",
            "protocol.js",
            "runtime.js",
            "socket.js"
        ]
    );
    let total: usize = sizes.iter().map(|(.., gzipped)| gzipped).sum();
    println!("runtime as served (bytes, plain/gzipped): {sizes:?}, {total} gzipped in all");
    assert!(
        total <= RUNTIME_BUDGET,
        "the runtime is {total} bytes gzipped as served, over its budget of {RUNTIME_BUDGET}: {sizes:?}"
    );
}

/// The modules a module imports when first needed: `import("./x.js")`.
fn imports_on_demand(text: &str) -> Vec<String> {
    text.split("import(\"./")
        .skip(1)
        .filter_map(|rest| Some(rest.split_once('"')?.0.to_owned()))
        .collect()
}

#[tokio::test]
async fn parts_loaded_on_demand_are_gzipped_and_within_their_budget() {
    let server = serve().await;
    let mut found = Vec::new();
    for module in ["components.js", "messaging.js"] {
        let (plain, _) = check_both(server, &format!("/rain/{module}")).await;
        found.extend(imports_on_demand(std::str::from_utf8(&plain.body).unwrap()));
    }
    found.sort();
    found.dedup();
    assert_eq!(found, ["intents.js", "mount.js"]);
    let mut total = 0;
    for module in &found {
        let (_, gzipped) = check_both(server, &format!("/rain/{module}")).await;
        total += gzipped.body.len();
    }
    println!("loaded on demand: {found:?}, {total} bytes gzipped");
    assert!(
        total <= ON_DEMAND_BUDGET,
        "the parts loaded on demand are {total} bytes gzipped, over {ON_DEMAND_BUDGET}"
    );
}

#[tokio::test]
async fn bindings_and_types_are_gzipped_too() {
    let server = serve().await;
    for path in [
        "/rain/bindings.js",
        "/rain/bindings.d.ts",
        "/rain/runtime.d.ts",
    ] {
        check_both(server, path).await;
    }
}

#[tokio::test]
async fn clients_that_refuse_gzip_get_the_file_as_it_is() {
    let server = serve().await;
    let plain = get(server, "/rain/socket.js", &[]).await;
    for refusal in [
        "Accept-Encoding: gzip;q=0",
        "Accept-Encoding: gzip; q=0.000, br",
        "Accept-Encoding: identity",
        "Accept-Encoding: *;q=0, identity",
        "Accept-Encoding: br, deflate",
        "Accept-Encoding: gzip;q=0.5, identity;q=1",
        "Accept-Encoding: gzip;q=2",
        "Accept-Encoding:",
    ] {
        let answer = get(server, "/rain/socket.js", &[refusal]).await;
        assert_eq!(answer.status, 200, "{refusal}");
        assert_eq!(answer.header("content-encoding"), None, "{refusal}");
        assert_eq!(answer.body, plain.body, "{refusal}");
        assert_eq!(answer.header("etag"), plain.header("etag"), "{refusal}");
    }
    for acceptance in [
        "Accept-Encoding: GZIP",
        "Accept-Encoding: x-gzip",
        "Accept-Encoding: *",
        "Accept-Encoding: gzip;q=0.001",
        "Accept-Encoding: br;q=1, gzip;q=0.8, identity;q=0.5",
    ] {
        let answer = get(server, "/rain/socket.js", &[acceptance]).await;
        assert_eq!(
            answer.header("content-encoding"),
            Some("gzip"),
            "{acceptance}"
        );
        assert_eq!(gunzip(&answer.body), plain.body, "{acceptance}");
    }
}
