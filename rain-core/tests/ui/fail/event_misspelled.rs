use rain_core::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Deserialize, TS)]
pub struct Hello {
    pub name: String,
}

#[derive(Serialize, TS)]
pub struct Bye {
    pub message: String,
}

rain_core::events! {
    pub Greetings {
        hello: receive Hello,
        bye: emit Bye,
        whoami: receive () => String,
    }
}

#[component(name = "greeter", version = "1.0")]
mod greeter {
    use super::*;

    #[websocket("greetings")]
    async fn greetings(socket: TypedSocket<Greetings>) {
        socket.on(Greetings::helo, async |_, _hello: Hello| {});
    }
}

fn main() {}