//! Records the Wasmtime version this worker resolves to, from its own lock file.

include!("../core/build/locked_version.rs");

fn main() {
    let version = locked_version(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"), "wasmtime");
    println!("cargo:rustc-env=WASMATRIX_WASMTIME_VERSION={version}");
}
