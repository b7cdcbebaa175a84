//! Serves the intents example on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C;
//! `bindings write <folder>` / `bindings check <folder>` write or check its client bindings.

#[tokio::main]
async fn main() -> Result<(), rain_core::Error> {
    intents_example::app()?.run_from_env().await
}
