use rain_core::prelude::*;

struct Secret;

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    #[intent(category = "journal", action = "TELL")]
    async fn tell() -> Secret {
        Secret
    }
}

fn main() {}
