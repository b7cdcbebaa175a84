//! Times `App::discover()` and `App::router()` over the generated components and sockets, and, as
//! the engine's floor, plain `socketioxide` mounting the same number of namespaces.
//!
//! Prints one line: `sockets=<n> discover_us=<t> router_us=<t> plain_mount_us=<t>`.

use std::time::Instant;

use rain_core::prelude::*;

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

fn main() -> Result<(), rain_core::Error> {
    let start = Instant::now();
    let app = App::discover()?;
    let discovered = start.elapsed();
    let router = app.router()?;
    let routed = start.elapsed() - discovered;
    let sockets = app.registry().sockets().len();
    drop(router);

    let namespaces: Vec<String> = app
        .registry()
        .sockets()
        .iter()
        .map(|socket| socket.namespace().to_owned())
        .collect();
    let start = Instant::now();
    let (_layer, io) = socketioxide::SocketIo::new_layer();
    for namespace in namespaces {
        io.ns(
            namespace,
            async |_socket: socketioxide::extract::SocketRef| {},
        );
    }
    let plain = start.elapsed();

    println!(
        "sockets={sockets} discover_us={} router_us={} plain_mount_us={}",
        discovered.as_micros(),
        routed.as_micros(),
        plain.as_micros()
    );
    Ok(())
}
