//! One HTTP `GET`, written by hand over a `TcpStream`.
//!
//! Why not hyper's client: it needs hyper-util's `client-legacy` and http-body-util, more to
//! build for the one request a test makes at a time. An HTTP/1.0 request is enough: the server
//! answers it without chunks and closes the connection, so the body is the rest of the stream.

use std::net::SocketAddr;

use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpStream,
};

use super::error::TestError;

/// `GET path` with `headers` (`name: value` lines); the status and the body, as text.
pub(super) async fn get(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, String), TestError> {
    let io = |context: String| move |source| TestError::Io { context, source };
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(io(format!("cannot connect to {addr}")))?;
    let mut request = format!("GET {path} HTTP/1.0\r\nhost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(io(format!("cannot send GET {path}")))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .map_err(io(format!("cannot read the answer to GET {path}")))?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .ok_or_else(|| TestError::Protocol(format!("not an HTTP answer to GET {path}: {head}")))?;
    Ok((status, body.to_owned()))
}
