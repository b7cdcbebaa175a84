use rain_core::prelude::*;

#[component(version = "1.0")]
mod chat {}

fn main() {}
