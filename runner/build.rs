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
    let lock = workspace_lock();
    let wasmer = locked_version(&lock, "wasmer");
    println!("cargo:rustc-env=WASMATRIX_WASMER_VERSION={wasmer}");
    // The wasm-bindgen crate the guests' `bindgen` feature resolves to: its CLI must be the same.
    let bindgen = locked_version(&lock, "wasm-bindgen");
    println!("cargo:rustc-env=WASMATRIX_WASM_BINDGEN_VERSION={bindgen}");

    // The triple the runner is built for, which it builds its workers for (runner/static-exe.toml
    // names the host, and cargo puts their binaries under target/<triple>/).
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=WASMATRIX_HOST_TARGET={target}");
}
