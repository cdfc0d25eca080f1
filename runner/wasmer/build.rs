//! Records the wasmer version actually resolved, from the lock file of the workspace it is built in, for the rows'
//! `runtime_version`, and links its binary in the order of link-order.txt.

include!("../core/build/locked_version.rs");
include!("../core/build/link_order.rs");

fn main() {
    link_order("link-order.txt");
    let version = locked_version(&workspace_lock(), "wasmer");
    println!("cargo:rustc-env=WASMATRIX_WASMER_VERSION={version}");
}
