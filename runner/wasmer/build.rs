//! Records the wasmer version actually resolved, from the workspace's lock file, for the rows'
//! `runtime_version`.

fn main() {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    println!("cargo:rerun-if-changed={lock_path}");
    let lock = std::fs::read_to_string(lock_path).unwrap_or_default();
    let wasmer = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wasmer\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=WASMATRIX_WASMER_VERSION={wasmer}");
}
