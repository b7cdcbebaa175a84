use rain_core::prelude::*;

#[component(name = "chat", version = "1.0", assets = "components/nowhere")]
mod chat {}

fn main() {}
