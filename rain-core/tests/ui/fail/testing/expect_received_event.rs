use rain_core::testing::TypedTestSocket;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Serialize, Deserialize, TS)]
pub struct Hello {
    pub name: String,
}

#[derive(Serialize, Deserialize, TS)]
pub struct Bye {
    pub message: String,
}

rain_core::events! {
    pub Greetings {
        hello: receive Hello,
        bye: emit Bye,
    }
}

async fn test(greetings: TypedTestSocket<Greetings>) {
    // The server receives `hello`: a test sends it, it never arrives.
    let _ = greetings.expect(Greetings::hello).await;
}

fn main() {}
