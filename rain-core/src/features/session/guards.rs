//! The session guards: refusing a socket (or an event) without a session or a user.

use super::{socket::of, socket::user_of};
use crate::socket::guard::{GuardContext, Refusal};

/// A guard that refuses a socket (or event) without a valid session, saying why: `no session:
/// log in first`, `session expired: log in again` or `invalid session signature`.
pub fn require_session(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    of(ctx.socket())?;
    Ok(())
}

/// A guard that refuses a socket (or event) without a logged-in user, saying why: the reasons of
/// [`require_session`], or `not logged in: log in first`.
///
/// Guards are plain functions, so one can build on it:
///
/// ```
/// use rain_core::guard::{GuardContext, Refusal};
/// use rain_core::session;
///
/// fn require_admin(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
///     session::require_user(ctx)?;
///     let session = session::of(ctx.socket())?;
///     match session.get::<bool>("admin") {
///         Some(true) => Ok(()),
///         _ => Err("admins only".into()),
///     }
/// }
/// ```
pub fn require_user(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    user_of(ctx.socket())?;
    Ok(())
}
