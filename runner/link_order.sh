#!/usr/bin/env bash
# Writes each Rust worker's link order, runner/<worker>/link-order.txt: the functions one worker
# process ran, from exec to its report, in the order they first ran. The worker's build script links
# its binary with these functions first, in that order (runner/core/build/link_order.rs), so that a
# cold start runs code from a few pages instead of from all over a binary of 10 to 30 MB: a fresh
# process faults in every page it runs, each costing microseconds on a VM (docs/instantiate.md).
#   runner/link_order.sh [WORKER...]     (default: native wasmi wasmer wasmtime)
# Each worker runs its cold-start cells (the baseline: bare, copy, raw, release, logging off, the
# host calling; the artifact engine where the runtime has one, with Cranelift's and Winch's
# artifacts, every `instantiate` strategy) through the runner, briefly measured, in one process each, with
# WASMATRIX_WORKER_WRAPPER set to a wrapper that runs the measuring process under valgrind's
# callgrind (symbols as linked, not demangled) and its precompile under valgrind's `none` tool, so
# that the artifacts target the CPU callgrind presents. Needs valgrind (the README's set-up installs
# it); takes a few minutes. Run it again after a change moves the cold path: a stale file only costs
# start-up time, never correctness (symbols it names that the binary lacks are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
workers=("$@")
((${#workers[@]})) || workers=(native wasmi wasmer wasmtime)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cat >"$scratch/cold.toml" <<'EOF'
description = "runner/link_order.sh: the cold-start cells, one briefly measured process each, traced"
[measure]
processes = 1
min_processes = 1
warmup = 10
samples = 2
batch = 10
floor_batch = 10
codec_batch = 10
setup_repeats = 2
timeout_s = 1800
memory_limit_mib = 4096

[[study]]
name = "cold"
runtime = ["native", "wasmi", "wasmer", "wasmtime"]
compiler = ["rustc", "eager", "cranelift", "winch"]
engine = "*"
instantiate = "*"
EOF

cat >"$scratch/wrap.sh" <<EOF
#!/usr/bin/env bash
# WORKER... worker JOB: the precompile under valgrind's none tool, the measuring process traced.
case "\${*: -1}" in
  *'"phase":"Precompile"'*) exec valgrind --quiet --tool=none "\$@" ;;
  *) exec valgrind --quiet --tool=callgrind --demangle=no --dump-instr=no --compress-strings=no \
       --smc-check=all --callgrind-out-file="$scratch/trace.%p" "\$@" ;;
esac
EOF
chmod +x "$scratch/wrap.sh"

for worker in "${workers[@]}"; do
  case "$worker" in
    native) filter="runtime=native" ;;
    wasmi) filter="runtime=wasmi" ;;
    wasmer | wasmtime) filter="runtime=$worker engine=artifact" ;;
    *) echo "runner/link_order.sh: unknown worker \`$worker\` (native, wasmi, wasmer, wasmtime)" >&2; exit 2 ;;
  esac
  rm -f "$scratch"/trace.*
  WASMATRIX_WORKER_WRAPPER="$scratch/wrap.sh" runner/wasmatrix.sh run "$scratch/cold.toml" \
    --filter "$filter" --out "$scratch/$worker.csv" >&2
  # Every function of the worker's own binary (`ob=`, the object the following `fn=` lines are
  # in), first appearance first, across its traced processes in the order they ran.
  traces=$(ls -tr "$scratch"/trace.* 2>/dev/null) || true
  [ -n "$traces" ] || { echo "runner/link_order.sh: no trace of the $worker worker" >&2; exit 1; }
  # shellcheck disable=SC2086
  awk '/^ob=/ { ours = ($0 ~ /\/wasmatrix-[a-z0-9]+$/) } /^fn=/ && ours && !seen[substr($0, 4)]++ { print substr($0, 4) }' \
    $traces >"runner/$worker/link-order.txt"
  echo "runner/$worker/link-order.txt: $(wc -l <"runner/$worker/link-order.txt") functions" >&2
done
