//! Binary payloads: bytes that travel as Socket.IO binary attachments, not as JSON numbers.
//!
//! Any [`Bytes`] inside a payload that socketioxide serializes becomes one attachment of a `BINARY_EVENT` or `BINARY_ACK` packet, and
//! every attachment a client sends arrives in the `Bytes` at its place: in [`Data<T>`], in acks,
//! in typed events, in emits to rooms. Clients send and receive them as `ArrayBuffer`s (or Node
//! `Buffer`s), byte for byte.
//!
//! [`Binary`] is `Bytes` for payload types that also derive `ts_rs::TS`: its TypeScript type is
//! `ArrayBuffer`, which is what the browser runtime hands a listener. (A `Bytes` field in such a
//! type needs `#[ts(type = "ArrayBuffer")]` instead; ts-rs would otherwise not know it.)
//!
//! What a client may send is bounded by [`crate::limits`]: at most 64 attachments a packet, all of
//! them within `max_payload` bytes, arriving within 10 s; past that the connection is closed and
//! the handler never sees the packet.
//!
//! [`Data<T>`]: socketioxide::extract::Data

use std::ops::Deref;

pub use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes sent as one binary attachment, typed `ArrayBuffer` in the client bindings.
///
/// ```
/// use rain_core::{Binary, ts_rs::TS};
///
/// #[derive(serde::Serialize, serde::Deserialize, TS)]
/// struct Image {
///     r#type: String,
///     data: Binary,
/// }
///
/// assert_eq!(Image::inline(&Default::default()), "{ type: string, data: ArrayBuffer, }");
/// let image = Image { r#type: "image/png".into(), data: Binary::from(vec![137, 80, 78, 71]) };
/// assert_eq!(&image.data[..], b"\x89PNG");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Binary(pub Bytes);

impl Binary {
    /// The bytes, without copying them.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl Deref for Binary {
    type Target = Bytes;

    fn deref(&self) -> &Bytes {
        &self.0
    }
}

impl AsRef<[u8]> for Binary {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Bytes> for Binary {
    fn from(bytes: Bytes) -> Self {
        Self(bytes)
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes.into())
    }
}

impl From<&'static [u8]> for Binary {
    fn from(bytes: &'static [u8]) -> Self {
        Self(Bytes::from_static(bytes))
    }
}

impl From<Binary> for Bytes {
    fn from(binary: Binary) -> Self {
        binary.0
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Bytes::deserialize(deserializer).map(Self)
    }
}

impl ts_rs::TS for Binary {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(_: &ts_rs::Config) -> String {
        "ArrayBuffer".to_owned()
    }

    fn inline(config: &ts_rs::Config) -> String {
        Self::name(config)
    }
}
