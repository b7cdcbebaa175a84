use rain_core::prelude::*;

#[component(name = "limited", version = "1.0")]
mod limited {
    use super::*;

    #[websocket("cursor", event_rate = 120, event_burst = 240)]
    async fn cursor(_socket: SocketRef) {}

    // A burst alone keeps the app's rate; a rate of 0 sets none, as for the app.
    #[websocket("burst only", event_burst = 1)]
    async fn burst_only(_socket: SocketRef) {}

    #[websocket("unlimited", event_rate = 0)]
    async fn unlimited(_socket: SocketRef) {}

    #[websocket("largest", event_rate = 4294967295, event_burst = 4_294_967_295)]
    async fn largest(_socket: SocketRef) {}

    #[websocket("feed", idle_timeout = "10m")]
    async fn feed(_socket: SocketRef) {}

    #[websocket("forever", idle_timeout = "never")]
    async fn forever(_socket: SocketRef) {}

    #[websocket(
        "every unit",
        idle_timeout = "500ms",
        guard = crate::allow,
        event_burst = 5,
    )]
    async fn every_unit(_socket: SocketRef) {}

    #[websocket("seconds", idle_timeout = "30s")]
    async fn seconds(_socket: SocketRef) {}

    #[websocket("hours", idle_timeout = "1h")]
    async fn hours(_socket: SocketRef) {}
}

#[component(name = "lobby", version = "1.0")]
mod lobby {}

mod elsewhere {
    use rain_core::prelude::*;

    #[websocket("lobby", event_rate = 10, component = crate::lobby)]
    async fn lobby(_socket: SocketRef) {}
}

fn allow(_ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    Ok(())
}

fn main() {}
