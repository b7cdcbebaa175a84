#!/usr/bin/env bash
# Every test of the workspace, from a fresh machine: installs what the tests need (Debian's
# Chromium, redis-server and PostgreSQL, the tests' Node packages), checks formatting, lints and docs, then
# runs the Rust tests (unit, compile-fail, in-process), a smoke run of the benchmark, and the Node
# tests (official socket.io client and server, two nodes on Redis, TypeScript checks, headless
# Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n== %s\n' "$*"; }

section "system packages"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# The chat's history against Postgres: each test starts its own server from these binaries.
postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
[ -x "$(postgres_bin)/initdb" ] || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
chromium --version
redis-server --version
"$(postgres_bin)/postgres" --version

section "redis-server (127.0.0.1, a free port, nothing persisted)"
# Tests that stop and restart Redis start their own; this one is for the others.
redis_port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --loglevel warning >/dev/null &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
done
redis-cli -p "$redis_port" ping
export RAIN_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"

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
