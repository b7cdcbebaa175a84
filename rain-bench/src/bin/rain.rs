//! The Rain server under test: the intents example's own `app()`, served on `RAIN_ADDR`
//! (default `127.0.0.1:3000`) until Ctrl-C or `SIGTERM`.

#[tokio::main]
async fn main() -> Result<(), rain_core::Error> {
    intents_example::app()?.serve_from_env().await
}
