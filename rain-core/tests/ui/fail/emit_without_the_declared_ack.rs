use rain_core::prelude::*;

rain_core::events! {
    pub Greetings {
        still_there: emit () => bool,
    }
}

#[component(name = "greeter", version = "1.0")]
mod greeter {
    use super::*;

    #[websocket("greetings")]
    async fn greetings(socket: TypedSocket<Greetings>) {
        socket.emit(Greetings::still_there, &()).ok();
    }
}

fn main() {}
