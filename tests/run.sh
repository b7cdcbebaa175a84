#!/usr/bin/env bash
# Every test of the workspace, from a fresh machine: installs what the tests need (Debian's
# Chromium, the tests' Node packages), checks formatting, lints and docs, then runs the Rust
# tests (unit, compile-fail, in-process), a smoke run of the benchmark, and the Node tests
# (official socket.io client and server, TypeScript checks, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n== %s\n' "$*"; }

section "system packages"
if ! command -v chromium >/dev/null 2>&1; then
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
fi
chromium --version

section "node packages"
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)

section "format, lints, docs"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

section "rust tests"
cargo test --workspace --locked

section "benchmark smoke (completes and verifies replies; no timing asserts)"
bash rain-bench/run.sh --smoke

section "node tests"
cargo build --locked -p intents-example -p rain-tests
(cd tests/js && npm test)
