"""Compares two servers' instructions per round trip, function by function, from valgrind callgrind
profiles of a short and a long run of each (the long run less the short, divided by the extra round
trips, so that start-up and connection set-up cancel out).

Usage: python3 callgrind_diff.py <extra round trips> <a short.out> <a long.out> <b short.out> <b long.out>
Prints each server's instructions per round trip, then the functions whose own instructions per
round trip differ the most between the two (a's less b's).
"""

import re
import subprocess
import sys


def functions(path):
    """Instructions of each function itself (exclusive), by name."""
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    costs = {}
    for line in out.splitlines():
        match = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*?)(?: \[.*\])?$", line)
        if not match or ":" not in match.group(2) or "PROGRAM TOTALS" in line:
            continue
        name = match.group(2).split(":", 1)[1]
        name = re.sub(r"<[^<>]*(<[^<>]*>[^<>]*)*>", "<..>", name) if len(name) > 100 else name
        costs[name] = costs.get(name, 0) + int(match.group(1).replace(",", ""))
    return costs


def per_round_trip(short, long, extra):
    a, b = functions(short), functions(long)
    return {name: (b.get(name, 0) - a.get(name, 0)) / extra for name in set(a) | set(b)}


def main():
    extra = int(sys.argv[1])
    a = per_round_trip(sys.argv[2], sys.argv[3], extra)
    b = per_round_trip(sys.argv[4], sys.argv[5], extra)
    total_a, total_b = sum(a.values()), sum(b.values())
    print(f"instructions per round trip: {total_a:,.0f} against {total_b:,.0f} "
          f"({total_a / total_b:.3f}x)")
    print()
    print("| function (own instructions) | first | second | difference |")
    print("|---|---:|---:|---:|")
    rows = sorted(set(a) | set(b), key=lambda n: -abs(a.get(n, 0) - b.get(n, 0)))
    for name in rows[:25]:
        x, y = a.get(name, 0), b.get(name, 0)
        print(f"| `{name[:100]}` | {x:,.0f} | {y:,.0f} | {x - y:+,.0f} |")


if __name__ == "__main__":
    main()
