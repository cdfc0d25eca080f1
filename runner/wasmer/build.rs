//! Records the wasmer version actually resolved, from the workspace's lock file, for the rows'
//! `runtime_version`.

include!("../core/build/locked_version.rs");

fn main() {
    let version = locked_version(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"), "wasmer");
    println!("cargo:rustc-env=WASMATRIX_WASMER_VERSION={version}");
}
