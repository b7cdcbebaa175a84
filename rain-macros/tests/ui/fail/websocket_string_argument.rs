use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {
    use super::*;

    // The client's auth payload is `Data<String>`, not a bare `String`.
    #[websocket("room")]
    async fn room(_name: String) {}
}

fn main() {}
