use rain_core::prelude::*;

#[component(nmae = "chat", version = "1.0")]
mod chat {}

fn main() {}
