use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
mod chat {}

#[websocket("lobby", component = "crate::chat")]
async fn lobby(_socket: SocketRef) {}

fn main() {}
