//! The wire formats, client side, as `client/protocol.js` writes and reads them: Engine.IO v4
//! packets over a WebSocket (a type digit, then the data; a binary frame is a message as it is)
//! and Socket.IO v5 packets (`2/a b/c,1["x"]`; binary ones as `51-/a,["x",{"_placeholder":true,
//! "num":0}]` followed by one binary frame per attachment).

use std::collections::VecDeque;

use bytes::Bytes;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use socketioxide_core::{Str, Value as SioValue, parser::Parse as _};
use socketioxide_parser_common::CommonParser;

use crate::base::recovery::parse_offset;

// Engine.IO v4 packet types, as the first character of a text frame.
/// The handshake: `0{"sid":...}`.
pub(super) const OPEN: char = '0';
/// The server closes the session.
pub(super) const CLOSE: char = '1';
/// The server's heartbeat, answered with [`PONG`].
pub(super) const PING: char = '2';
/// The answer to a [`PING`].
pub(super) const PONG: &str = "3";
/// A Socket.IO packet follows.
pub(super) const MESSAGE: char = '4';

/// Socket.IO v5 packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}

/// A decoded Socket.IO packet; a binary one still awaits `attachments` binary frames.
#[derive(Debug)]
pub(super) struct Packet {
    pub(super) kind: Kind,
    pub(super) namespace: String,
    pub(super) id: Option<u64>,
    /// The JSON after the header, as sent (empty when there is none).
    pub(super) json: String,
    pub(super) attachments: usize,
}

/// Decodes the Socket.IO packet of an Engine.IO message (the text after its `4`), as
/// `protocol.js`'s `decode` does: type, attachment count and `-` for binary ones, namespace and
/// `,` unless it is `/`, ack id, JSON.
pub(super) fn decode(text: &str) -> Result<Packet, String> {
    let invalid = || format!("invalid Socket.IO packet `{text}`");
    let mut chars = text.char_indices().peekable();
    let kind = match chars.next().map(|(_, c)| c) {
        Some('0') => Kind::Connect,
        Some('1') => Kind::Disconnect,
        Some('2') => Kind::Event,
        Some('3') => Kind::Ack,
        Some('4') => Kind::ConnectError,
        Some('5') => Kind::BinaryEvent,
        Some('6') => Kind::BinaryAck,
        _ => return Err(invalid()),
    };
    let mut rest = &text[1..];
    let mut attachments = 0;
    if matches!(kind, Kind::BinaryEvent | Kind::BinaryAck) {
        let (count, after) = rest.split_once('-').ok_or_else(invalid)?;
        attachments = count.parse().map_err(|_| invalid())?;
        rest = after;
    }
    let mut namespace = "/".to_owned();
    if rest.starts_with('/') {
        let end = rest.find(',').unwrap_or(rest.len());
        namespace = rest[..end].to_owned();
        rest = rest.get(end + 1..).unwrap_or("");
    }
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let id = match digits {
        0 => None,
        _ => Some(rest[..digits].parse().map_err(|_| invalid())?),
    };
    Ok(Packet {
        kind,
        namespace,
        id,
        json: rest[digits..].to_owned(),
        attachments,
    })
}

/// Encodes a Socket.IO packet as the text of an Engine.IO message (its `4` included); binary
/// packets announce their attachments.
pub(super) fn encode(
    kind: Kind,
    namespace: &str,
    id: Option<u64>,
    json: &str,
    attachments: usize,
) -> String {
    let mut out = String::with_capacity(json.len() + namespace.len() + 8);
    out.push(MESSAGE);
    let kind = match (kind, attachments) {
        (Kind::Event, 1..) => Kind::BinaryEvent,
        (Kind::Ack, 1..) => Kind::BinaryAck,
        (kind, _) => kind,
    };
    out.push(char::from(b'0' + kind as u8));
    if attachments > 0 {
        out.push_str(&format!("{attachments}-"));
    }
    if namespace != "/" {
        out.push_str(namespace);
        out.push(',');
    }
    if let Some(id) = id {
        out.push_str(&id.to_string());
    }
    out.push_str(json);
    out
}

/// An event's arguments as Socket.IO writes them (`["event", ...args]`, or `[...args]` for an
/// ack), with the binaries they hold taken out as attachments, by socketioxide's own encoder: a
/// tuple is several arguments, anything else one, and every `Bytes` (or
/// [`Binary`](crate::Binary)) an attachment.
pub(super) fn args_json<T: Serialize + ?Sized>(
    event: Option<&str>,
    payload: &T,
) -> Result<(String, Vec<Bytes>), String> {
    match CommonParser.encode_value(payload, event) {
        Ok(SioValue::Str(json, binaries)) => Ok((
            json.as_str().to_owned(),
            binaries.map(Vec::from).unwrap_or_default(),
        )),
        Ok(SioValue::Bytes(_)) => Err("the common parser encodes text".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

/// An event or ack that arrived, its attachments with it.
#[derive(Debug, Clone)]
pub(super) struct Received {
    /// The event's name; empty for an ack.
    pub(super) event: String,
    /// The arguments, the event's name left out, each placeholder replaced by its bytes as an
    /// array of numbers (what `Bytes` and `Binary` deserialize from).
    pub(super) args: Vec<Value>,
    /// The JSON array as sent, for deserializing with the binaries in place.
    json: String,
    attachments: Vec<Bytes>,
    /// The id of the ack the server asked for with an event (`emit_with_ack`).
    pub(super) ack_id: Option<u64>,
}

impl Received {
    /// An event (`["name", ...]`) or an ack (`[...]`) and its attachments.
    pub(super) fn new(
        json: String,
        attachments: Vec<Bytes>,
        is_event: bool,
    ) -> Result<Self, String> {
        let mut args: Vec<Value> = serde_json::from_str(&json)
            .map_err(|error| format!("invalid arguments `{json}`: {error}"))?;
        let event = match is_event {
            true => match (!args.is_empty()).then(|| args.remove(0)) {
                Some(Value::String(event)) => event,
                _ => return Err(format!("an event without a name: `{json}`")),
            },
            false => String::new(),
        };
        for arg in &mut args {
            put_attachments(arg, &attachments)?;
        }
        Ok(Self {
            event,
            args,
            json,
            attachments,
            ack_id: None,
        })
    }

    /// Takes off the offset a Rain recoverable namespace appends to an event without an ack id
    /// (`"<epoch>-<seq>"`, 8 and 1 or more hex digits, last), as `client/socket.js` does once
    /// the namespace announced its recovery: listeners never see it.
    pub(super) fn take_offset(&mut self) -> Option<String> {
        let Some(Value::String(last)) = self.args.last() else {
            return None;
        };
        let suffix = format!(",{}]", Value::String(last.clone()));
        if parse_offset(last).is_none() || !self.json.ends_with(&suffix) {
            return None;
        }
        self.json.truncate(self.json.len() - suffix.len());
        self.json.push(']');
        match self.args.pop() {
            Some(Value::String(offset)) => Some(offset),
            _ => None,
        }
    }

    /// The payload, as handlers see one: the one argument, `null` for none, an array of all of
    /// them for several.
    pub(super) fn payload(&self) -> Value {
        match self.args.as_slice() {
            [] => Value::Null,
            [one] => one.clone(),
            several => Value::Array(several.to_vec()),
        }
    }

    /// The payload as `T`, by socketioxide's decoder, as `Data<T>` reads it on the server: a
    /// tuple takes every argument, anything else the first; attachments arrive as `Bytes`.
    pub(super) fn decode<T: DeserializeOwned>(&self) -> Result<T, String> {
        let binaries = (!self.attachments.is_empty())
            .then(|| self.attachments.iter().cloned().collect::<VecDeque<_>>());
        let mut value = SioValue::Str(Str::from(self.json.clone()), binaries);
        CommonParser
            .decode_value(&mut value, !self.event.is_empty())
            .map_err(|error| error.to_string())
    }

    /// The payload as JSON text cut to a readable length, for error messages.
    pub(super) fn shown(&self) -> String {
        shorten(&self.payload().to_string())
    }
}

/// Replaces every `{"_placeholder":true,"num":N}` in `value` by attachment `N`'s bytes.
fn put_attachments(value: &mut Value, attachments: &[Bytes]) -> Result<(), String> {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        if let Some(num) = placeholder(value) {
            let bytes = attachments
                .get(num)
                .ok_or_else(|| format!("placeholder {num} names no attachment"))?;
            *value = Value::Array(bytes.iter().map(|&byte| Value::from(byte)).collect());
            continue;
        }
        match value {
            Value::Array(items) => pending.extend(items.iter_mut()),
            Value::Object(fields) => pending.extend(fields.values_mut()),
            _ => {}
        }
    }
    Ok(())
}

fn placeholder(value: &Value) -> Option<usize> {
    let fields = value.as_object()?;
    if fields.get("_placeholder") != Some(&Value::Bool(true)) {
        return None;
    }
    usize::try_from(fields.get("num")?.as_u64()?).ok()
}

/// `text` cut after 120 characters, with `…`.
pub(super) fn shorten(text: &str) -> String {
    const MAX: usize = 120;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_decode_as_protocol_js_reads_them() {
        let packet =
            decode("51-/chat-1.0/room,7[\"x\",{\"_placeholder\":true,\"num\":0}]").unwrap();
        assert_eq!(packet.kind, Kind::BinaryEvent);
        assert_eq!(packet.namespace, "/chat-1.0/room");
        assert_eq!(packet.id, Some(7));
        assert_eq!(packet.attachments, 1);
        let packet = decode("0/a b,{\"sid\":\"x\"}").unwrap();
        assert_eq!((packet.namespace.as_str(), packet.id), ("/a b", None));
        assert_eq!(packet.json, "{\"sid\":\"x\"}");
        assert_eq!(decode("1/a,").unwrap().json, "");
        assert_eq!(decode("2[\"x\"]").unwrap().namespace, "/");
        assert!(decode("9").is_err());
    }

    #[test]
    fn packets_encode_as_protocol_js_writes_them() {
        assert_eq!(
            encode(Kind::Event, "/a", Some(1), "[\"x\"]", 0),
            "42/a,1[\"x\"]"
        );
        assert_eq!(encode(Kind::Event, "/a", None, "[]", 2), "452-/a,[]");
        assert_eq!(encode(Kind::Connect, "/a", None, "", 0), "40/a,");
        let (json, binaries) = args_json(Some("up"), &Bytes::from_static(b"hi")).unwrap();
        assert_eq!(json, "[\"up\",{\"_placeholder\":true,\"num\":0}]");
        assert_eq!(binaries, [Bytes::from_static(b"hi")]);
        assert_eq!(args_json(None, &("a", 1)).unwrap().0, "[\"a\",1]");
        assert_eq!(args_json(None, "a").unwrap().0, "[\"a\"]");
    }

    #[test]
    fn a_rain_offset_is_taken_off() {
        let json = "[\"message\",{\"text\":\"hi\"},\"0a1b2c3d-1f\"]".to_owned();
        let mut received = Received::new(json, Vec::new(), true).unwrap();
        assert_eq!(received.take_offset().as_deref(), Some("0a1b2c3d-1f"));
        assert_eq!(received.payload(), serde_json::json!({ "text": "hi" }));
        assert_eq!(received.json, "[\"message\",{\"text\":\"hi\"}]");
        let json = "[\"note\",\"not-an-offset\"]".to_owned();
        let mut received = Received::new(json, Vec::new(), true).unwrap();
        assert_eq!(received.take_offset(), None);
        assert_eq!(received.payload(), serde_json::json!("not-an-offset"));
    }

    #[test]
    fn attachments_take_their_placeholders_place() {
        let json = "[\"img\",{\"data\":{\"_placeholder\":true,\"num\":0}}]".to_owned();
        let received = Received::new(json, vec![Bytes::from_static(b"\x01\x02")], true).unwrap();
        assert_eq!(received.event, "img");
        assert_eq!(received.payload(), serde_json::json!({ "data": [1, 2] }));
        #[derive(serde::Deserialize)]
        struct Image {
            data: Bytes,
        }
        assert_eq!(&received.decode::<Image>().unwrap().data[..], b"\x01\x02");
    }
}
