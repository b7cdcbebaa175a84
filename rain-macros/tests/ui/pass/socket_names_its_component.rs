use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {}

mod more_sockets {
    use rain_core::prelude::*;

    #[websocket("lobby", component = crate::chat)]
    async fn lobby(_socket: SocketRef) {}

    #[websocket("lobby/quiet", component = super::chat,)]
    async fn quiet_lobby(_socket: SocketRef) {}
}

// A socket inside another component may still name a component of its own.
#[component(name = "other", version = "1.0")]
mod other {
    use rain_core::prelude::*;

    #[websocket("lobby", component = crate::chat)]
    async fn lobby(_socket: SocketRef) {}

    // Same name as above, but in this component: no duplicate.
    #[websocket("lobby")]
    async fn own_lobby(_socket: SocketRef) {}
}

fn main() {}
