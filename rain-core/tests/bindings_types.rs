//! Payload types with serde attributes come out in TypeScript as serde puts them on the wire.
//!
//! The whole `.d.ts` is compared with `tests/golden/bindings_types.d.ts`, reviewed like code;
//! regenerate it with `RAIN_BLESS=1 cargo test -p rain-core --test bindings_types` and read the
//! diff. The key lines are also asserted one by one, so that a blessed regression still fails.

use std::collections::{BTreeMap, HashMap};

use rain_core::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a client posts.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    /// A `u64`: a JSON number.
    pub room_id: u64,
    /// Renamed on the wire.
    #[serde(rename = "body")]
    pub text: String,
    /// Present, maybe `null`.
    pub reply_to: Option<PostId>,
    /// May be left out.
    #[ts(optional)]
    #[serde(default)]
    pub thread: Option<u32>,
    /// Defaults to empty when left out.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A raw identifier: `type` on the wire.
    pub r#type: PostKind,
    /// Where on the canvas.
    pub position: (f64, f64),
    /// Externally tagged.
    pub attachment: Attachment,
    /// A map keyed by user name.
    pub mentions: HashMap<String, UserRef>,
    /// Anything at all.
    pub extra: serde_json::Value,
    /// Bytes, sent as a binary attachment: an `ArrayBuffer`.
    pub thumbnail: Binary,
    /// Never on the wire.
    #[serde(skip)]
    pub received_at: Option<u64>,
}

/// The id of a post: a newtype, transparent on the wire.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
pub struct PostId(pub u64);

/// A unit-only enum: a union of strings.
#[derive(Debug, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum PostKind {
    /// `plain-text`.
    PlainText,
    /// `rich-text`.
    RichText,
    /// Renamed variant.
    #[serde(rename = "md")]
    Markdown,
}

/// Externally tagged, serde's default: `{ "Variant": content }`, or the name of a unit variant.
#[derive(Debug, Serialize, Deserialize, TS)]
pub enum Attachment {
    /// A newtype variant.
    Link(String),
    /// A struct variant.
    Image {
        /// Its address.
        url: String,
        /// Pixels.
        width: u32,
    },
    /// A tuple variant.
    Size(u16, u16),
    /// A unit variant.
    Nothing,
}

/// A user, named `User` on both sides.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename = "User", rename_all = "camelCase")]
pub struct UserRef {
    /// A `u64`.
    pub user_id: u64,
    /// What others see.
    pub display_name: String,
}

/// What the server sends about a post.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub struct Posted {
    /// The new post's id.
    pub post_id: PostId,
    /// Who posted it.
    pub posted_by: UserRef,
    /// Left out when `None`, and typed so with `#[ts(optional)]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub edited_at: Option<u64>,
    /// Left out when empty, defaulted when missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<String>,
    /// Counts per reaction, sorted.
    pub counts: BTreeMap<String, u32>,
    /// Flattened into this object.
    #[serde(flatten)]
    pub meta: Meta,
}

/// Fields flattened into [`Posted`].
#[derive(Debug, Serialize, TS)]
pub struct Meta {
    /// Seconds since the epoch.
    pub at: u64,
}

/// Internally tagged, variants renamed.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Activity {
    /// A struct variant: its fields beside the tag.
    UserJoined {
        /// Who.
        user: UserRef,
    },
    /// A newtype variant of a struct: its fields beside the tag.
    UserLeft(UserRef),
    /// A unit variant: the tag alone.
    Cleared,
}

/// Adjacently tagged.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "kind", content = "data")]
pub enum Reply {
    /// Some text.
    Text(String),
    /// A count.
    Count(u64),
    /// Nothing: the tag alone.
    Empty,
}

/// Untagged: whichever matches.
#[derive(Debug, Deserialize, TS)]
#[serde(untagged)]
pub enum Lookup {
    /// By id.
    Id(PostId),
    /// By text.
    Search {
        /// Words to find.
        query: String,
    },
}

/// Why a post was refused; named like TypeScript's own `Error`, which the declarations still
/// mean where they say `globalThis.Error`.
#[derive(Debug, Serialize, TS)]
pub struct Error {
    /// What went wrong.
    pub message: String,
}

/// A unit struct: `null` on the wire.
#[derive(Debug, Serialize, TS)]
pub struct Cleared;

/// A member of the board, used only as a type argument.
#[derive(Debug, Serialize, TS)]
pub struct Member {
    /// Who.
    pub user: UserRef,
    /// Since when, in seconds since the epoch.
    pub since: u64,
}

/// A generic page of results.
#[derive(Debug, Serialize, TS)]
pub struct Paged<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// The cursor of the next page, if any.
    pub next: Option<String>,
}

rain_core::events! {
    /// Every kind of payload.
    pub Board {
        /// The client posts; the ack is the post's id, or why it was refused.
        post: receive Post => Result<PostId, Error>,
        /// The server announces a post, and wants to know it was shown.
        posted: emit Posted => bool,
        /// Who came and went.
        activity: emit Activity,
        /// A user joins (the type is used by two events and by other types).
        joined: emit UserRef,
        /// The client looks posts up; a page of them comes back.
        lookup: receive Lookup => Paged<Posted>,
        /// The client asks for the members; a page of them comes back.
        members: receive () => Paged<Member>,
        /// Adjacently tagged.
        reply: emit Reply,
        /// A tuple payload; a keyword as the event name.
        r#move: receive (f64, f64),
        /// A unit payload.
        ping: receive () => u64,
        /// An untyped value.
        raw: emit serde_json::Value,
        /// A unit struct.
        cleared: emit Cleared,
    }
}

/// Payloads of every shape.
#[component(name = "board", version = "1.0")]
pub mod board {
    use super::*;

    /// Typed by [`Board`].
    #[websocket("posts")]
    async fn posts(_socket: TypedSocket<Board>) {}

    /// Untyped: its payloads are `unknown`.
    #[websocket("misc")]
    async fn misc(_socket: SocketRef) {}
}

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/bindings_types.d.ts"
);

fn dts() -> String {
    App::discover().unwrap().bindings().unwrap().dts
}

#[test]
fn declarations_match_the_golden_file() {
    let dts = dts();
    // `RAIN_BLESS=1` rewrites the golden file instead of comparing, like `TRYBUILD=overwrite`.
    if std::env::var_os("RAIN_BLESS").is_some() {
        std::fs::write(GOLDEN, &dts).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap_or_default();
    if golden != dts {
        let diff = similar::TextDiff::from_lines(&golden, &dts)
            .unified_diff()
            .header("golden", "generated")
            .to_string();
        panic!("the declarations differ from {GOLDEN} (RAIN_BLESS=1 to accept):\n{diff}");
    }
}

/// The declaration of one payload type, from `export type <name>` up to the next blank line.
fn declaration(dts: &str, name: &str) -> String {
    let start = format!("export type {name}");
    let at = dts
        .find(&start)
        .unwrap_or_else(|| panic!("no `{start}` in\n{dts}"));
    let end = dts[at..].find("\n\n").map_or(dts.len(), |end| at + end);
    // Field docs break lines; what matters here is the types.
    dts[at..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("/**") && !l.starts_with('*'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn fields_go_by_their_serde_names() {
    let post = declaration(&dts(), "Post");
    for field in [
        "roomId: number,",
        "body: string,",
        "replyTo: PostId | null,",
        "thread?: number,",
        "tags: Array<string>,",
        "type: PostKind,",
        "position: [number, number],",
        "attachment: Attachment,",
        "mentions: { [key in string]: User },",
        "extra: JsonValue,",
        "thumbnail: ArrayBuffer,",
    ] {
        assert!(post.contains(field), "`{field}` missing in: {post}");
    }
    for absent in ["room_id", "text", "r#type", "receivedAt", "received_at"] {
        assert!(!post.contains(absent), "`{absent}` in: {post}");
    }
    let posted = declaration(&dts(), "Posted");
    for field in [
        "\"post-id\": PostId,",
        "\"posted-by\": User,",
        "\"edited-at\"?: number,",
        "reactions?: Array<string>,",
        "counts: { [key in string]: number },",
        "at: number",
    ] {
        assert!(posted.contains(field), "`{field}` missing in: {posted}");
    }
}

#[test]
fn types_go_by_their_serde_names() {
    let dts = dts();
    assert!(dts.contains("export type User = {"), "{dts}");
    assert!(!dts.contains("UserRef"), "{dts}");
    assert_eq!(declaration(&dts, "PostId"), "export type PostId = number;");
}

#[test]
fn payload_types_may_take_the_names_of_typescript_globals() {
    let dts = dts();
    assert!(dts.contains("export type Error = {"), "{dts}");
    assert!(
        dts.contains("(error: globalThis.Error & { data?: unknown })"),
        "{dts}"
    );
    assert_eq!(declaration(&dts, "Cleared"), "export type Cleared = null;");
}

#[test]
fn large_integers_are_numbers() {
    let dts = dts();
    assert!(!dts.contains("bigint"), "{dts}");
    assert!(dts.contains("\"ping\": (payload: null, ack: (reply: number) => void) => void;"));
}

#[test]
fn enums_are_tagged_as_serde_tags_them() {
    let dts = dts();
    assert_eq!(
        declaration(&dts, "PostKind"),
        r#"export type PostKind = "plain-text" | "rich-text" | "md";"#
    );
    assert_eq!(
        declaration(&dts, "Attachment"),
        r#"export type Attachment = { "Link": string } | { "Image": { url: string, width: number, } } | { "Size": [number, number] } | "Nothing";"#
    );
    assert_eq!(
        declaration(&dts, "Activity"),
        r#"export type Activity = { "type": "user_joined", user: User, } | { "type": "user_left" } & User | { "type": "cleared" };"#
    );
    assert_eq!(
        declaration(&dts, "Reply"),
        r#"export type Reply = { "kind": "Text", "data": string } | { "kind": "Count", "data": number } | { "kind": "Empty" };"#
    );
    assert_eq!(
        declaration(&dts, "Lookup"),
        "export type Lookup = PostId | { query: string, };"
    );
}

#[test]
fn generic_types_are_declared_once_with_their_parameters() {
    let dts = dts();
    assert_eq!(dts.matches("export type Paged<T> = {").count(), 1, "{dts}");
    assert!(
        dts.contains("\"lookup\": (payload: Lookup, ack: (reply: Paged<Posted>) => void) => void;")
    );
    assert!(
        dts.contains("\"members\": (payload: null, ack: (reply: Paged<Member>) => void) => void;")
    );
    // Only a type argument of the second `Paged`, and declared all the same.
    assert!(dts.contains("export type Member = {"), "{dts}");
}

#[test]
fn every_type_is_declared_once() {
    let dts = dts();
    for name in [
        "Post",
        "PostId",
        "PostKind",
        "Attachment",
        "User",
        "Posted",
        "Activity",
        "Reply",
        "Lookup",
        "JsonValue",
    ] {
        let declared = format!("export type {name} =");
        assert_eq!(dts.matches(&declared).count(), 1, "{declared}");
    }
    // Flattened into `Posted`, not declared.
    assert!(!dts.contains("export type Meta"), "{dts}");
}

#[test]
fn events_carry_their_payload_and_ack_types() {
    let dts = dts();
    for line in [
        "\"post\": (payload: Post, ack: (reply: { Ok : PostId } | { Err : Error }) => void) => void;",
        "\"posted\": (payload: Posted, ack: (reply: boolean) => void) => void;",
        "\"activity\": (payload: Activity) => void;",
        "\"joined\": (payload: User) => void;",
        "\"reply\": (payload: Reply) => void;",
        "\"move\": (payload: [number, number]) => void;",
        "\"raw\": (payload: JsonValue) => void;",
        "\"cleared\": (payload: Cleared) => void;",
        "export type BoardMisc = RainSocket<UntypedEvents, UntypedEvents>;",
    ] {
        assert!(dts.contains(line), "`{line}` missing in:\n{dts}");
    }
}
