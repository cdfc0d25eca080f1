//! Records the wasmi version actually resolved, from the lock file of the workspace the worker is
//! built in (the main workspace's for runner/wasmi, its own for a release in runner/releases/), for
//! the rows' `runtime_version`; tells the source which wasmi line it is built against (`wasmi_1`:
//! the few places where wasmi 1's API differs from 2's); and links its binary in the order of
//! link-order.txt.

include!("../core/build/locked_version.rs");
include!("../core/build/link_order.rs");

fn main() {
    link_order("link-order.txt");
    let lock = workspace_lock();
    let wasmi = locked_version(&lock, "wasmi");
    println!("cargo:rustc-env=WASMATRIX_WASMI_VERSION={wasmi}");
    println!("cargo:rustc-env=WASMATRIX_WASMI_WASI_VERSION={}", locked_version(&lock, "wasmi_wasi"));
    println!("cargo:rustc-check-cfg=cfg(wasmi_1)");
    if wasmi.starts_with("1.") {
        println!("cargo:rustc-cfg=wasmi_1");
    }
}
