"""The harness against each runtime's own minimal program, for runner/bare_call.sh and
runner/bare_instantiate.sh: reads lines `RUNTIME COMPILER VALUE NS` on stdin (a minimal program's
figure) and prints each beside what RESULTS.csv measured through the harness for the same runtime
and compiler on the baseline cell (bare, raw, release, logging off, the default allocator, the host
calling; the best engine's, the smallest), and their ratio.

    python3 runner/bare_compare.py call|instantiate|cold RESULTS.csv

`call`: VALUE is the transport, the harness's figure `call_floor_p50_ns`. `instantiate`: VALUE is
the strategy (`STRATEGY+exports`: the minimal program that also takes the handles the worker's
pair takes), the transport `copy`, the figure `instantiate_headline_ns` (`instantiate_p50_ns` in
files before schema 13). `cold`: VALUE is the strategy, the harness's figure
`cold_start_headline_ns` of the `artifact` engine's row.
"""

import csv
import sys

# Per kind: the title of VALUE's column, its width, and the harness's figure of a row of the same
# runtime and compiler whose VALUE matches (None: the row does not match).
KINDS = {
    "call": ("transport", 10, lambda r, value: (r["call_floor_p50_ns"] or None) if r["transport"] == value else None),
    "instantiate": ("strategy", 15, lambda r, value: (
        (r.get("instantiate_headline_ns") or r["instantiate_p50_ns"])
        if r.get("instantiate_p50_ns") and r["transport"] == "copy"
        and r.get("instantiate") == value.removesuffix("+exports") else None)),
    "cold": ("strategy", 15, lambda r, value: (r.get("cold_start_headline_ns") or None)
             if r["engine"] == "artifact" and r["transport"] == "copy" and r.get("instantiate") == value else None),
}


def baseline(r):
    """Whether a row is the baseline cell but for its runtime, compiler, engine, transport and
    strategy (older files without the logging, allocator and call axes ran them at their defaults)."""
    return (r["environment"] == "bare" and r["codec"] == "raw" and r["profile"] == "release"
            and r.get("logging", "off") == "off" and r.get("allocator", "default") == "default"
            and r.get("call", "host") == "host")


def main(kind, results):
    title, width, figure = KINDS[kind]
    rows = [r for r in csv.DictReader(open(results)) if r["status"] == "ok" and baseline(r)]
    print(f"{'runtime':9} {'compiler':10} {title:{width}} {'minimal ns':>10} {'harness ns':>10} {'harness / minimal':>18}")
    for line in sys.stdin:
        runtime, compiler, value, minimal = line.split()
        found = [figure(r, value) for r in rows if r.get("runtime") == runtime and r["compiler"] == compiler]
        figures = [float(f) for f in found if f is not None]
        harness = min(figures) if figures else float("nan")
        print(f"{runtime:9} {compiler:10} {value:{width}} {float(minimal):10.1f} {harness:10.1f} "
              f"{harness / float(minimal):17.2f}x")


if __name__ == "__main__":
    main(*sys.argv[1:3])
