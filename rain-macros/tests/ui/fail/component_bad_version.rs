use rain_core::prelude::*;

#[component(name = "chat", version = "1")]
mod chat {}

fn main() {}
