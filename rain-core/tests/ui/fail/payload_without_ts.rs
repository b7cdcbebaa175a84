use serde::Deserialize;

#[derive(Deserialize)]
pub struct Hello {
    pub name: String,
}

rain_core::events! {
    pub Greetings {
        hello: receive Hello,
    }
}

fn main() {}
