//! Records the Wasmtime version this worker resolves to, from the lock file of the workspace it is
//! built in (its own for runner/wasmtime, a release's in runner/releases/), for the rows'
//! `runtime_version`; tells the source which Wasmtime line it is built against (`wasmtime_36`:
//! the places where the long-term-support line's API differs from 48's); and links its binary in
//! the order of link-order.txt.

include!("../core/build/locked_version.rs");
include!("../core/build/link_order.rs");

fn main() {
    link_order("link-order.txt");
    let version = locked_version(&workspace_lock(), "wasmtime");
    println!("cargo:rustc-env=WASMATRIX_WASMTIME_VERSION={version}");
    println!("cargo:rustc-check-cfg=cfg(wasmtime_36)");
    if version.starts_with("36.") {
        println!("cargo:rustc-cfg=wasmtime_36");
    }
    // Built as a release's crate (runner/releases/<release>/), one directory deeper: the source's
    // paths from the manifest (guests/wit) take one more `..`.
    println!("cargo:rustc-check-cfg=cfg(release_crate)");
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    if manifest.parent().and_then(|dir| dir.file_name()).is_some_and(|name| name == "releases") {
        println!("cargo:rustc-cfg=release_crate");
    }
}
