#!/usr/bin/env bash
# Builds the servers and the load generator (release), installs the Node server's packages, and
# runs the benchmark: `bash rain-bench/run.sh` for the full table, `--smoke` for a short check
# that every server answers correctly (a dev build, a hundred generated sockets, no timing claims).
# `--only <sections>` (comma-separated: events, binary, runtime, discovery) runs only those parts;
# without `discovery`, `rain-bench-sockets` is not built.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=(--release)
# 10,000 generated handlers, each its own `io.ns` instantiation: optimising them takes more memory
# than a 24 GB machine has, so that one crate is built unoptimised (Rain and socketioxide are not).
# It still takes several minutes and about 13 GB; its binary is reused until Rain changes.
sockets=(--release --features full --config 'profile.release.package."rain-bench-sockets".opt-level=0')
dir=target/release
only=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --smoke)
            profile=()
            sockets=()
            dir=target/debug
            ;;
        --only) only="${args[i + 1]-}" ;;
    esac
done

cargo build --locked "${profile[@]}" -p rain-bench
if [ -z "$only" ] || [[ ",$only," == *,discovery,* ]]; then
    cargo build --locked -p rain-bench-sockets "${sockets[@]}"
fi
(cd rain-bench/node && npm ci --no-audit --no-fund --loglevel=error)

# 2,000 idle connections need 2,000 descriptors on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec "$dir/rain-bench" "$@"
