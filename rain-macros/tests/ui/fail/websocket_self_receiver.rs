use rain_core::prelude::*;

#[websocket("room", component = crate::chat)]
async fn room(self, _socket: SocketRef) {}

#[component(name = "chat", version = "1.0")]
mod chat {}

fn main() {}
