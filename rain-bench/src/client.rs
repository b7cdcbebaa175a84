//! A Socket.IO v5 client over an Engine.IO v4 WebSocket, just enough for the benchmark: connect to
//! one namespace, emit (text events, or a binary event with one attachment and an ack request),
//! and check every packet that comes back. Engine.IO pings are answered.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::{net::TcpStream, time::timeout};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Bytes, Message},
};

/// How long any single reply may take before the run fails.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong talking to a server.
pub(crate) type Failure = String;

/// The JSON that stands for the first attachment of a binary packet.
const PLACEHOLDER: &str = r#"{"_placeholder":true,"num":0}"#;

/// One Engine.IO WebSocket message other than a ping.
enum Frame {
    Text(String),
    Binary(Bytes),
}

/// One Engine.IO connection with one Socket.IO namespace connected.
pub(crate) struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// `42<namespace>,` : the start of every event packet of the namespace.
    event_prefix: String,
    /// The namespace, as packets name it.
    namespace: String,
    /// The id of the next ack this client asks for.
    next_ack: u64,
}

impl Client {
    /// Opens a WebSocket to the server on `port` (with Nagle's algorithm off, as browsers have it)
    /// and connects `namespace`.
    pub(crate) async fn connect(port: u16, namespace: &str) -> Result<Self, Failure> {
        let url = format!("ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket");
        let (ws, _) = timeout(
            REPLY_TIMEOUT,
            tokio_tungstenite::connect_async_with_config(url, None, true),
        )
        .await
        .map_err(|_| "WebSocket handshake timed out".to_owned())?
        .map_err(|e| format!("WebSocket handshake failed: {e}"))?;
        let mut client = Self {
            ws,
            event_prefix: format!("42{namespace},"),
            namespace: namespace.to_owned(),
            next_ack: 0,
        };
        let open = client.next_text().await?;
        if !open.starts_with("0{") {
            return Err(format!("expected an Engine.IO open packet, got {open:?}"));
        }
        client.send(format!("40{namespace},")).await?;
        let connected = client.next_text().await?;
        let expected = format!("40{namespace},{{\"sid\":");
        if !connected.starts_with(&expected) {
            return Err(format!("expected {expected:?}..., got {connected:?}"));
        }
        Ok(client)
    }

    /// Sends one raw Socket.IO packet.
    pub(crate) async fn send(&mut self, packet: String) -> Result<(), Failure> {
        self.ws
            .send(Message::text(packet))
            .await
            .map_err(|e| format!("send failed: {e}"))
    }

    /// Emits `event` with a JSON `payload` on the namespace.
    pub(crate) async fn emit(&mut self, event: &str, payload: &str) -> Result<(), Failure> {
        let packet = format!("{}[\"{event}\",{payload}]", self.event_prefix);
        self.send(packet).await
    }

    /// Waits for the next event of the namespace and checks it is exactly `event` with `payload`
    /// (on a recoverable socket: after its `rain:recovery` announcement, with an offset last).
    pub(crate) async fn expect(&mut self, event: &str, payload: &str) -> Result<(), Failure> {
        let mut text = self.next_text().await?;
        let announcement = format!("{}[\"rain:recovery\",", self.event_prefix);
        if text.starts_with(&announcement) {
            text = self.next_text().await?;
        }
        let body = text
            .strip_prefix(self.event_prefix.as_str())
            .ok_or_else(|| format!("expected an event packet, got {text:?}"))?;
        let args = body
            .strip_prefix("[\"")
            .and_then(|rest| rest.strip_prefix(event))
            .and_then(|rest| rest.strip_prefix("\","))
            .and_then(|rest| rest.strip_suffix(']'));
        let without_offset = args
            .and_then(|args| args.strip_suffix('"'))
            .and_then(|args| args.rfind(",\"").map(|comma| &args[..comma]));
        let matches = args == Some(payload) || without_offset == Some(payload);
        if matches {
            Ok(())
        } else {
            Err(format!("expected [{event:?},{payload}], got {body}"))
        }
    }

    /// Emits `event` with `bytes` as its one argument, sent as a binary attachment, and asks for
    /// an ack; then waits for that ack and checks that it is the answer to this emit (its id) and
    /// carries the same bytes, as one attachment: the same length, then byte for byte.
    pub(crate) async fn echo_binary(&mut self, event: &str, bytes: &Bytes) -> Result<(), Failure> {
        let id = self.next_ack;
        self.next_ack += 1;
        let namespace = &self.namespace;
        self.send(format!("451-{namespace},{id}[\"{event}\",{PLACEHOLDER}]"))
            .await?;
        self.ws
            .send(Message::Binary(bytes.clone()))
            .await
            .map_err(|e| format!("send failed: {e}"))?;

        let header = match self.next_frame().await? {
            Frame::Text(text) => text,
            Frame::Binary(bin) => {
                return Err(format!("expected a binary ack, got {} bytes", bin.len()));
            }
        };
        let expected = format!("461-{},{id}", self.namespace);
        let args = header
            .strip_prefix(expected.as_str())
            .ok_or_else(|| format!("expected {expected}[{PLACEHOLDER}], got {header:?}"))?;
        let args: String = args.chars().filter(|c| !c.is_whitespace()).collect();
        // Any order of the placeholder's two keys.
        let alternative = r#"[{"num":0,"_placeholder":true}]"#;
        if args != format!("[{PLACEHOLDER}]") && args != alternative {
            return Err(format!(
                "expected {expected}[{PLACEHOLDER}], got {header:?}"
            ));
        }
        match self.next_frame().await? {
            Frame::Binary(back) if back.len() != bytes.len() => Err(format!(
                "the ack's attachment has {} bytes, {} were sent",
                back.len(),
                bytes.len()
            )),
            // Byte for byte, not only a checksum.
            Frame::Binary(back) if back != bytes => {
                Err("the ack's attachment differs from the bytes sent".to_owned())
            }
            Frame::Binary(_) => Ok(()),
            Frame::Text(text) => Err(format!("expected the ack's attachment, got {text:?}")),
        }
    }

    /// The next Engine.IO text packet other than a ping (which it answers).
    async fn next_text(&mut self) -> Result<String, Failure> {
        match self.next_frame().await? {
            Frame::Text(text) => Ok(text),
            Frame::Binary(bin) => Err(format!("unexpected binary frame of {} bytes", bin.len())),
        }
    }

    /// The next Engine.IO message other than a ping (which it answers).
    async fn next_frame(&mut self) -> Result<Frame, Failure> {
        loop {
            let message = timeout(REPLY_TIMEOUT, self.ws.next())
                .await
                .map_err(|_| "no reply in time".to_owned())?
                .ok_or_else(|| "the server closed the connection".to_owned())?
                .map_err(|e| format!("receive failed: {e}"))?;
            match message {
                Message::Text(text) if text.as_str() == "2" => {
                    self.send("3".to_owned()).await?;
                }
                Message::Text(text) => return Ok(Frame::Text(text.as_str().to_owned())),
                Message::Binary(bin) => return Ok(Frame::Binary(bin)),
                Message::Ping(_) | Message::Pong(_) => {}
                other => return Err(format!("unexpected frame {other:?}")),
            }
        }
    }

    /// Reads and answers pings until the server closes the connection or `stop` fires; for idle
    /// connections, which must stay alive but send nothing.
    pub(crate) async fn idle(mut self, stop: tokio::sync::watch::Receiver<bool>) {
        let mut stop = stop;
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                message = self.ws.next() => match message {
                    Some(Ok(Message::Text(text))) if text.as_str() == "2" => {
                        if self.send("3".to_owned()).await.is_err() {
                            break;
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
            }
        }
    }

    /// Closes the WebSocket.
    pub(crate) async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
