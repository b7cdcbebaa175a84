use rain_core::prelude::*;

#[websocket("lobby")]
async fn lobby(_socket: SocketRef) {}

fn main() {}
