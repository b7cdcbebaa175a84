use rain_core::prelude::*;

mod chat {}

#[websocket("lobby", component = crate::chat)]
async fn lobby(_socket: SocketRef) {}

fn main() {}
