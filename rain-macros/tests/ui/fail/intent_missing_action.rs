use rain_core::prelude::*;

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    #[intent(category = "journal")]
    async fn log() {}
}

fn main() {}
