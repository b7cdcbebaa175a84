use rain_core::prelude::*;

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    #[intent(category = "journal", action = "COUNT")]
    async fn count(count: u32) -> u32 {
        count
    }
}

fn main() {}
