use rain_core::prelude::*;

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    #[intent(category = "com.rain.test.general", action = "LOG")]
    async fn log() {}
}

#[component(name = "diary", version = "1.0")]
mod diary {
    use super::*;

    #[intent(category = "com.rain.test.general", action = "LOG")]
    async fn log() {}
}

fn main() {}
