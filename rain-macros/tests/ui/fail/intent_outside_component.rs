use rain_core::prelude::*;

#[intent(category = "journal", action = "LOG")]
async fn log() {}

fn main() {}
