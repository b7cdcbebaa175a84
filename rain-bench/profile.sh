#!/usr/bin/env bash
# Profiles of the two Rust servers under valgrind (release builds). With dhat, the heap:
#  - allocations per round trip: the difference between a run of 3,000 round trips and one of
#    1,000, divided by 2,000, so that start-up and connection set-up cancel out;
#  - heap per idle connection: the heap at its peak with 1,000 idle connections held, less the
#    peak with one, divided by 999; and the allocation sites that hold it.
# With callgrind, the CPU: instructions per round trip (the same difference of two runs), which a
# shared, noisy machine does not blur, and the functions where the two servers differ.
# Usage: bash rain-bench/profile.sh   (after `bash rain-bench/run.sh` or a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release -p rain-bench >&2
out=target/rain-bench-profile
mkdir -p "$out"
bench=target/release/rain-bench

# profile <server> <drive|hold|instructions> <count>: prints "<blocks> <bytes>" (total, or at the
# peak for hold); for instructions, writes a callgrind profile of a drive and prints nothing
profile() {
    local server=$1 mode=$2 count=$3 port log json pid
    port=$((20000 + RANDOM % 20000))
    log="$out/$server-$mode-$count.log"
    json="$out/$server-$mode-$count.json"
    # The rate limit stays on (so that its cost is in the profile) but far above what one
    # connection sends; the load generator's connections all come from one address.
    local tool=(--tool=dhat --dhat-out-file="$json")
    if [ "$mode" = instructions ]; then
        json="$out/$server-$count.callgrind"
        tool=(--tool=callgrind --callgrind-out-file="$json")
        mode=drive
    fi
    RAIN_ADDR="127.0.0.1:$port" RUST_LOG=warn RAIN_EVENT_RATE=1000000 RAIN_EVENT_BURST=1000000 \
        RAIN_MAX_CONNECTIONS=1000000 RAIN_MAX_CONNECTIONS_PER_CLIENT=1000000 \
        valgrind "${tool[@]}" "target/release/rain-bench-$server" >/dev/null 2>"$log" &
    pid=$!
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    "$bench" "$mode" "$port" "$count"
    sleep 0.5
    kill -TERM "$pid"
    wait "$pid" || true
    if [[ "$json" == *.callgrind ]]; then
        return
    elif [ "$mode" = drive ]; then
        sed -n 's/.*Total: *\([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\2 \1/p' "$log" | tr -d ,
    else
        sed -n 's/.*At t-gmax: *\([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\2 \1/p' "$log" | tr -d ,
    fi
}

echo "| server | allocations per round trip | bytes allocated per round trip | heap per idle connection (bytes) |"
echo "|---|---:|---:|---:|"
for server in rain plain; do
    read -r b1 y1 < <(profile "$server" drive 1000)
    read -r b3 y3 < <(profile "$server" drive 3000)
    read -r _ h1 < <(profile "$server" hold 1)
    read -r _ h1000 < <(profile "$server" hold 1000)
    per_event=$(awk -v d="$(( b3 - b1 ))" 'BEGIN { printf "%.2f", d / 2000 }')
    echo "| $server | $per_event | $(( (y3 - y1) / 2000 )) | $(( (h1000 - h1) / 999 )) |"
done
for server in rain plain; do
    echo
    echo "What each round trip allocates, by site ($server):"
    python3 rain-bench/dhat_sites.py --per-event "$out/$server-drive-1000.json" \
        "$out/$server-drive-3000.json" 2000
done
echo
echo "Where the idle connections' heap is, by allocation site (plain socketioxide, 1,000 connections):"
python3 rain-bench/dhat_sites.py "$out/plain-hold-1000.json" 1000
echo
echo "The same for Rain:"
python3 rain-bench/dhat_sites.py "$out/rain-hold-1000.json" 1000
echo
echo "Instructions per round trip (callgrind; rain against plain), and where they differ:"
for server in rain plain; do
    for count in 1000 3000; do
        profile "$server" instructions "$count"
    done
done
python3 rain-bench/callgrind_diff.py 2000 "$out/rain-1000.callgrind" "$out/rain-3000.callgrind" \
    "$out/plain-1000.callgrind" "$out/plain-3000.callgrind"
