"""Summarises a valgrind dhat profile: the heap live at its peak, grouped by the first frame that
belongs to a crate of the stack (not the allocator or the standard library), per connection.

Usage: python3 dhat_sites.py <dhat.json> <connections>
       python3 dhat_sites.py --per-event <short run.json> <long run.json> <extra round trips>
The second form prints the allocations each round trip adds, by site: the long run less the short.
"""

import json
import re
import sys
from collections import defaultdict

CRATES = ("engineioxide", "socketioxide", "tokio_tungstenite", "tungstenite", "hyper_util",
          "hyper", "axum", "tower", "rain_core", "intents_example", "bytes", "tokio")


def site(frames):
    for frame in frames:
        name = re.sub(r"^0x[0-9A-F]+: ", "", frame)
        name = re.sub(r" \(.*\)$", "", name)
        bare = name.lstrip("<")
        for crate in CRATES:
            if bare.startswith(crate + "::"):
                name = re.sub(r"::h[0-9a-f]{16}$", "", name)
                name = re.sub(r"<[^<>]*(<[^<>]*>[^<>]*)*>", "<..>", name)
                return name[:110]
    return "(other)"


def per_event(short, long, extra):
    def totals(path):
        with open(path) as f:
            data = json.load(f)
        table = data["ftbl"]
        by_site = defaultdict(lambda: [0, 0])
        for pp in data["pps"]:
            entry = by_site[site([table[i] for i in pp["fs"]])]
            entry[0] += pp["tbk"]
            entry[1] += pp["tb"]
        return by_site
    a, b = totals(short), totals(long)
    rows = [(k, (b[k][0] - a.get(k, [0, 0])[0]) / extra, (b[k][1] - a.get(k, [0, 0])[1]) / extra)
            for k in b]
    print("| allocation site (first frame in a crate) | allocations per round trip | bytes |")
    print("|---|---:|---:|")
    for name, blocks, size in sorted(rows, key=lambda r: -r[1]):
        if blocks >= 0.05:
            print(f"| `{name}` | {blocks:.2f} | {size:,.0f} |")


def main():
    if sys.argv[1] == "--per-event":
        per_event(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    path, connections = sys.argv[1], int(sys.argv[2])
    with open(path) as f:
        data = json.load(f)
    table = data["ftbl"]
    by_site = defaultdict(lambda: [0, 0])
    for pp in data["pps"]:
        if pp.get("gb", 0) == 0:
            continue
        entry = by_site[site([table[i] for i in pp["fs"]])]
        entry[0] += pp["gb"]
        entry[1] += pp["gbk"]
    total = sum(v[0] for v in by_site.values())
    print(f"| allocation site (first frame in a crate) | bytes per connection | blocks per connection |")
    print("|---|---:|---:|")
    for name, (size, blocks) in sorted(by_site.items(), key=lambda kv: -kv[1][0])[:15]:
        print(f"| `{name}` | {size / connections:,.0f} | {blocks / connections:.1f} |")
    print(f"| total live at the peak | {total / connections:,.0f} | |")


main()
