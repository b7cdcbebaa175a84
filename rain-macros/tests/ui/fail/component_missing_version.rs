use rain_core::prelude::*;

#[component(name = "chat")]
mod chat {}

fn main() {}
