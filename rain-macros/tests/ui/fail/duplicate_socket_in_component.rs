use rain_core::prelude::*;

#[component(name = "intents-example", version = "1.0")]
mod intents_example {
    use super::*;

    #[websocket("chat/x")]
    async fn first(_socket: SocketRef) {}

    mod more {
        use super::*;

        #[websocket("chat/x")]
        async fn second(_socket: SocketRef) {}
    }
}

fn main() {}
