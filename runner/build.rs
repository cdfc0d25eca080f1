//! Records what the runner was built with, for the metadata columns of every row.

include!("core/build/locked_version.rs");

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=WASMATRIX_RUSTC_VERSION={version}");

    // The wasmer version actually resolved, from the workspace's lock file.
    let wasmer = locked_version(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"), "wasmer");
    println!("cargo:rustc-env=WASMATRIX_WASMER_VERSION={wasmer}");
}
