// The Rust workers' build scripts (native, wasmi, wasmer, wasmtime) include this file with
// `include!`, as a build script can share code with no crate of its own.

/// Links the package's binaries with the functions that `order` (a path relative to the package)
/// lists first, in its order: the functions a worker ran from exec to its report, traced by
/// runner/link_order.sh. So the code of a cold start sits on a few pages rather than across the
/// binary, and a fresh process faults fewer of them in (docs/instantiate.md says what it saves).
/// Symbols the file names that the binary lacks (a stale file) are skipped without a word; the
/// binary links the same without the file, only slower to start. Only where rustc links with its
/// own lld (x86_64 Linux with glibc, Rust 1.90 and later), which has `--symbol-ordering-file`.
fn link_order(order: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(order);
    println!("cargo:rerun-if-changed={}", path.display());
    let target = std::env::var("TARGET").unwrap_or_default();
    if target == "x86_64-unknown-linux-gnu" && path.is_file() {
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", path.display());
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
