#!/usr/bin/env python3
"""A noisy neighbour: makes a quiet machine behave like a busy cloud VM, to check that a run's
figures hold there (docs/measuring.md, "The same VM with a noisy neighbour").

It starts `--workers` processes (default 1) that each alternate, at random, a burst of work and a
pause: a burst walks a buffer larger than the caches (`--mib`, default 64) with a 64-byte stride,
evicting what the measured worker keeps in the shared cache and taking memory bandwidth and, when
the machine has fewer free CPUs than runnable processes, CPU time; a pause sleeps. Bursts and
pauses last 5 to `--max-ms` ms each (uniform), so that some worker processes of a run land in a
quiet spell and some in a busy one, as on a shared host. `--duty` is the share of time busy
(default 0.5). Runs until killed (Ctrl-C or SIGTERM) or for `--seconds`.

    python3 runner/neighbour.py &          # then run a matrix; kill %1 afterwards
"""

import argparse
import multiprocessing
import random
import signal
import sys
import time


def neighbour(seed: int, mib: int, duty: float, max_ms: float, until: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    rng = random.Random(seed)
    buffer = bytearray(mib << 20)
    view = memoryview(buffer)
    while until == 0 or time.monotonic() < until:
        busy = rng.uniform(5, max_ms) / 1000
        end = time.monotonic() + busy
        offset = 0
        while time.monotonic() < end:
            # One write per cache line, over the whole buffer: a cache-sized walk per pass.
            view[offset::64] = bytes(len(range(offset, len(buffer), 64)))
            offset = (offset + 8) % 64
        pause = busy * (1 - duty) / duty if duty < 1 else 0
        time.sleep(rng.uniform(0.5, 1.5) * pause)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1, help="neighbour processes (default 1)")
    parser.add_argument("--mib", type=int, default=64, help="buffer each one walks, MiB (default 64)")
    parser.add_argument("--duty", type=float, default=0.5, help="share of time busy, 0 to 1 (default 0.5)")
    parser.add_argument("--max-ms", type=float, default=300, help="longest burst, ms (default 300)")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (default: until killed)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the bursts (default 1)")
    args = parser.parse_args()
    if not (0 < args.duty <= 1) or args.workers < 1 or args.mib < 1 or args.max_ms < 5:
        parser.error("need 0 < --duty <= 1, --workers >= 1, --mib >= 1 and --max-ms >= 5")
    until = time.monotonic() + args.seconds if args.seconds > 0 else 0
    procs = [
        multiprocessing.Process(target=neighbour, args=(args.seed + i, args.mib, args.duty, args.max_ms, until))
        for i in range(args.workers)
    ]
    for p in procs:
        p.start()

    def stop(*_):
        for p in procs:
            p.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for p in procs:
        p.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
