//! The comparison server: plain `socketioxide` on axum, written the way its documentation shows,
//! doing the work of the Rain example at the same namespaces.
//!
//! Listens on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C or `SIGTERM`.

use axum::Router;
use serde_json::{Value, json};
use socketioxide::{
    SocketIo,
    extract::{Data, SocketRef},
};

const ROOM: &str = "everyone";

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let (layer, io) = SocketIo::new_layer();
    io.ns(
        "/intents-example-1.0/chat/dummy socket",
        async |socket: SocketRef| {
            socket.on("hello", async |socket: SocketRef| {
                socket.emit("bye", &json!({ "message": "Hello sir" })).ok();
            });
        },
    );
    io.ns("/chat-1.0/room", async |socket: SocketRef| {
        socket.join(ROOM);
        socket.on(
            "message",
            async |socket: SocketRef, Data::<Value>(message)| {
                socket.within(ROOM).emit("message", &message).await.ok();
            },
        );
    });

    let app = Router::new().layer(layer);
    let addr = std::env::var("RAIN_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(stop_signal(io))
        .await
}

/// Completes on Ctrl-C or `SIGTERM`, after closing every socket.
async fn stop_signal(io: SocketIo) {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match terminate.as_mut() {
                Some(terminate) => { terminate.recv().await; }
                None => std::future::pending().await,
            }
        } => {}
    }
    io.close().await;
}
