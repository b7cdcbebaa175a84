//! Intents, as RAIN had them: a page asks for something by category and action, and whichever
//! component provides it answers, with no page knowing which component that is.
//!
//! A component declares the intents it serves with [`#[intent]`](macro@crate::intent). A *server
//! intent* is an `async fn` of the component, called with the intent's context and the caller's
//! session; what it returns is the answer. A *view intent* names one of the component's views;
//! the page shows that view.
//!
//! ```
//! use rain_core::prelude::*;
//! use rain_core::session::MaybeUser;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct LogRequest {
//!     message: String,
//! }
//!
//! #[component(name = "journal", version = "1.0")]
//! mod journal {
//!     use super::*;
//!
//!     /// Logs the message; answers what was logged, and by whom.
//!     #[intent(category = "com.rain.test.general", action = "com.rain.test.serverside.INLINE_LOGGING")]
//!     async fn log(Data(request): Data<LogRequest>, MaybeUser(user): MaybeUser) -> Value {
//!         tracing::info!(message = %request.message, "logged");
//!         json!({ "logged": request.message, "by": user.map(|user| user.name) })
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! In the browser, `clientRuntime.messaging.sendIntent({ viewContext, category, action,
//! intentContext })` returns a promise of the answer; the generated bindings type it for each
//! server intent ([`crate::bindings`]).
//!
//! # On the wire
//!
//! Every intent goes over one socket of Rain's own, at the namespace `/rain/intents`
//! ([`intents_namespace`](crate::registry::intents_namespace)), mounted when the app declares at
//! least one intent; pages list it in their manifest as `{ moduleId: "rain", name: "intents" }`.
//! It reads the session and is admitted as every component socket is, and the app's event rate
//! limit applies to it; it has no idle timeout, since a page sends intents now and then.
//!
//! The client emits the event `intent` with one argument, `{ "category": string, "action":
//! string, "context"?: any }`, and an ack callback; the ack receives exactly one of:
//!
//! | answer | when |
//! |---|---|
//! | `{ "value": <what the function returned> }` | a server intent's function answered (`()` answers `null`) |
//! | `{ "view": { "moduleId": "chat-1.0", "view": "index" } }` | a view intent |
//! | `{ "error": "no intent for category `X` and action `Y`" }` | no component provides it |
//! | `{ "error": "the intent request has no `category`; ..." }` | the request is not `{ category, action, context }`, naming the field |
//! | `{ "error": "intent context is N bytes, over the limit of M" }` | the context is over [`intent_context_bytes`](crate::Limits::intent_context_bytes); the function does not run |
//! | `{ "error": "intent context refused: <why>" }` | an argument cannot be extracted: a context `Data<T>` cannot read (what serde expected), a `User` nobody is logged in as |
//! | `{ "error": "<the guard's reason>" }` | a guard of the intent refused it |
//! | `{ "error": "<the error, displayed>" }` | the function returned `Err` |
//! | `{ "error": "internal error" }` | the function panicked (logged; the socket and the server keep serving) |
//!
//! An `intent` sent without an ack callback is not answered, and its function does not run
//! (logged at `debug`). Intents are counted in `rain_intents_total` ([`crate::metrics`]), and
//! listed on `/rain`.

pub(crate) mod call;
mod wire;

use std::{
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use socketioxide::{handler::Value, socket::Socket};

use self::wire::{Answer, EVENT, Request, ViewAnswer};
use crate::{
    base::{
        ack::{IntoAck, Reply},
        adapter::{Adapter, SocketIo},
        limits::Limits,
        metrics::{IntentMeters, IntentOutcome, Metrics},
    },
    registry::{
        Intent, Registry,
        discover::Mounting,
        names::{INTENTS_SOCKET, RAIN_MODULE_ID, intents_namespace},
        registration::{IntentFuture, IntentProvider},
    },
    socket::{
        config::SocketConfig,
        guard::GuardContext,
        handler::{EventHandler, ExtractionError},
        mount::{self, Mount},
        panic::{INTERNAL_ERROR, panic_message},
        socket_ref::SocketRef,
    },
};

/// Mounts the intents socket on `io`, when `registry` declares at least one intent: every
/// intent answered under the app's `limits`, counted in `metrics`.
pub(crate) fn mount(
    io: &SocketIo,
    registry: &Registry,
    limits: &Limits,
    mounting: &Mounting<'_>,
    metrics: &Metrics,
) {
    if registry.intents().is_empty() {
        return;
    }
    let entries = registry
        .intents()
        .iter()
        .map(|intent| Entry {
            meters: metrics.intent_meters(intent.category(), intent.action()),
            intent: intent.clone(),
        })
        .collect();
    // A page sends intents now and then: its intents socket has no idle timeout.
    let socket_limits = Limits {
        idle_timeout: None,
        recover: None,
        ..limits.clone()
    };
    let config = Arc::new(SocketConfig::new(
        RAIN_MODULE_ID.to_owned(),
        INTENTS_SOCKET,
        &[],
        &[],
        &socket_limits,
        None,
    ));
    let dispatcher = Dispatcher(Arc::new(Intents {
        entries,
        undeclared: metrics.intent_meters("", ""),
        context_limit: limits.intent_context_bytes,
        config: Arc::clone(&config),
    }));
    let connect = move |socket: SocketRef| {
        socket.on(EVENT, dispatcher.clone());
        std::future::ready(())
    };
    let mount = Mount {
        namespace: intents_namespace(),
        config,
        read_handshake: mounting.read_handshake,
        owner: mounting.owner,
    };
    mount::mount(io, mount, connect);
}

/// One declared intent, with its counters.
struct Entry {
    intent: Intent,
    meters: IntentMeters,
}

/// Every intent of the app, as the intents socket answers them.
struct Intents {
    /// Sorted by category and action.
    entries: Vec<Entry>,
    /// The counters of the requests that name no declared intent, or are not requests.
    undeclared: IntentMeters,
    context_limit: usize,
    /// The intents socket's configuration, whose guard runner the intents' guards go through.
    config: Arc<SocketConfig>,
}

impl Intents {
    /// Answers `value`, an `intent` event's arguments, from `socket`: at once, but for a server
    /// intent whose function is then running.
    fn start(self: &Arc<Self>, socket: &Arc<Socket<Adapter>>, value: Value) -> Answering {
        let request = match Request::read(value) {
            Ok(request) => request,
            Err(error) => {
                self.undeclared.count(IntentOutcome::Invalid);
                tracing::debug!(sid = %socket.id, %error, "intent request refused");
                return Answering::Ready(Some(Answer::Error(error)));
            }
        };
        let key = (request.category.as_str(), request.action.as_str());
        let Ok(index) = self
            .entries
            .binary_search_by(|e| (e.intent.category(), e.intent.action()).cmp(&key))
        else {
            self.undeclared.count(IntentOutcome::Unknown);
            let error = format!(
                "no intent for category `{}` and action `{}`",
                request.category, request.action
            );
            tracing::debug!(sid = %socket.id, %error, "unknown intent");
            return Answering::Ready(Some(Answer::Error(error)));
        };
        let entry = &self.entries[index];
        let bytes = request.context_bytes();
        if bytes > self.context_limit {
            let error = format!(
                "intent context is {bytes} bytes, over the limit of {}",
                self.context_limit
            );
            let answer = self.ended(index, IntentOutcome::Refused, Answer::Error(error));
            return Answering::Ready(Some(answer));
        }
        let guards = entry.intent.guards();
        if !guards.is_empty() {
            let sender = SocketRef::from_arc(socket);
            let context = GuardContext::new(&sender, Some(EVENT));
            if let Err(refusal) = self.config.check(guards, &context) {
                let error = Answer::Error(refusal.message().to_owned());
                return Answering::Ready(Some(self.ended(index, IntentOutcome::Refused, error)));
            }
        }
        let answer = match *entry.intent.provider() {
            IntentProvider::View { view, .. } => {
                let answer = Answer::View(ViewAnswer {
                    module_id: entry.intent.module_id().to_owned(),
                    view,
                });
                self.ended(index, IntentOutcome::View, answer)
            }
            IntentProvider::Server { call, .. } => {
                let context = request.into_context();
                match std::panic::catch_unwind(AssertUnwindSafe(|| call(socket, context))) {
                    Ok(Ok(future)) => {
                        return Answering::Running(Running {
                            future,
                            intents: Arc::clone(self),
                            index,
                        });
                    }
                    Ok(Err(error)) => {
                        let error = Answer::Error(error);
                        self.ended(index, IntentOutcome::Refused, error)
                    }
                    Err(panic) => self.panicked(index, &*panic),
                }
            }
        };
        Answering::Ready(Some(answer))
    }

    /// Counts and logs how the intent of entry `index` ended with `answer`, and returns it.
    fn ended(&self, index: usize, outcome: IntentOutcome, answer: Answer) -> Answer {
        let entry = &self.entries[index];
        entry.meters.count(outcome);
        let (category, action) = (entry.intent.category(), entry.intent.action());
        match &answer {
            Answer::Error(error) => tracing::debug!(
                category, action, outcome = outcome.label(), %error, "intent not answered"
            ),
            _ => tracing::debug!(
                category,
                action,
                outcome = outcome.label(),
                "intent answered"
            ),
        }
        answer
    }

    /// Logs the panic of entry `index`'s function, and returns its answer: an internal error.
    fn panicked(&self, index: usize, panic: &(dyn std::any::Any + Send)) -> Answer {
        let intent = &self.entries[index].intent;
        tracing::error!(
            category = intent.category(),
            action = intent.action(),
            panic = panic_message(panic),
            "intent function panicked"
        );
        let error = Answer::Error(INTERNAL_ERROR.to_owned());
        self.ended(index, IntentOutcome::Panic, error)
    }
}

/// The handler of `intent` events on the intents socket.
#[derive(Clone)]
struct Dispatcher(Arc<Intents>);

/// What the dispatcher's [`EventHandler`] takes: the event as it comes.
struct Requests;

impl EventHandler<Requests> for Dispatcher {
    type Output = Answered;
    type Future = Answering;

    fn start(
        &self,
        socket: Arc<Socket<Adapter>>,
        value: Value,
        ack_id: Option<i64>,
    ) -> Result<Answering, ExtractionError> {
        if ack_id.is_none() {
            tracing::debug!(sid = %socket.id, "intent sent without an ack callback: ignored");
            return Ok(Answering::Ready(None));
        }
        Ok(self.0.start(&socket, value))
    }
}

/// An intent's answer, on its way: ready, or its server function running.
enum Answering {
    /// Answered at once (`None`: nobody asked).
    Ready(Option<Answer>),
    /// A server intent's function is running.
    Running(Running),
}

/// A server intent's function, running.
struct Running {
    future: IntentFuture,
    intents: Arc<Intents>,
    index: usize,
}

impl Future for Answering {
    type Output = Answered;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answered> {
        let running = match self.get_mut() {
            Answering::Ready(answer) => return Poll::Ready(Answered(answer.take())),
            Answering::Running(running) => running,
        };
        let polled =
            std::panic::catch_unwind(AssertUnwindSafe(|| running.future.as_mut().poll(cx)));
        let (intents, index) = (&running.intents, running.index);
        let answer = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Reply::Value(value))) => {
                intents.ended(index, IntentOutcome::Value, Answer::Value(value))
            }
            // `call_intent` answers `null` for a function that returns nothing.
            Ok(Poll::Ready(Reply::Nothing)) => {
                let null = Answer::Value(serde_json::Value::Null);
                intents.ended(index, IntentOutcome::Value, null)
            }
            Ok(Poll::Ready(Reply::Error(error))) => {
                intents.ended(index, IntentOutcome::Error, Answer::Error(error))
            }
            Err(panic) => intents.panicked(index, &*panic),
        };
        Poll::Ready(Answered(Some(answer)))
    }
}

/// The ack of an `intent` event: its answer, or nothing when the client asked for none.
struct Answered(Option<Answer>);

impl IntoAck for Answered {
    type Payload = Answer;

    fn into_ack(self) -> Reply<Answer> {
        self.0.map_or(Reply::Nothing, Reply::Value)
    }
}
