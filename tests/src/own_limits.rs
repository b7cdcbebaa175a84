//! Sockets that set their own limits on their attribute, over the app's: the end-to-end tests
//! run this server with a slow app-wide rate (`RAIN_EVENT_RATE=1`), so that a burst is counted
//! exactly, and a short idle timeout.

use rain_core::prelude::*;

/// One socket per limit it sets, and one that keeps the app's; each acks `count` with 1.
#[component(name = "limits", version = "1.0")]
mod limits {
    use super::*;

    fn count(socket: &SocketRef) {
        socket.on("count", async || 1);
    }

    /// Takes 120 events at once, then one a second.
    #[websocket("burst", event_rate = 1, event_burst = 120)]
    async fn burst(socket: SocketRef) {
        count(&socket);
    }

    /// No rate limit, whatever the app's.
    #[websocket("unlimited", event_rate = 0)]
    async fn unlimited(socket: SocketRef) {
        count(&socket);
    }

    /// Never disconnected for being idle.
    #[websocket("forever", idle_timeout = "never")]
    async fn forever(socket: SocketRef) {
        count(&socket);
    }

    /// Disconnected after half a second without an event.
    #[websocket("impatient", idle_timeout = "500ms")]
    async fn impatient(socket: SocketRef) {
        count(&socket);
    }

    /// The app's limits.
    #[websocket("plain")]
    async fn plain(socket: SocketRef) {
        count(&socket);
    }
}
