use rain_core::prelude::*;

#[component(name = "a b", version = "1.0")]
mod chat {}

fn main() {}
