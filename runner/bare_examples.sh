# Sourced by runner/bare_call.sh and runner/bare_instantiate.sh: builds one example of each Rust
# worker crate (runner/<runtime>/examples/NAME.rs), or of the RUNTIMEs named, into
# target/wasmatrix/cargo, as the runner builds its workers (runner/static-exe.toml), as
# $ex/NAME-<runtime>.
#   build_examples NAME [RUNTIME ...]
ex="target/wasmatrix/cargo/$(rustc -vV | sed -n 's/^host: //p')/release/examples"
build_examples() {
  local name="$1" target=target/wasmatrix/cargo runtime runtimes=("${@:2}")
  [ ${#runtimes[@]} -gt 0 ] || runtimes=(wasmer wasmi wasmtime)
  export LLVM_SYS_221_PREFIX="${LLVM_SYS_221_PREFIX:-/usr/lib/llvm-22}"
  for runtime in "${runtimes[@]}"; do
    local built="$ex"
    case "$runtime" in
      wasmtime) set -- --config runner/static-exe.toml --manifest-path runner/wasmtime/Cargo.toml ;;
      wasmi) set -- --config runner/static-exe.toml -p wasmatrix-wasmi ;;
      # Linked as its worker is: not statically (runner/static-exe.toml says why).
      wasmer) set -- -p wasmatrix-wasmer; built="$target/release/examples" ;;
    esac
    cargo build --quiet --release --locked --example "$name" "$@" --target-dir "$target"
    mkdir -p "$ex"
    rm -f "$ex/$name-$runtime"
    cp "$built/$name" "$ex/$name-$runtime"
  done
}
