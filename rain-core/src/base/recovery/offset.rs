//! Offsets on packets: appended to an event's arguments, taken off another node's.

use socketioxide_core::{
    Str, Value,
    packet::{Packet, PacketData},
};

/// Whether `packet` gets an offset: an event without an ack request, as JSON text.
pub(super) fn numbered(packet: &Packet) -> bool {
    matches!(
        &packet.inner,
        PacketData::Event(Value::Str(..), None) | PacketData::BinaryEvent(Value::Str(..), None)
    )
}

/// `packet` with `offset` as its last argument (a packet that is not an event without an ack
/// request, or is not JSON text, is returned unchanged).
pub(super) fn with_offset(packet: Packet, offset: &str) -> Packet {
    let Packet { inner, ns } = packet;
    let inner = match inner {
        PacketData::Event(Value::Str(data, bins), None) => {
            PacketData::Event(Value::Str(append(&data, offset), bins), None)
        }
        PacketData::BinaryEvent(Value::Str(data, bins), None) => {
            PacketData::BinaryEvent(Value::Str(append(&data, offset), bins), None)
        }
        other => other,
    };
    Packet { inner, ns }
}

/// An offset as Rain writes them, `"<epoch>-<seq>"` (8 and 1 to 16 hex digits), as its epoch
/// and sequence number. The one rule for the server and the test client (`client/socket.js`
/// has its own).
pub(crate) fn parse_offset(text: &str) -> Option<(u32, u64)> {
    let (epoch, seq) = text.split_once('-')?;
    // `from_str_radix` alone would take a sign.
    let hex = |digits: &str| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit());
    if epoch.len() != 8 || seq.len() > 16 || !hex(epoch) || !hex(seq) {
        return None;
    }
    Some((
        u32::from_str_radix(epoch, 16).ok()?,
        u64::from_str_radix(seq, 16).ok()?,
    ))
}

/// Whether `text` is an offset as Rain writes them (see [`parse_offset`]).
pub(super) fn is_offset(text: &str) -> bool {
    parse_offset(text).is_some()
}

/// `packet` without the offset another node appended (`,"<epoch>-<seq>"` last).
pub(super) fn strip_offset(packet: Packet) -> Packet {
    let Packet { inner, ns } = packet;
    let strip = |data: Str| -> Str {
        let text = data.as_str();
        let Some(body) = text.strip_suffix("\"]") else {
            return data;
        };
        let Some(comma) = body.rfind(",\"") else {
            return data;
        };
        if !is_offset(&body[comma + 2..]) {
            return data;
        }
        let mut out = String::with_capacity(comma + 1);
        out.push_str(&body[..comma]);
        out.push(']');
        Str::from(out)
    };
    let inner = match inner {
        PacketData::Event(Value::Str(data, bins), None) => {
            PacketData::Event(Value::Str(strip(data), bins), None)
        }
        PacketData::BinaryEvent(Value::Str(data, bins), None) => {
            PacketData::BinaryEvent(Value::Str(strip(data), bins), None)
        }
        other => other,
    };
    Packet { inner, ns }
}

/// `["event",...]` as `["event",...,"<offset>"]`.
fn append(data: &Str, offset: &str) -> Str {
    let text = data.as_str();
    let Some(open) = text.strip_suffix(']') else {
        return data.clone();
    };
    let mut out = String::with_capacity(text.len() + offset.len() + 3);
    out.push_str(open);
    out.push_str(",\"");
    out.push_str(offset);
    out.push_str("\"]");
    Str::from(out)
}

pub(super) fn packet_size(packet: &Packet) -> usize {
    match &packet.inner {
        PacketData::Event(value, _) | PacketData::BinaryEvent(value, _) => match value {
            Value::Str(data, bins) => {
                data.as_str().len() + bins.iter().flatten().map(|b| b.len()).sum::<usize>()
            }
            Value::Bytes(bytes) => bytes.len(),
        },
        _ => 0,
    }
}
