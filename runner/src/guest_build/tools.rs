//! The tools beside cargo that some guest builds need: binaryen's wasm-opt (the `wasm-opt`
//! profile, the `emscripten` environment) and wasm-merge (the `merged` transport), emcc (the `emscripten` heap's sbrk) and wasm-bindgen's
//! CLI (the `bindgen` transport's glue): where each is, how to get it, and the step each does.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm features Rust 1.95 enables by default for the wasm32 targets, which binaryen must be
/// told (the stripped guests carry no `target_features` section).
const WASM_FEATURES: [&str; 7] = [
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// binaryen's `wasm-opt`, from the npm package the set-up installs (Debian's is too old).
pub fn wasm_opt(root: &Path) -> PathBuf {
    root.join("target/wasmatrix/node/node_modules/binaryen/bin/wasm-opt")
}

/// How to get binaryen's `wasm-opt`, which the `wasm-opt` profile and the `emscripten`
/// environment use.
pub const WASM_OPT_TOOL: &str = "binaryen's wasm-opt comes from the npm package binaryen@132.0.0 in \
target/wasmatrix/node/node_modules/binaryen, run by Node.js: runner/wasmatrix.sh setup installs both (by hand: copy runner/npm/package.json, \
package-lock.json and .npmrc into target/wasmatrix/node and run `npm ci --ignore-scripts` there)";

/// The `NODE_PATH` Debian's emcc needs (its JavaScript optimiser loads acorn from there), unless
/// the caller set one.
pub fn emcc_node_path() -> std::ffi::OsString {
    std::env::var_os("NODE_PATH").unwrap_or_else(|| "/usr/share/nodejs".into())
}

/// How to get what the `emscripten` environment's builds need.
pub const EMSCRIPTEN_TOOLS: &str = "apt-get install emscripten (emcc 3.1.6, and the node that runs wasm-opt) \
and the npm package binaryen@132.0.0 in target/wasmatrix/node/node_modules/binaryen (wasm-opt); \
runner/wasmatrix.sh setup does both";

/// guests/emscripten/fresh_pages_sbrk.c compiled by emcc: the guests' heap grows only into
/// pages it grew itself, as Rust's allocator does on the other targets (emcc's own sbrk would
/// grow from `__heap_base` into the other guest's data under `shared`).
pub fn emscripten_sbrk(root: &Path) -> Result<PathBuf> {
    let source = root.join("guests/emscripten/fresh_pages_sbrk.c");
    let object = root.join("target/wasmatrix/emscripten/fresh_pages_sbrk.o");
    let dir = object.parent().expect("a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let output = Command::new("emcc")
        .env("NODE_PATH", emcc_node_path())
        .args(["-O2", "-c"])
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .output()
        .with_context(|| format!("cannot run emcc to compile {}: {EMSCRIPTEN_TOOLS}", source.display()))?;
    if !output.status.success() {
        bail!("emcc could not compile {}:\n{}", source.display(), String::from_utf8_lossy(&output.stderr).trim_end());
    }
    Ok(object)
}

/// Runs binaryen's `wasm-opt` with `passes` on `built`, writing `out`. Under `emscripten` the
/// passes include `--strip-eh`: it removes the legacy exception instructions Rust's prebuilt
/// std brings to `wasm32-unknown-emscripten` (Wasmer 7.4 refuses them; panic=abort leaves
/// `try`/`catch_all` but no `throw`, so nothing can be caught and stripping them changes no
/// behaviour).
pub fn run_wasm_opt(root: &Path, passes: &[&str], built: &Path, out: &Path) -> Result<()> {
    let wasm_opt = wasm_opt(root);
    if !wasm_opt.exists() {
        bail!("{} is missing: {WASM_OPT_TOOL}", wasm_opt.display());
    }
    let output = Command::new(&wasm_opt)
        .args(WASM_FEATURES)
        .args(passes)
        .arg(built)
        .arg("-o")
        .arg(out)
        .output()
        .with_context(|| format!("cannot run {}: {WASM_OPT_TOOL}", wasm_opt.display()))?;
    if !output.status.success() {
        bail!(
            "wasm-opt {} {} failed:\n{}",
            passes.join(" "),
            built.display(),
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    Ok(())
}

/// Runs binaryen's `wasm-merge` on `inputs` (each a file and the name its imports use for it),
/// with every feature on (rustc's output needs more than multi-memory), writing `out`. Exports
/// whose names clash get new ones (`--rename-export-conflicts`) rather than being dropped.
pub fn run_wasm_merge(root: &Path, inputs: &[(&Path, &str)], out: &Path) -> Result<()> {
    let wasm_merge = wasm_opt(root).with_file_name("wasm-merge");
    if !wasm_merge.exists() {
        bail!("{} is missing: {}", wasm_merge.display(), WASM_OPT_TOOL.replace("wasm-opt", "wasm-merge"));
    }
    let mut command = Command::new(&wasm_merge);
    for (file, name) in inputs {
        command.arg(file).arg(name);
    }
    let output = command
        .args(["--all-features", "--rename-export-conflicts", "-o"])
        .arg(out)
        .output()
        .with_context(|| format!("cannot run {}", wasm_merge.display()))?;
    if !output.status.success() {
        bail!("wasm-merge into {} failed:\n{}", out.display(), String::from_utf8_lossy(&output.stderr).trim_end());
    }
    Ok(())
}

/// wasm-bindgen's CLI, which the set-up installs with cargo (`cargo install --locked
/// wasm-bindgen-cli --version <the wasm-bindgen crate's> --root target/wasmatrix/wasm-bindgen`).
fn wasm_bindgen(root: &Path) -> PathBuf {
    root.join("target/wasmatrix/wasm-bindgen/bin/wasm-bindgen")
}

/// The wasm-bindgen crate's version in the workspace's Cargo.lock (runner/build.rs): the CLI must
/// be the same (it refuses a module whose crate version differs).
const WASM_BINDGEN_VERSION: &str = env!("WASMATRIX_WASM_BINDGEN_VERSION");

/// Refuses a missing wasm-bindgen CLI, or one of another version than the crate's, saying how to
/// get the right one.
fn check_wasm_bindgen(root: &Path) -> Result<()> {
    let version = WASM_BINDGEN_VERSION;
    let cli = wasm_bindgen(root);
    let how = format!(
        "runner/wasmatrix.sh setup installs it (by hand: cargo install --locked wasm-bindgen-cli --version {version} \
         --root target/wasmatrix/wasm-bindgen)"
    );
    let said = Command::new(&cli).arg("--version").output();
    let said = match said {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => bail!(
            "the bindgen transport's guests need wasm-bindgen {version}, and {} cannot be run: {how}",
            cli.display()
        ),
    };
    if said != format!("wasm-bindgen {version}") {
        bail!("{} is `{said}`, and the guests' wasm-bindgen crate is {version}: {how}", cli.display());
    }
    Ok(())
}

/// Runs `wasm-bindgen --target web` on `built` into `out_dir` as `<name>.js` and `<name>_bg.wasm`;
/// returns the latter.
pub fn run_wasm_bindgen(root: &Path, name: &str, built: &Path, out_dir: &Path) -> Result<PathBuf> {
    check_wasm_bindgen(root)?;
    let cli = wasm_bindgen(root);
    let output = Command::new(&cli)
        .args(["--target", "web", "--out-name", name, "--out-dir"])
        .arg(out_dir)
        .arg(built)
        .output()
        .with_context(|| format!("cannot run {}", cli.display()))?;
    if !output.status.success() {
        bail!("wasm-bindgen {} failed:\n{}", built.display(), String::from_utf8_lossy(&output.stderr).trim_end());
    }
    Ok(out_dir.join(format!("{name}_bg.wasm")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_wasm_bindgen_says_which_version_and_how_to_install_it() {
        let root = tempfile::tempdir().unwrap();
        let err = format!("{:#}", check_wasm_bindgen(root.path()).unwrap_err());
        assert!(err.contains(&format!("need wasm-bindgen {WASM_BINDGEN_VERSION}")), "{err}");
        assert!(err.contains("runner/wasmatrix.sh setup") && err.contains("cargo install --locked"), "{err}");
        assert!(WASM_BINDGEN_VERSION.starts_with("0.2."), "the lock's version: {WASM_BINDGEN_VERSION}");
    }

    #[test]
    fn a_missing_wasm_opt_says_how_to_install_it() {
        let root = tempfile::tempdir().unwrap();
        let built = root.path().join("in.wasm");
        std::fs::write(&built, b"\0asm\x01\0\0\0").unwrap();
        let err =
            format!("{:#}", run_wasm_opt(root.path(), &["-O3"], &built, &root.path().join("out.wasm")).unwrap_err());
        assert!(err.contains("wasm-opt is missing") && err.contains("binaryen@132.0.0"), "{err}");
        assert!(err.contains("runner/wasmatrix.sh setup"), "{err}");
    }
}
