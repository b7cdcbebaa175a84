//! Generates the components and sockets: `COMPONENTS` components of `SOCKETS` sockets each, every
//! one a real `#[component]` module and `#[websocket]` handler.

use std::{env, fmt::Write, fs, path::Path};

fn main() {
    let per_side = if env::var_os("CARGO_FEATURE_FULL").is_some() {
        100
    } else {
        10
    };
    let mut code = String::new();
    for c in 0..per_side {
        writeln!(
            code,
            "#[component(name = \"generated-{c}\", version = \"1.0\")]\nmod generated_{c} {{\n    use super::*;"
        )
        .unwrap();
        for s in 0..per_side {
            writeln!(
                code,
                "    #[websocket(\"socket {s}\")]\n    async fn socket_{s}(_socket: SocketRef) {{}}"
            )
            .unwrap();
        }
        code.push_str("}\n");
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("generated.rs");
    fs::write(out, code).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
}
