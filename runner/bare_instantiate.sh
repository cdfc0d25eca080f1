#!/usr/bin/env bash
# "The harness adds nothing", for set-up: each runtime making a pair of guests (a store, the producer
# and the consumer instantiated in it) as a minimal program makes it (runner/<runtime>/examples/
# bare_instantiate.rs: each pair timed alone after a warm-up, no harness), per `instantiate`
# strategy the runtime has, beside what a results file measured through the harness for the same
# runtime, compiler and strategy (`instantiate_headline_ns`, the best engine, on the baseline: bare,
# copy, raw, release, logging off, the default allocator, the host calling: the same guest files).
# Both with one estimator: each minimal program runs in 5 processes and the fastest process's
# median pair is its figure, as the headline is the 10th percentile (of 5 to 10 processes, the
# fastest) of the worker processes' median pairs.
# The worker's pair also takes the handles it calls the guests through (both memories, the exports
# the harness calls); the minimal program only instantiates, and for Wasmtime also does that as the
# worker does (`STRATEGY+exports` rows: the same export tables, wasmatrix-core's guest_exports!).
# Then the cold start: Wasmtime's minimal program that starts, loads the pair's artifacts,
# instantiates the pair and calls it once (runner/wasmtime/examples/bare_cold.rs), spawned 40 times
# one after another and timed from spawn to its first line, as the runner times a worker from spawn
# to its ready line; its 10th percentile beside the results file's `cold_start_headline_ns` (the
# artifact engine's, the same strategy's; the headline is the 10th percentile over processes too).
#   runner/bare_instantiate.sh RESULTS.csv
# Run it on a quiet machine, right after the results file's run: compare within one machine and day.
set -euo pipefail
cd "$(dirname "$0")/.."
results="${1:?usage: runner/bare_instantiate.sh RESULTS.csv}"
guests=target/wasmatrix/guests/release/default/bare/logging-off/own-memory/raw
[ -f "$guests/producer.wasm" ] || { echo "no $guests/producer.wasm: run a matrix with a release, bare, copy, raw cell first" >&2; exit 2; }
. runner/bare_examples.sh
build_examples bare_instantiate
build_examples bare_cold wasmtime
pair=("$guests/producer.wasm" "$guests/consumer.wasm")
# The heap of a long-running host, as the worker's is by the time it makes its pairs: glibc keeps
# freed memory instead of mapping each allocation afresh and returning it. wasmi allocates each guest
# memory with malloc, and a minimal program's first freed memory sets glibc's dynamic mmap threshold
# to exactly that size, so every later memory of the same size is mapped and faulted in again:
# about 1 ms a pair on a 2 vCPU AMD EPYC VM, against 30 to 40 µs with the heap kept. Wasmtime and
# Wasmer map guest memories themselves and are not affected.
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456
# The fastest of 5 processes' medians of a minimal program (its arguments).
fastest() {
  for _ in 1 2 3 4 5; do "$@"; done | sort -g | head -n 1
}
{
  for c in singlepass cranelift; do echo "wasmer $c fresh $(fastest "$ex/bare_instantiate-wasmer" "${pair[@]}" "$c")"; done
  for c in cranelift winch; do
    for s in fresh pre pooled; do
      echo "wasmtime $c $s $(fastest "$ex/bare_instantiate-wasmtime" "${pair[@]}" "$c" "$s")"
      echo "wasmtime $c $s+exports $(fastest "$ex/bare_instantiate-wasmtime" "${pair[@]}" "$c" "$s" exports)"
    done
  done
  echo "wasmi eager fresh $(fastest "$ex/bare_instantiate-wasmi" "${pair[@]}")"
} | python3 runner/bare_compare.py instantiate "$results"
echo
artifacts=$(mktemp -d)
trap 'rm -rf "$artifacts"' EXIT
{
  for c in cranelift winch; do
    mkdir -p "$artifacts/$c"
    "$ex/bare_cold-wasmtime" precompile "${pair[@]}" "$artifacts/$c" "$c"
    for s in fresh pre pooled; do
      echo "wasmtime $c $s $("$ex/bare_cold-wasmtime" spawn 40 "$artifacts/$c" "$c" "$s")"
    done
  done
} | python3 runner/bare_compare.py cold "$results"
