#!/usr/bin/env python3
"""Pools run JSON files of measure.py: per variant, for Pulley (both cells) and Cranelift (both
cells), the median over processes of round trip and decode, and the median of the per-round paired
ratios to variant A (the same cell, the same round: drift cancels), with the spread (25th..75th
percentile of those ratios). usage: combine.py ADDRS.txt RUN.json..."""
import json, statistics, sys

addrs = dict(l.split() for l in open(sys.argv[1]) if l.strip())
rows = []
for i, f in enumerate(sys.argv[2:]):
    for r in json.load(open(f)):
        r["round"] = (i, r["round"]); rows.append(r)
names = list(dict.fromkeys(r["variant"] for r in rows))
key = lambda r: (r["round"], r["compiler"], r["transport"], r["codec"])
base = {key(r): r for r in rows if r["variant"] == "A"}

def q(xs, p):
    xs = sorted(xs); k = (len(xs) - 1) * p; f = int(k)
    return xs[f] + (xs[min(f + 1, len(xs) - 1)] - xs[f]) * (k - f)

print("| variant | `run` address (mod 64) | Pulley round trip vs A | Pulley decode vs A | Cranelift round trip vs A | Cranelift decode vs A |")
print("|---|---|---|---|---|---|")
for n in names:
    cols = []
    for comp in ("pulley", "cranelift"):
        for m in ("round_trip_ns", "decode_ns"):
            rat = [100 * (r[m] / base[key(r)][m] - 1) for r in rows if r["variant"] == n and r["compiler"] == comp]
            cols.append(f"{statistics.median(rat):+.1f}% ({q(rat, .25):+.1f}..{q(rat, .75):+.1f})")
    a = int(addrs[n], 16)
    print(f"| {n} | {a:#x} ({a % 64:#04x}) | " + " | ".join(cols) + " |")
print()
print("| variant | cell | round trip µs, median (min..max) | decode µs, median (min..max) |")
print("|---|---|---|---|")
for comp, tr, co in dict.fromkeys((r["compiler"], r["transport"], r["codec"]) for r in rows):
    for n in names:
        sel = [r for r in rows if r["variant"] == n and (r["compiler"], r["transport"], r["codec"]) == (comp, tr, co)]
        rt = [r["round_trip_ns"] / 1000 for r in sel]; de = [r["decode_ns"] / 1000 for r in sel]
        f = 1 if comp == "pulley" else 3
        print(f"| {n} | {comp}/{tr}/{co} | {statistics.median(rt):.{f}f} ({min(rt):.{f}f}..{max(rt):.{f}f}) "
              f"| {statistics.median(de):.{f}f} ({min(de):.{f}f}..{max(de):.{f}f}) |")
