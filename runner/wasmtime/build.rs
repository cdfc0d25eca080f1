//! Records the Wasmtime version this worker resolves to, from its own lock file, and links its
//! binary in the order of link-order.txt.

include!("../core/build/locked_version.rs");
include!("../core/build/link_order.rs");

fn main() {
    link_order("link-order.txt");
    let version = locked_version(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"), "wasmtime");
    println!("cargo:rustc-env=WASMATRIX_WASMTIME_VERSION={version}");
}
