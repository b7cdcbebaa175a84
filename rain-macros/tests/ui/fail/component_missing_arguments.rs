use rain_core::prelude::*;

#[component()]
mod chat {}

fn main() {}
