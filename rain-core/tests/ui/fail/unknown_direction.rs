rain_core::events! {
    pub Greetings {
        hello: recieve String,
        bye: emit String,
    }
}

fn main() {}
