//! Records the wasmer version actually resolved, from the lock file of the workspace it is built
//! in, for the rows' `runtime_version`; tells the source which Wasmer line it is built against;
//! and links its binary in the order of link-order.txt.

include!("../core/build/locked_version.rs");
include!("../core/build/link_order.rs");

fn main() {
    link_order("link-order.txt");
    let version = locked_version(&workspace_lock(), "wasmer");
    println!("cargo:rustc-env=WASMATRIX_WASMER_VERSION={version}");
    // The line it is built against, for the few places where an older release's API differs
    // (release `wasmer-6`, runner/releases/wasmer-6).
    println!("cargo:rustc-check-cfg=cfg(wasmer_6)");
    if version.starts_with("6.") {
        println!("cargo:rustc-cfg=wasmer_6");
    }
}
