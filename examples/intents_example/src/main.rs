//! Serves the intents example on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C, its chat's
//! history in `DATABASE_URL` (default `sqlite://rain-chat.db?mode=rwc`: `rain-chat.db` in the
//! working folder); `bindings write <folder>` / `bindings check <folder>` write or check its
//! client bindings.

use intents_example::History;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let history = History::connect(&History::url_from_env()).await?;
    intents_example::app(history)?.run_from_env().await?;
    Ok(())
}
