//! Records the wasmi version actually resolved, from the workspace's lock file, for the rows'
//! `runtime_version`.

include!("../core/build/locked_version.rs");

fn main() {
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    println!("cargo:rustc-env=WASMATRIX_WASMI_VERSION={}", locked_version(lock, "wasmi"));
    println!("cargo:rustc-env=WASMATRIX_WASMI_WASI_VERSION={}", locked_version(lock, "wasmi_wasi"));
}
