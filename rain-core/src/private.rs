//! Not public API. Used by generated code.
//!
//! Everything `#[component]`, `#[websocket]` and `#[intent]` expand to names an item of this module by its
//! absolute path (`::rain_core::__private::...`), so user crates need no other dependency. It
//! only re-exports: each item lives in the layer it belongs to.

pub use inventory;
pub use rust_embed;
pub use socketioxide::handler::{ConnectHandler, FromConnectParts};

pub use crate::base::ack::Ack;
pub use crate::base::state::{NotState, Probe, StateOf, StateType};
pub use crate::features::intents::call::{
    IntentAnswer, IntentArgument, IntentFunction, assert_intent_answer, assert_intent_argument,
    call_intent,
};
pub use crate::registry::{
    events::Events,
    intents::{AnswerOf, KnownType, TypeOf, UnknownType, unknown_type},
    names::event_name,
    registration::{
        AssetsFns, ComponentKey, ComponentRegistration, IntentProvider, IntentRegistration,
        Location, SocketRegistration,
    },
    settings::SocketSettings,
};
pub use crate::socket::{
    connect::SocketHandler,
    guard::Guard,
    mount::{Mount, SocketArgument, assert_socket_argument, mount},
};
