//! Serves the intents example on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C.

#[tokio::main]
async fn main() -> Result<(), rain_core::Error> {
    intents_example::app()?.serve_from_env().await
}
