//! The server the end-to-end tests run against: the intents example's components, plus
//! components that exist only to misbehave (a panicking handler), to echo acks, or to observe
//! deliveries and shutdowns.
//!
//! Listens on `RAIN_ADDR` (the tests pass `127.0.0.1:0`) and prints `listening on http://<addr>`.

use rain_core::prelude::*;

// The example's components are linked through this crate, not through a call into it.
use intents_example as _;

/// Handlers that fail on purpose, to show that a failure stays with its socket.
#[component(name = "faults", version = "1.0", assets = "components/faults")]
mod faults {
    use super::*;

    /// Panics on every `panic` event.
    #[websocket("panics")]
    async fn panics(socket: SocketRef) {
        socket.on("panic", async || {
            panic!("this handler panics on purpose");
        });
    }

    /// Panics while handling the connection itself.
    #[websocket("panics on connect")]
    async fn panics_on_connect(_socket: SocketRef) {
        panic!("this connect handler panics on purpose");
    }
}

/// Acks and server-initiated acks.
#[component(name = "echo", version = "1.0")]
mod echo {
    use super::*;

    /// Acks every `echo` with its payload; on `ask`, asks the client and reports its answer.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on("echo", async |Data::<Value>(data), ack: AckSender| {
            ack.send(&data).ok();
        });
        socket.on("ask", async |socket: SocketRef, Data::<Value>(question)| {
            let answer = match socket.emit_with_ack::<_, Value>("question", &question) {
                Ok(pending) => pending.await.map_err(|e| e.to_string()),
                Err(error) => Err(error.to_string()),
            };
            let report = match answer {
                Ok(answer) => json!({ "answer": answer }),
                Err(error) => json!({ "error": error }),
            };
            socket.emit("answered", &report).ok();
        });
    }
}

rain_core::events! {
    /// The events of `lifecycle/work`.
    pub Work {
        /// Works for the given number of milliseconds, then acks `"done"`.
        slow: receive u64 => String,
    }
}

/// What the robustness tests need: exactly-once bookkeeping and handlers that take time.
#[component(name = "lifecycle", version = "1.0")]
mod lifecycle {
    use super::*;

    /// Echoes every `note` back as `noted` (so a client sees each delivery) and acks it.
    #[websocket("notes")]
    async fn notes(socket: SocketRef) {
        socket.on(
            "note",
            async |socket: SocketRef, Data::<Value>(note), ack: AckSender| {
                socket.emit("noted", &note).ok();
                ack.send(&note).ok();
            },
        );
    }

    /// A handler still running when the server is told to stop.
    #[websocket("work")]
    async fn work(socket: TypedSocket<Work>) {
        socket.on(Work::slow, async |_socket, ms| {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            "done".to_owned()
        });
    }
}

/// A socket declared outside its component's module, naming the component by path.
mod elsewhere {
    use rain_core::prelude::*;

    /// Greets on connect.
    #[websocket("elsewhere/greeter", component = crate::echo)]
    async fn greeter(socket: SocketRef) {
        socket
            .emit("greeting", "declared outside its component")
            .ok();
    }
}

#[tokio::main]
async fn main() -> Result<(), rain_core::Error> {
    intents_example::app()?
        .page(
            "/faults",
            Page::new("Faulty controllers beside a working one")
                .view("faults-1.0", "throws")
                .view("faults-1.0", "broken")
                .view("intents-example-1.0", "index"),
        )
        .serve_from_env()
        .await
}
