# Sourced by runner/bare_call.sh and runner/bare_instantiate.sh: builds one example of each Rust
# worker crate (runner/<runtime>/examples/NAME.rs) into target/wasmatrix/cargo, as the runner builds
# its workers (runner/static-exe.toml), as $ex/NAME-<runtime>.
#   build_examples NAME
ex="target/wasmatrix/cargo/$(rustc -vV | sed -n 's/^host: //p')/release/examples"
build_examples() {
  local name="$1" target=target/wasmatrix/cargo runtime
  export LLVM_SYS_221_PREFIX="${LLVM_SYS_221_PREFIX:-/usr/lib/llvm-22}"
  for runtime in wasmer wasmi wasmtime; do
    if [ "$runtime" = wasmtime ]; then
      set -- --manifest-path runner/wasmtime/Cargo.toml
    else
      set -- -p "wasmatrix-$runtime"
    fi
    cargo build --quiet --release --locked --config runner/static-exe.toml --example "$name" "$@" --target-dir "$target"
    rm -f "$ex/$name-$runtime"
    cp "$ex/$name" "$ex/$name-$runtime"
  done
}
