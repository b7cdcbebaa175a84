//! Panics in guards and handlers: caught, logged with their message, never past one event.

use std::{any::Any, future::Future, panic::AssertUnwindSafe, task::Poll};

/// What the client's ack receives when the handler (or a guard) panicked.
pub(crate) const INTERNAL_ERROR: &str = "internal error";

/// What a handler's task ended with: its output, or the panic that ended it.
pub(crate) type Outcome<T> = Result<T, Box<dyn Any + Send>>;

/// The text of a panic, when it has one.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Runs `future`, catching a panic in any of its polls.
///
/// Not `tokio::spawn`'s own catching: awaiting a `JoinHandle` to learn of the panic would take a
/// second task per event.
pub(crate) async fn catch_unwind<F: Future>(future: F) -> Outcome<F::Output> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_read_from_str_and_string() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&42), "(no message)");
    }
}
