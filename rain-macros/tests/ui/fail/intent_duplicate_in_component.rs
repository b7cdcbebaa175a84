use rain_core::prelude::*;

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    #[intent(category = "journal", action = "LOG")]
    async fn log() {}

    mod more {
        use super::*;

        #[intent(category = "journal", action = "LOG", view = "index")]
        const LOG_VIEW: () = ();
    }
}

fn main() {}
