#!/usr/bin/env bash
# "The harness adds nothing": each runtime's bare host->guest call as a minimal program makes it
# (runner/<runtime>/examples/bare_call.rs, runner/v8/bare_call.mjs: the consumer's `ping`, called
# in batches, no harness), beside the call floor a results file measured through the harness for
# the same compiler (`call_floor_p50_ns`, the best engine, raw, bare, copy: the same guest file).
# Wasmtime's component call too (its bare_call given the consumer component calls
# `consumer-bench#ping`), against the `component` cells' call floor.
#   runner/bare_call.sh RESULTS.csv
# Builds the examples into target/wasmatrix/cargo, as the runner builds its workers. Run it on a
# quiet machine, right after the results file's run: compare within one machine and one day.
set -euo pipefail
cd "$(dirname "$0")/.."
results="${1:?usage: runner/bare_call.sh RESULTS.csv}"
consumer=target/wasmatrix/guests/release/default/bare/logging-off/own-memory/raw/consumer.wasm
[ -f "$consumer" ] || { echo "no $consumer: run a matrix with a release, bare, copy, raw cell first" >&2; exit 2; }
component=target/wasmatrix/guests/release/default/bare/logging-off/component/raw/consumer.wasm
. runner/bare_examples.sh
build_examples bare_call
{
  for c in singlepass cranelift; do echo "wasmer $c copy $("$ex/bare_call-wasmer" "$consumer" "$c")"; done
  for c in cranelift winch pulley; do echo "wasmtime $c copy $("$ex/bare_call-wasmtime" "$consumer" "$c")"; done
  if [ -f "$component" ]; then
    echo "wasmtime cranelift component $("$ex/bare_call-wasmtime" "$component" cranelift)"
  fi
  echo "wasmi eager copy $("$ex/bare_call-wasmi" "$consumer")"
  echo "v8 liftoff copy $("${WASMATRIX_NODE:-node}" --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering --no-wasm-lazy-compilation runner/v8/bare_call.mjs "$consumer")"
  echo "v8 turbofan copy $("${WASMATRIX_NODE:-node}" --no-liftoff --no-wasm-lazy-compilation runner/v8/bare_call.mjs "$consumer")"
} | python3 runner/bare_compare.py call "$results"
