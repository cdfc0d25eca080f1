use super::axes::*;
use super::*;

const GOOD: &str = r#"
description = "test"
[axes]
compiler = ["singlepass", "cranelift", "llvm"]
engine = ["jit", "artifact"]
environment = ["bare"]
transport = ["copy", "shared"]
codec = ["raw"]
profile = ["release"]
[measure]
warmup = 10
samples = 5
batch = 4
timeout_s = 30
[[exclude]]
compiler = "singlepass"
engine = ["artifact"]
"#;

fn parse(text: &str) -> Result<Matrix> {
    Matrix::parse(text, Path::new("matrices/t.toml"))
}

fn error(text: &str) -> String {
    format!("{:#}", parse(text).unwrap_err())
}

#[test]
fn expands_the_product_minus_exclusions() {
    let m = parse(GOOD).unwrap();
    let cells = m.cells();
    assert_eq!(cells.len(), 3 * 2 * 2 - 2);
    assert!(!cells.iter().any(|c| c.compiler == Compiler::Singlepass && c.engine == Engine::Artifact));
    let mut unique = cells.to_vec();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), cells.len());
    assert_eq!(m.measure.round_trips(), 1 + 10 + 5 * 4);
    assert_eq!(m.name, "t");
}

#[test]
fn unknown_value_names_file_line_and_allowed_values() {
    let err = error(&GOOD.replace("\"cranelift\"", "\"cranelfit\""));
    assert!(err.contains("matrices/t.toml:4:"), "{err}");
    assert!(err.contains("unknown compiler `cranelfit`; allowed: singlepass, cranelift, llvm"), "{err}");
}

#[test]
fn malformed_toml_names_file_and_line() {
    let err = error(&GOOD.replace("batch = 4", "batch = = 4"));
    assert!(err.contains("matrices/t.toml") && err.contains("line 13"), "{err}");
}

#[test]
fn unknown_axis_and_missing_axis_are_errors() {
    let err = error(&GOOD.replace("profile = [", "flavour = ["));
    assert!(err.contains("flavour"), "{err}");
    let err = error(&GOOD.replace("compiler = \"singlepass\"", "sandbox = \"v8\""));
    assert!(err.contains("unknown axis `sandbox`") && err.contains("in [[exclude]]"), "{err}");
    let err = error(&GOOD.replace("compiler = \"singlepass\"", "runtime = \"v9\""));
    assert!(err.contains("unknown runtime `v9`; allowed: wasmer, wasmtime, wasmi, v8, native"), "{err}");
}

#[test]
fn bad_measure_settings_are_errors() {
    let err = error(&GOOD.replace("samples = 5", "samples = 0"));
    assert!(err.contains("[measure]") && err.contains("at least 1"), "{err}");
    for (setting, says) in [
        ("target_ci_pct = 0", "target_ci_pct must be a positive number"),
        ("target_ci_pct = nan", "target_ci_pct must be a positive number"),
        ("cell_budget_s = -1", "cell_budget_s must be a number of seconds"),
        ("min_processes = 0", "min_processes must be at least 1"),
    ] {
        let err = error(&GOOD.replace("timeout_s = 30", &format!("timeout_s = 30\n{setting}")));
        assert!(err.contains("[measure]") && err.contains(says), "{setting}: {err}");
    }
    let m = parse(
        &GOOD.replace("timeout_s = 30", "timeout_s = 30\nmin_processes = 3\ntarget_ci_pct = 1.5\ncell_budget_s = 8"),
    )
    .unwrap();
    assert_eq!((m.measure.min_processes, m.measure.target_ci_pct, m.measure.cell_budget_s), (3, 1.5, 8.0));
    assert_eq!(parse(GOOD).unwrap().measure.min_processes, 5, "the default");
    let all_excluded = GOOD.replace("compiler = \"singlepass\"\nengine = [\"artifact\"]", "codec = \"raw\"");
    assert!(error(&all_excluded).contains("no cells"));
}

#[test]
fn rustc_pairs_only_with_native() {
    let text = GOOD
        .replace(r#""singlepass", "cranelift", "llvm"]"#, r#""cranelift", "rustc"]"#)
        .replace(r#"["jit", "artifact"]"#, r#"["jit", "native"]"#);
    // compilers x engines x transports x runtimes (Wasmer and native, as the matrix lists none):
    // 16 combinations, of which these are cells.
    let cells = parse(&text).unwrap().cells().to_vec();
    assert_eq!(cells.len(), 4, "cranelift/jit and rustc/native, under both transports");
    assert!(cells.iter().all(|c| (c.compiler == Compiler::Rustc) == (c.engine == Engine::Native)));
    assert!(cells.iter().all(|c| (c.runtime == Runtime::Native) == (c.engine == Engine::Native)));
}

#[test]
fn filters_select_cells() {
    let m = parse(GOOD).unwrap();
    let f = Selector::parse_filter("compiler=llvm,cranelift transport=shared").unwrap();
    let picked: Vec<_> = m.cells().iter().filter(|c| f.matches(c)).collect();
    assert_eq!(picked.len(), 4);
}
