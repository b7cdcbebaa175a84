use rain_core::prelude::*;

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    #[intent(category = "journal", action = "SHOW", view = "views/index.html")]
    const SHOW: () = ();
}

fn main() {}
