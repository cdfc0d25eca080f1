#!/bin/sh
# Builds the Wasmtime worker as the runner does (runner/src/workers/cargo.rs: cargo build --quiet
# --locked --release --bin wasmatrix-wasmtime --manifest-path runner/wasmtime/Cargo.toml, from the
# checkout's root), with layout padding of each N given (pad.py), into TARGET; copies each binary
# to BINS/padN and keeps the padding as results/pulley-layout/padN.patch. main.rs is restored after each.
# usage: build-variants.sh CHECKOUT TARGET BINS N...
set -eu
checkout=$1 target=$2 bins=$3; shift 3
here=$(dirname "$(readlink -f "$0")")
cd "$checkout"
trap 'git checkout -- runner/wasmtime/src/main.rs' EXIT
for n in "$@"; do
    python3 "$here/pad.py" "$checkout" "$n"
    git diff -- runner/wasmtime/src/main.rs > "$here/pad$n.patch"
    nice -n 19 cargo build --quiet --locked --release --bin wasmatrix-wasmtime \
        --manifest-path runner/wasmtime/Cargo.toml --target-dir "$target"
    cp "$target/release/wasmatrix-wasmtime" "$bins/pad$n"
    git checkout -- runner/wasmtime/src/main.rs
    echo "pad$n: $(nm -S "$bins/pad$n" | grep 'match_loop.*Interpreter.*run' | awk '{print $1, $2}')"
done
