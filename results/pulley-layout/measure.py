#!/usr/bin/env python3
"""Interleaved measurement of Wasmtime worker binaries on a few cells, each run a fresh worker process.

usage: measure.py --guests DIR --rounds N --out results.json NAME=BINARY ...

Feeds each worker a `Job` (runner/core/src/worker.rs: `BINARY worker JOB_JSON`), reads its
`wasmatrix-worker-report ` line and keeps the median of its round_trip and decode samples (ns).
Order per round: every cell, within it every variant (A B C D), so drift hits all variants alike;
the variant order rotates each round. Prints per variant/cell the median over processes and the
spread (min..max of the per-process medians).
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

REPORT = "wasmatrix-worker-report "

CELLS = [  # (compiler, transport, codec)
    ("pulley", "copy", "raw"),
    ("pulley", "shared", "postcard"),
    ("cranelift", "copy", "raw"),
    ("cranelift", "shared", "postcard"),
]

MEASURE = dict(processes=1, warmup=2000, samples=50, batch=100, floor_batch=1000, codec_batch=100,
               noisy_ci_pct=5.0, min_processes=1, target_ci_pct=2.0, cell_budget_s=6.0,
               setup_repeats=20, setup_budget_ms=50, timeout_s=300, memory_limit_mib=4096)


LAYOUT = {"copy": "own-memory", "shared": "shared-memory"}


def guest_dir(root, transport, codec):
    """The runner's guest folder of a release/default-allocator/bare/logging-off/host cell (as
    `runner run` builds them: target/wasmatrix/guests/release/default/bare/logging-off/LAYOUT/CODEC)."""
    d = os.path.join(root, "release", "default", "bare", "logging-off", LAYOUT[transport], codec)
    if not os.path.exists(os.path.join(d, "consumer.wasm")):
        sys.exit(f"no guests in {d}: run `runner run results/pulley-layout/cells.toml` once")
    return d


def job(compiler, transport, codec, guests, artifacts):
    cell = dict(compiler=compiler, engine="jit", environment="bare", transport=transport, codec=codec,
                profile="release", logging="off", allocator="default", runtime="wasmtime", call="host")
    return dict(cell=cell, measure=MEASURE,
                guests=dict(producer=f"{guests}/producer.wasm", consumer=f"{guests}/consumer.wasm"),
                artifacts=artifacts, phase="Measure", mechanism="wall_clock", pin=None)


def run(binary, j):
    out = subprocess.run([binary, "worker", json.dumps(j)], capture_output=True, text=True, timeout=300)
    if "bad worker job: invalid type: map, expected a string" in out.stderr:
        # A worker from before issue 27 (6f8312b) takes the cell as its id, axis values joined by '/'.
        c = j["cell"]
        old = dict(j, cell="/".join(c[k] for k in ("compiler", "engine", "environment", "transport", "codec",
                                                   "profile", "logging", "allocator", "runtime", "call")))
        out = subprocess.run([binary, "worker", json.dumps(old)], capture_output=True, text=True, timeout=300)
    for line in out.stdout.splitlines():
        if line.startswith(REPORT):
            r = json.loads(line[len(REPORT):])
            if r.get("failure"):
                sys.exit(f"{binary}: {r['failure']}")
            return statistics.median(r["round_trip"]), statistics.median(r["decode"]), r.get("checksum")
    sys.exit(f"{binary}: no report; stderr: {out.stderr[-2000:]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--guests", required=True, help="the runner's guest folder (target/wasmatrix/guests)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cells", default=None, help="comma-separated indices into CELLS")
    ap.add_argument("variants", nargs="+")
    a = ap.parse_args()
    variants = [v.split("=", 1) for v in a.variants]
    cells = CELLS if a.cells is None else [CELLS[int(i)] for i in a.cells.split(",")]
    guests = {c: guest_dir(a.guests, c[1], c[2]) for c in cells}
    rows = []
    artifacts = tempfile.mkdtemp(prefix="pulley-layout-")
    t0 = time.time()
    for r in range(a.rounds):
        for cell in cells:
            k = r % len(variants)
            for name, binary in variants[k:] + variants[:k]:
                rt, dec, sum_ = run(binary, job(*cell, guests[cell], artifacts))
                rows.append(dict(round=r, variant=name, compiler=cell[0], transport=cell[1], codec=cell[2],
                                 round_trip_ns=rt, decode_ns=dec, checksum=sum_))
                print(f"[{time.time()-t0:6.0f}s] r{r} {name:8} {'/'.join(cell):26} rt {rt:10.0f} ns  decode {dec:10.0f} ns",
                      flush=True)
        json.dump(rows, open(a.out, "w"), indent=1)
    summarise(rows, [v[0] for v in variants], cells)


def summarise(rows, names, cells):
    base = names[0]
    print("\n| variant | cell | round trip ns median (min..max) | vs " + base + " | decode ns median (min..max) | vs " + base + " |")
    print("|---|---|---|---|---|---|")
    for cell in cells:
        ref = {}
        for name in names:
            sel = [x for x in rows if x["variant"] == name and (x["compiler"], x["transport"], x["codec"]) == tuple(cell)]
            rt = [x["round_trip_ns"] for x in sel]
            dec = [x["decode_ns"] for x in sel]
            m = (statistics.median(rt), statistics.median(dec))
            ref.setdefault("m", m)
            d = [100 * (m[i] / ref["m"][i] - 1) for i in range(2)]
            print(f"| {name} | {'/'.join(cell)} | {m[0]:.0f} ({min(rt):.0f}..{max(rt):.0f}) | {d[0]:+.1f}% "
                  f"| {m[1]:.1f} ({min(dec):.1f}..{max(dec):.1f}) | {d[1]:+.1f}% |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summarise":
        rows = json.load(open(sys.argv[2]))
        names = list(dict.fromkeys(x["variant"] for x in rows))
        cells = list(dict.fromkeys((x["compiler"], x["transport"], x["codec"]) for x in rows))
        summarise(rows, names, cells)
    else:
        main()
