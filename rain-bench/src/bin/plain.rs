//! The comparison server: plain `socketioxide` on axum, written the way its documentation shows,
//! doing the work of the Rain example (and of the bench's binary echo) at the same namespaces.
//!
//! Listens on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C or `SIGTERM`, with
//! `TCP_NODELAY` on every accepted connection, as `rain_core::App::serve_with` sets it.

use axum::{Router, body::Bytes, serve::ListenerExt};
use serde_json::{Value, json};
use socketioxide::{
    SocketIo,
    extract::{AckSender, Data, SocketRef},
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
    io.ns("/bench-1.0/room", async |socket: SocketRef| {
        socket.join(ROOM);
        socket.on(
            "message",
            async |socket: SocketRef, Data::<Value>(message)| {
                socket.within(ROOM).emit("message", &message).await.ok();
            },
        );
    });
    io.ns("/bench-1.0/echo", async |socket: SocketRef| {
        socket.on("bin", async |Data::<Bytes>(bytes), ack: AckSender| {
            ack.send(&bytes).ok();
        });
    });

    let app = Router::new().layer(layer);
    let addr = std::env::var("RAIN_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
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
