//! wasmer-emscripten 5.0.0-rc.1 against what Debian's Emscripten (emcc 3.1.6) and Rust's
//! `wasm32-unknown-emscripten` target emit today. Each test builds a tiny module and asserts the
//! exact error the legacy crate stops at. A test that fails because a module now gets further
//! means the legacy path changed: read the new error (or success) and revisit the plan for an
//! `emscripten` environment.
//!
//! Needs `emcc` (`apt-get install emscripten`) and, for the Rust test, the Rust target
//! (`rustup target add wasm32-unknown-emscripten`); a missing tool fails the test, saying so.

use std::path::{Path, PathBuf};
use std::process::Command;
use wasmatrix_emscripten_legacy::{recognizes, run_emscripten};

/// The Emscripten these expectations hold for: Debian 12's package.
const EMCC_VERSION: &str = "3.1.6";

/// What wasmer-emscripten says about a module that defines (exports) its table, as every module
/// from Emscripten >= 2 does unless linked for dynamic linking.
const NO_IMPORTED_TABLE: &str = "Emscripten requires at least one imported table";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// An empty directory for one test's build products.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emscripten-legacy").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Runs a build tool in `dir`; panics with `missing` if it is not installed, or with its output
/// if it fails.
fn run(dir: &Path, program: &str, args: &[&str], missing: &str) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        // Debian's emcc runs node with its JS dependencies (acorn) from here.
        .env("NODE_PATH", "/usr/share/nodejs")
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("`{program}` not found: {missing}"),
        Err(e) => panic!("cannot run `{program}`: {e}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if stderr.contains("can't find crate for `std`") || stderr.contains("linker `emcc` not found") {
            panic!("`{program}` cannot build for wasm32-unknown-emscripten: {missing}\n{stderr}");
        }
        panic!("`{program} {}` failed:\n{stderr}", args.join(" "));
    }
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const INSTALL_EMCC: &str = "install Debian's Emscripten 3.1.6 with `apt-get install emscripten`";

/// Fails unless emcc is the one these expectations are for.
fn require_emcc(dir: &Path) {
    let version = run(dir, "emcc", &["--version"], INSTALL_EMCC);
    assert!(
        version.lines().next().is_some_and(|l| l.contains(&format!(") {EMCC_VERSION} ("))),
        "these expectations are for emcc {EMCC_VERSION} (Debian 12's `emscripten`), found:\n{version}"
    );
}

/// Builds `hello.c` with emcc and `flags`; returns the `.wasm`.
fn emcc(test: &str, flags: &[&str]) -> Vec<u8> {
    let dir = scratch(test);
    require_emcc(&dir);
    let source = fixture("hello.c");
    let mut args = vec!["-O2", source.to_str().expect("UTF-8 path"), "-o", "hello.js"];
    args.extend_from_slice(flags);
    run(&dir, "emcc", &args, INSTALL_EMCC);
    std::fs::read(dir.join("hello.wasm")).expect("emcc wrote hello.wasm next to hello.js")
}

/// The names a module imports, as `module.name`.
fn imports(wasm: &[u8]) -> Vec<String> {
    let store = wasmer::Store::default();
    let module = wasmer::Module::new(&store, wasm).expect("the module compiles");
    module.imports().map(|i| format!("{}.{}", i.module(), i.name())).collect()
}

/// emcc's default output (a module for its JS glue) defines and exports its table and memory;
/// wasmer-emscripten expects the pre-2.0 ABI, where the JS side created and passed both.
#[test]
fn default_emcc_module_has_no_imported_table() {
    let wasm = emcc("default", &[]);
    assert_eq!(recognizes(&wasm), Ok(true), "it still imports env.emscripten_memcpy_big");
    assert_eq!(run_emscripten(&wasm), Err(NO_IMPORTED_TABLE.to_owned()));
}

/// Importing table and memory is only possible in emcc 3.1.6 by linking for dynamic linking
/// (`-sMAIN_MODULE=2`; `-Wl,--import-table` clashes with emcc's own `--export-table`). Past that
/// check, instantiation fails on the first import the legacy crate lacks: since Emscripten 2,
/// output goes through WASI's `fd_write`, which wasmer-emscripten never provided.
#[test]
fn emcc_module_with_imported_table_needs_wasi_fd_write() {
    let wasm = emcc("imported-table", &["-sMAIN_MODULE=2"]);
    let imports = imports(&wasm);
    for import in ["env.memory", "env.__indirect_function_table", "wasi_snapshot_preview1.fd_write"] {
        assert!(imports.iter().any(|i| i == import), "{import} not among the imports: {imports:?}");
    }
    assert_eq!(recognizes(&wasm), Ok(true));
    assert_eq!(
        run_emscripten(&wasm),
        Err("instantiate: Error while importing \"wasi_snapshot_preview1\".\"fd_write\": unknown import. \
             Expected Function(FunctionType { params: [I32, I32, I32, I32], results: [I32] })"
            .to_owned())
    );
}

/// `-sSTANDALONE_WASM` (what wasmatrix's `emscripten` environment builds: imports only WASI) is
/// not even taken for an Emscripten module, and has no imported table either.
#[test]
fn standalone_wasm_module_is_not_an_emscripten_module_to_it() {
    let wasm = emcc("standalone", &["-sSTANDALONE_WASM"]);
    assert_eq!(recognizes(&wasm), Ok(false));
    assert_eq!(run_emscripten(&wasm), Err(NO_IMPORTED_TABLE.to_owned()));
}

/// Rust's std for wasm32-unknown-emscripten is built with wasm exception handling (the legacy
/// `try`/`catch` instructions), and `-C panic=abort` does not remove it (std comes prebuilt).
/// Wasmer 5 cannot validate that, so a Rust module stops before any Emscripten check.
#[test]
fn rust_std_module_fails_validation_on_exceptions() {
    let dir = scratch("rust");
    require_emcc(&dir); // rustc links with it
    let source = fixture("hello.rs");
    let target = "--target=wasm32-unknown-emscripten";
    let args = [target, "-O", "-Cpanic=abort", source.to_str().expect("UTF-8 path"), "-o", "hello.js"];
    run(&dir, "rustc", &args, "run `rustup target add wasm32-unknown-emscripten` and `apt-get install emscripten`");
    let wasm = std::fs::read(dir.join("hello.wasm")).expect("rustc (emcc) wrote hello.wasm next to hello.js");
    let error = run_emscripten(&wasm).expect_err("a Rust module now compiles under Wasmer 5");
    // The offset after this depends on the module's layout, so on the Rust release.
    let expected = "compile: Validation error: exceptions proposal not enabled (at offset ";
    assert!(error.starts_with(expected), "expected `{expected}…`, got `{error}`");
}
