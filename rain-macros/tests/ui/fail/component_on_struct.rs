use rain_core::prelude::*;

#[component(name = "chat", version = "1.0")]
pub struct Chat;

fn main() {}
