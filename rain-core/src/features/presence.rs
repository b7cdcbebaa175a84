//! Presence: who is connected to a socket, on every node, with joins and leaves pushed to the
//! clients that ask for them.
//!
//! A `#[websocket]` handler opts in by taking a [`Presence`]. Its socket then counts as a
//! [`Member`] of that socket (namespace) until it disconnects: by its user when there is one,
//! otherwise by its socket id. [`Presence::list`] lists the members on every node of the app (see
//! [`crate::cluster`]).
//!
//! ```no_run
//! use rain_core::prelude::*;
//!
//! #[component(name = "chat", version = "1.0")]
//! mod chat {
//!     use super::*;
//!
//!     #[websocket("room")]
//!     async fn room(socket: SocketRef, presence: Presence) {
//!         let members = presence.list().await;
//!         socket.emit("welcome", &json!({ "me": presence.me(), "present": members.len() })).ok();
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! # On the wire
//!
//! One event, `rain:presence` ([`EVENT`]):
//!
//! - the client emits `rain:presence` with an acknowledgement callback; the ack is
//!   `{ "me": Member, "members": [Member] }`, and from then on this socket receives the changes;
//! - the server emits `rain:presence` with `{ "joined": Member }` when a socket of a member
//!   connects (a member with two tabs joins twice: key members by `id`), and `{ "left": Member }`
//!   when the last socket of a member is gone, on any node.
//!
//! A member is `{ "id": "...", "kind": "user" }` or `{ "id": "<socket id>", "kind": "socket" }`.
//! Clients that never ask receive nothing. Changes on other nodes while Redis is away are not
//! replayed when it is back; asking again gives the list as it is.
//!
//! ```js
//! const socket = this.viewContext.getWebSocket("room");
//! const { me, members } = await socket.emitWithAck("rain:presence", null);
//! socket.on("rain:presence", ({ joined, left }) => { /* ... */ });
//! ```
//!
//! A socket leaves when it disconnects, whether or not a handler sets its own disconnect handler
//! with [`SocketRef::on_disconnect`](crate::SocketRef::on_disconnect). (One set through
//! socketioxide's own `on_disconnect` replaces Rain's: the leave is then announced once the
//! socket is dropped, that is, when no task holds a [`SocketRef`] to it any more.)

use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use serde::{Deserialize, Serialize};
use socketioxide::{
    handler::{FromConnectParts, Value},
    socket::Socket,
};

use crate::{
    base::adapter::{AckSender, Adapter, SocketIo},
    socket::socket_ref::SocketRef,
};

/// The event clients ask for presence with, and receive its changes by.
pub const EVENT: &str = "rain:presence";

/// The room of the sockets that receive presence changes.
const WATCHERS: &str = "rain:presence";

/// The start of every member room: `rain:member:<kind>:<id>`.
const MEMBER_ROOM: &str = "rain:member:";

/// One who is present: a user, or a socket when there is no user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Member {
    /// The user's id, or the socket id.
    pub id: String,
    /// Which of the two `id` is.
    pub kind: MemberKind,
}

/// What a [`Member`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberKind {
    /// A logged-in user, however many sockets they have open.
    User,
    /// A socket with no user.
    Socket,
}

impl Member {
    /// The room every socket of this member is in.
    fn room(&self) -> String {
        let kind = match self.kind {
            MemberKind::User => "user",
            MemberKind::Socket => "socket",
        };
        format!("{MEMBER_ROOM}{kind}:{}", self.id)
    }

    /// The member whose room is `room`, if it is a member room.
    fn of_room(room: &str) -> Option<Self> {
        let (kind, id) = room.strip_prefix(MEMBER_ROOM)?.split_once(':')?;
        let kind = match kind {
            "user" => MemberKind::User,
            "socket" => MemberKind::Socket,
            _ => return None,
        };
        Some(Self {
            id: id.to_owned(),
            kind,
        })
    }
}

/// Who `socket` is, for presence: its user when there is one, otherwise the socket itself.
///
/// The one place that decides a socket's member identity.
fn member_of(socket: &Socket<Adapter>) -> Member {
    match super::session::of(socket)
        .ok()
        .and_then(|session| session.user().cloned())
    {
        Some(user) => Member {
            id: user.id,
            kind: MemberKind::User,
        },
        None => Member {
            id: socket.id.to_string(),
            kind: MemberKind::Socket,
        },
    }
}

/// A change pushed to the clients that asked for presence.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Change<'a> {
    Joined(&'a Member),
    Left(&'a Member),
}

/// What a client's `rain:presence` is acknowledged with.
#[derive(Serialize)]
struct Snapshot<'a> {
    me: &'a Member,
    members: Vec<Member>,
}

/// The presence of a socket's members, on every node: a `#[websocket]` handler argument that
/// makes the socket a member (see the [module](self)).
///
/// Cheap to clone; it holds no reference to the socket, so it may be kept in event handlers.
#[derive(Clone)]
pub struct Presence {
    io: SocketIo,
    namespace: Arc<str>,
    me: Member,
}

impl std::fmt::Debug for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presence")
            .field("namespace", &self.namespace)
            .field("me", &self.me)
            .finish()
    }
}

impl Presence {
    /// This socket's member.
    pub fn me(&self) -> &Member {
        &self.me
    }

    /// Every member of this socket (namespace) on every node, sorted, each once.
    ///
    /// Nodes that do not answer in time (see [`crate::cluster`]) are left out; without Redis, or
    /// while it is away, the list is this node's.
    pub async fn list(&self) -> Vec<Member> {
        let Some(namespace) = self.io.of(&*self.namespace) else {
            return Vec::new();
        };
        let rooms = match namespace.clone().rooms().await {
            Ok(rooms) => rooms,
            Err(error) => {
                tracing::warn!(%error, namespace = %self.namespace, "presence listed on this node only");
                namespace.local().rooms().await.unwrap_or_default()
            }
        };
        let mut members: Vec<Member> = rooms.iter().filter_map(|r| Member::of_room(r)).collect();
        members.sort();
        members.dedup();
        members
    }

    /// Tells the clients that asked that `change` happened.
    async fn announce(&self, change: Change<'_>) {
        let Some(namespace) = self.io.of(&*self.namespace) else {
            return;
        };
        if let Err(error) = namespace.to(WATCHERS).emit(EVENT, &change).await {
            tracing::warn!(%error, namespace = %self.namespace, "presence change not announced");
        }
    }

    /// Announces that this socket's member left, unless another socket of it is still here.
    async fn leave(&self, leaving: &str) {
        if self.me.kind == MemberKind::User {
            let Some(namespace) = self.io.of(&*self.namespace) else {
                return;
            };
            let others = namespace.within(self.me.room()).fetch_sockets().await;
            if others.is_ok_and(|s| s.iter().any(|s| s.data().id.as_str() != leaving)) {
                return;
            }
        }
        self.announce(Change::Left(&self.me)).await;
    }
}

/// Kept in the socket's extensions: announces the leave when the socket is dropped, unless its
/// disconnect handler did.
#[derive(Clone)]
struct Departure(Arc<DepartureInner>);

struct DepartureInner {
    presence: Presence,
    socket: String,
    announced: AtomicBool,
}

impl DepartureInner {
    fn first(&self) -> bool {
        !self.announced.swap(true, Ordering::AcqRel)
    }
}

impl Drop for DepartureInner {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.first() {
            let (presence, socket) = (self.presence.clone(), std::mem::take(&mut self.socket));
            runtime.spawn(async move { presence.leave(&socket).await });
        }
    }
}

impl FromConnectParts<Adapter> for Presence {
    type Error = Infallible;

    fn from_connect_parts(
        s: &Arc<Socket<Adapter>>,
        auth: &Option<Value>,
    ) -> Result<Self, Infallible> {
        let presence = Self {
            io: SocketIo::from_connect_parts(s, auth)?,
            namespace: s.ns().into(),
            me: member_of(s),
        };
        // A handler taking `Presence` twice makes the socket a member once.
        if s.extensions.get::<Departure>().is_some() {
            return Ok(presence);
        }
        s.join(presence.me.room());
        let departure = Departure(Arc::new(DepartureInner {
            presence: presence.clone(),
            socket: s.id.to_string(),
            announced: AtomicBool::new(false),
        }));
        s.extensions.insert(departure.clone());
        crate::socket::departure::add(
            s,
            Box::new(move |socket, _| {
                let sid = socket.id.to_string();
                if departure.0.first() {
                    tokio::spawn(async move { departure.0.presence.leave(&sid).await });
                }
            }),
        );
        let asked = presence.clone();
        crate::socket::on::on_unrouted(s, EVENT, async move |socket: SocketRef, ack: AckSender| {
            socket.join(WATCHERS);
            let members = asked.list().await;
            let snapshot = Snapshot {
                me: &asked.me,
                members,
            };
            if let Err(error) = ack.send(&snapshot) {
                tracing::debug!(%error, "presence snapshot not sent");
            }
        });
        let socket = SocketRef::from_connect_parts(s, auth)?;
        let me = presence.me.clone();
        tokio::spawn(async move {
            if let Err(error) = socket.to(WATCHERS).emit(EVENT, &Change::Joined(&me)).await {
                tracing::warn!(%error, "presence change not announced");
            }
        });
        Ok(presence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_round_trips_through_its_room() {
        for member in [
            Member {
                id: "alice:with:colons".to_owned(),
                kind: MemberKind::User,
            },
            Member {
                id: "abc123".to_owned(),
                kind: MemberKind::Socket,
            },
        ] {
            assert_eq!(Member::of_room(&member.room()), Some(member));
        }
        assert_eq!(Member::of_room(WATCHERS), None);
        assert_eq!(Member::of_room("everyone"), None);
    }

    #[test]
    fn members_and_changes_on_the_wire() {
        let member = Member {
            id: "s1".to_owned(),
            kind: MemberKind::Socket,
        };
        assert_eq!(
            serde_json::to_value(Change::Joined(&member)).unwrap(),
            serde_json::json!({ "joined": { "id": "s1", "kind": "socket" } })
        );
        assert_eq!(
            serde_json::to_value(Change::Left(&member)).unwrap(),
            serde_json::json!({ "left": { "id": "s1", "kind": "socket" } })
        );
    }
}
