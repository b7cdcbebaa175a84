use rain_core::prelude::*;

#[component(name = "outer", version = "1.0")]
mod outer {
    use rain_core::prelude::*;

    #[websocket("room")]
    async fn room(_socket: SocketRef) {}

    // An inner component claims its own sockets: the same name is no duplicate.
    #[component(name = "inner", version = "1.0")]
    mod inner {
        use rain_core::prelude::*;

        #[websocket("room")]
        async fn room(_socket: SocketRef) {}
    }
}

fn main() {}
