# Sourced by runner/bare_call.sh and runner/bare_instantiate.sh: builds one example of each Rust
# worker crate (runner/<runtime>/examples/NAME.rs) into target/wasmatrix/cargo, as the runner builds
# its workers, as target/wasmatrix/cargo/release/examples/NAME-<runtime>.
#   build_examples NAME
build_examples() {
  local name="$1" target=target/wasmatrix/cargo runtime
  export LLVM_SYS_221_PREFIX="${LLVM_SYS_221_PREFIX:-/usr/lib/llvm-22}"
  for runtime in wasmer wasmi wasmtime; do
    if [ "$runtime" = wasmtime ]; then
      cargo build --quiet --release --locked --example "$name" --manifest-path runner/wasmtime/Cargo.toml --target-dir "$target"
    else
      cargo build --quiet --release --locked --example "$name" -p "wasmatrix-$runtime" --target-dir "$target"
    fi
    rm -f "$target/release/examples/$name-$runtime"
    cp "$target/release/examples/$name" "$target/release/examples/$name-$runtime"
  done
}
