//! The startup check of the app's states: every `State<T>` a `#[websocket]` or `#[intent]`
//! function takes names a type the app was given with [`App::state`](crate::App::state).

use super::error::Error;
use crate::{base::state::States, registry::Registry};

/// The first function of `registry` (sockets in namespace order, then intents) that reads a
/// state `states` lacks, as the error naming it and the type.
pub(super) fn check(registry: &Registry, states: &States) -> Result<(), Error> {
    for socket in registry.sockets() {
        if let Some(missing) = socket.states().find(|&ty| !states.has(ty)) {
            return Err(Error::MissingState {
                handler: format!(
                    "`{}`, the handler of socket `{}` of `{}` ({}),",
                    socket.handler(),
                    socket.name(),
                    socket.module_id(),
                    socket.location(),
                ),
                type_name: (missing.name)(),
            });
        }
    }
    for intent in registry.intents() {
        if let Some(missing) = intent.states().find(|&ty| !states.has(ty)) {
            return Err(Error::MissingState {
                handler: format!(
                    "`{}`, the function of intent `{}` `{}` of `{}` ({}),",
                    intent.handler().unwrap_or_default(),
                    intent.category(),
                    intent.action(),
                    intent.module_id(),
                    intent.location(),
                ),
                type_name: (missing.name)(),
            });
        }
    }
    Ok(())
}
