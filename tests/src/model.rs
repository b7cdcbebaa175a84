//! RAIN's client model in the browser: a socket that tells every client a tally as it connects,
//! heard by the controllers of two components, a view that loads jQuery (served by the tests
//! from npm) for RAIN's own seed controller, and a page with two versions of one component.

use std::sync::atomic::{AtomicU64, Ordering};

use rain_core::prelude::*;

/// How many clients `tally-1.0/count` has greeted.
static GREETED: AtomicU64 = AtomicU64::new(0);

/// Pushes on connect; its view's controller listens to it.
#[component(name = "tally", version = "1.0", assets = "components/tally")]
mod tally {
    use super::*;

    /// Emits `tally` `{ count }` to each client as it connects, before it has sent anything.
    #[websocket("count")]
    async fn count(socket: SocketRef) {
        let count = GREETED.fetch_add(1, Ordering::Relaxed) + 1;
        socket.emit("tally", &json!({ "count": count })).ok();
    }
}

/// Has no socket: its controller listens to `tally-1.0`'s.
#[component(name = "listener", version = "1.0", assets = "components/listener")]
mod listener {}

/// Has no socket: its view loads jQuery.
#[component(name = "jquery", version = "1.0", assets = "components/jquery")]
mod jquery {}

/// `/model/push`: two components whose controllers listen to one socket that pushes on connect;
/// `/model/seed`: jQuery, then RAIN's seed controller in the intents example's `seed` view;
/// `/model/versions`: both versions of the example's chat, by version fragment.
pub(crate) fn pages(app: App) -> App {
    app.page(
        "/model/push",
        Page::new("Two components hear a push on connect")
            .view("tally-1.0", "index")
            .view("listener-1.0", "index"),
    )
    .page(
        "/model/seed",
        Page::new("RAIN's seed controller, with jQuery")
            .view("jquery-1.0", "index")
            .view("intents-example-1.0", "seed"),
    )
    .page(
        "/model/versions",
        Page::new("Chat 1.0 and 2.0 on one page")
            .view("chat@1", "index")
            .view("chat@2", "index"),
    )
}
