// The one Cargo.lock reader of the build scripts that record a resolved crate version for the
// rows' `runtime_version` (runner/build.rs, and the wasmer, wasmtime and wasmi workers'): each
// includes this file with `include!`, as a build script can share code with no crate of its own.

/// The lock file of the package's workspace: the nearest Cargo.lock at or above its manifest (a
/// worker's own, or a release's in runner/releases/ building the same source).
fn workspace_lock() -> String {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let lock = manifest.ancestors().map(|dir| dir.join("Cargo.lock")).find(|lock| lock.is_file());
    lock.expect("workers build with --locked, so their workspace has a Cargo.lock").display().to_string()
}

/// The version of `package` that the lock file at `lock_path` resolves to, "unknown" if it names
/// none; cargo runs the build script again when the lock file changes.
fn locked_version(lock_path: &str, package: &str) -> String {
    println!("cargo:rerun-if-changed={lock_path}");
    let lock = std::fs::read_to_string(lock_path).unwrap_or_default();
    let name = format!("\nname = \"{package}\"\n");
    lock.split("[[package]]")
        .find(|p| p.contains(&name))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .unwrap_or_else(|| "unknown".into())
}
