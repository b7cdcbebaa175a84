use rain_core::prelude::*;

#[component(name = "chat", version = "1.0", name = "chat")]
mod chat {}

fn main() {}
