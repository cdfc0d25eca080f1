//! Records the wasmi version actually resolved, from the workspace's lock file, for the rows'
//! `runtime_version`, and links its binary in the order of link-order.txt.

include!("../core/build/locked_version.rs");
include!("../core/build/link_order.rs");

fn main() {
    link_order("link-order.txt");
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    println!("cargo:rustc-env=WASMATRIX_WASMI_VERSION={}", locked_version(lock, "wasmi"));
    println!("cargo:rustc-env=WASMATRIX_WASMI_WASI_VERSION={}", locked_version(lock, "wasmi_wasi"));
}
