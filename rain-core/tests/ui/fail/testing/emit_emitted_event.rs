use rain_core::testing::TypedTestSocket;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Serialize, Deserialize, TS)]
pub struct Bye {
    pub message: String,
}

rain_core::events! {
    pub Greetings {
        bye: emit Bye,
    }
}

fn test(greetings: TypedTestSocket<Greetings>) {
    // The server emits `bye`: a test expects it, it cannot send it.
    let bye = Bye { message: "hi".to_owned() };
    let _ = greetings.emit(Greetings::bye, &bye);
}

fn main() {}
