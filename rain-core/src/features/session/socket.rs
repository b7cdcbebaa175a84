//! Sessions on the socket side: the session read from a socket's handshake, and the extractors of
//! socket handlers.

use std::{convert::Infallible, fmt, future::Future, sync::Arc};

use socketioxide::{
    extract::TryData,
    handler::{ConnectMiddleware, FromConnectParts, FromMessageParts, Value as Payload},
    socket::Socket,
};

use super::{Auth, Session, SessionError, Sessions, User};
use crate::base::adapter::Adapter;

/// The session read when the socket connected, kept in the socket's extensions.
#[derive(Clone)]
struct Presented(Result<Session, SessionError>);

/// The connect middleware that reads a socket's session and keeps it with the socket.
///
/// Rain puts it on every component socket. A namespace mounted by hand (see
/// [`App::on_socket_io`](crate::App::on_socket_io)) that wants sessions adds it last, so that it
/// runs before its other middleware: `handler.with(guard).with(ReadSession)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadSession;

impl ConnectMiddleware<Adapter, ()> for ReadSession {
    fn call<'a>(
        &'a self,
        socket: Arc<Socket<Adapter>>,
        auth: &'a Option<Payload>,
    ) -> impl Future<Output = Result<(), Box<dyn fmt::Display + Send>>> + Send {
        read(&socket, auth);
        std::future::ready(Ok(()))
    }
}

/// Reads the session `socket`'s handshake presents (its cookie, or its auth payload's `token`)
/// and keeps it with the socket: what [`ReadSession`] does, and what the app has every
/// component socket do before its guards run.
pub(crate) fn read(socket: &Arc<Socket<Adapter>>, auth: &Option<Payload>) {
    let parts = socket.req_parts();
    let presented = match parts.extensions.get::<Sessions>() {
        Some(sessions) => {
            let Ok(TryData(auth)) = TryData::<Auth>::from_connect_parts(socket, auth);
            sessions.of_handshake(&parts.headers, auth.ok())
        }
        None => Err(SessionError::NotConfigured),
    };
    // Most sockets of a public page present nothing: for those, nothing is stored (and no
    // extensions map allocated); [`of`] reads the absence as `Missing`.
    if !matches!(presented, Err(SessionError::Missing)) {
        socket.extensions.insert(Presented(presented));
    }
}

/// Who a socket's client is, for a recovery: its session's id, which changes when the user logs
/// in or out; `None` without a session.
pub(crate) fn owner(socket: &Socket<Adapter>) -> Option<String> {
    of(socket).ok().map(|session| session.id().to_owned())
}

/// The session of a connected socket, or why it has none. An expiry passed since it connected
/// counts.
pub fn of(socket: &Socket<Adapter>) -> Result<Session, SessionError> {
    let Presented(presented) = socket
        .extensions
        .get::<Presented>()
        .unwrap_or(Presented(Err(SessionError::Missing)));
    let session = presented?;
    if session.is_expired() {
        return Err(SessionError::Expired);
    }
    Ok(session)
}

/// Implements the connect and message extractor traits for `$type`, read from the socket by
/// `$read`: the session is the socket's, whichever handler asks.
macro_rules! socket_extractor {
    ($type:ty, $error:ty, $read:expr) => {
        impl FromConnectParts<Adapter> for $type {
            type Error = $error;

            fn from_connect_parts(
                socket: &Arc<Socket<Adapter>>,
                _: &Option<Payload>,
            ) -> Result<Self, $error> {
                $read(socket)
            }
        }

        impl FromMessageParts<Adapter> for $type {
            type Error = $error;

            fn from_message_parts(
                socket: &Arc<Socket<Adapter>>,
                _: &mut Payload,
                _: &Option<i64>,
            ) -> Result<Self, $error> {
                $read(socket)
            }
        }
    };
}

pub(super) fn user_of(socket: &Socket<Adapter>) -> Result<User, SessionError> {
    of(socket)?.contents.user.ok_or(SessionError::NotLoggedIn)
}

/// The logged-in user of a socket, or `None`: a socket argument that never fails.
///
/// [`User`] as an argument fails without a user (the handler is not called); this one lets the
/// handler decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaybeUser(pub Option<User>);

socket_extractor!(Session, SessionError, of);
socket_extractor!(User, SessionError, user_of);
socket_extractor!(MaybeUser, Infallible, |socket: &Arc<Socket<Adapter>>| {
    Ok(MaybeUser(user_of(socket).ok()))
});
