use super::axes::*;
use super::*;

/// The older form: one product minus exclusions.
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

/// The same cells as GOOD, as studies.
const STUDIES: &str = r#"
description = "test"
[measure]
warmup = 10
samples = 5
batch = 4
timeout_s = 30

[[study]]
name = "compilers"
compiler = ["singlepass", "cranelift", "llvm"]
transport = ["copy", "shared"]

[[study]]
name = "precompiled"
compiler = ["cranelift", "llvm"]
engine = "artifact"
transport = "*"
"#;

fn parse(text: &str) -> Result<Matrix> {
    Matrix::parse(text, Path::new("matrices/t.toml"))
}

fn error(text: &str) -> String {
    format!("{:#}", parse(text).unwrap_err())
}

fn names(cells: &[Cell]) -> Vec<String> {
    cells.iter().map(Cell::to_string).collect()
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
    assert!(m.studies.is_empty(), "the older form has no studies");
}

#[test]
fn studies_are_a_union_with_defaults_and_every_value() {
    let m = parse(STUDIES).unwrap();
    let compilers = &m.studies[0];
    assert_eq!(compilers.name, "compilers");
    // Unnamed axes at their defaults: jit, bare, raw, release, off, default, wasmer, host.
    assert_eq!(
        names(&compilers.cells),
        [
            "singlepass/jit/bare/copy/raw/release/off/default/wasmer/host/fresh",
            "cranelift/jit/bare/copy/raw/release/off/default/wasmer/host/fresh",
            "llvm/jit/bare/copy/raw/release/off/default/wasmer/host/fresh",
            "singlepass/jit/bare/shared/raw/release/off/default/wasmer/host/fresh",
            "cranelift/jit/bare/shared/raw/release/off/default/wasmer/host/fresh",
            "llvm/jit/bare/shared/raw/release/off/default/wasmer/host/fresh",
        ]
    );
    // transport = "*": every transport (component, composed, bindgen and merged too; composed only
    // with call = import, which is not a cell under the default call = host).
    let precompiled = &m.studies[1];
    assert_eq!(precompiled.cells.len(), 2 * 5);
    assert!(precompiled.cells.iter().any(|c| c.transport == Transport::Component));
    // The union: the studies' cells in their order, each once.
    assert_eq!(names(m.cells())[..6], names(&compilers.cells)[..]);
    assert_eq!(names(&m.cells()[6..]), names(&precompiled.cells));
    // The same cells as the older form's GOOD, and the component, bindgen and merged ones.
    let mut old = names(parse(GOOD).unwrap().cells());
    let newer: Vec<Cell> = precompiled
        .cells
        .iter()
        .filter(|c| matches!(c.transport, Transport::Component | Transport::Bindgen | Transport::Merged))
        .copied()
        .collect();
    old.extend(names(&newer));
    let mut new = names(m.cells());
    old.sort();
    new.sort();
    assert_eq!(new, old);
}

#[test]
fn a_cell_in_several_studies_is_one_cell() {
    let twice = STUDIES.replace("engine = \"artifact\"\ntransport = \"*\"", "transport = \"shared\"");
    let m = parse(&twice).unwrap();
    assert_eq!(m.studies[1].cells.len(), 2);
    assert_eq!(m.cells().len(), 6, "the second study's cells are all in the first");
    assert_eq!(
        studies::tell(&m.studies, m.cells()),
        ["study compilers: 6 cells", "study precompiled: 2 cells, 2 of them in an earlier study"]
    );
    let llvm: Vec<Cell> = m.cells().iter().filter(|c| c.compiler == Compiler::Llvm).copied().collect();
    assert_eq!(
        studies::tell(&m.studies, &llvm),
        ["study compilers: 2 of its 6 cells", "study precompiled: 1 of its 2 cells, 1 of them in an earlier study"]
    );
}

#[test]
fn a_study_naming_nothing_is_the_baseline_and_combinations_that_are_no_cells_are_skipped() {
    let m = parse(&STUDIES.replace("compiler = [\"singlepass\", \"cranelift\", \"llvm\"]\n", "")).unwrap();
    assert_eq!(names(&m.studies[0].cells[..1]), ["cranelift/jit/bare/copy/raw/release/off/default/wasmer/host/fresh"]);
    let m = parse(&STUDIES.replace(
        "compiler = [\"singlepass\", \"cranelift\", \"llvm\"]",
        "runtime = \"*\"\ncompiler = \"*\"\nengine = \"*\"",
    ))
    .unwrap();
    // Each runtime with the compilers it has (V8 in Node.js and in Chromium two each); rustc only
    // with the native engine.
    assert_eq!(m.studies[0].cells.len(), 2 * (3 * 2 + 3 * 2 + 3 * 2 + 2 * 2 + 2 * 2 + 1));
}

#[test]
fn study_errors_name_the_file_the_place_and_what_is_allowed() {
    let err = error(&STUDIES.replace("transport = [\"copy\", \"shared\"]", "flavour = \"x\""));
    assert!(err.contains("matrices/t.toml:12:11: study `compilers`: unknown axis `flavour`; axes: compiler,"), "{err}");
    let err = error(&STUDIES.replace("\"cranelift\", \"llvm\"]\nengine", "\"cranelfit\", \"llvm\"]\nengine"));
    assert!(err.contains("matrices/t.toml:16:12: study `precompiled`: unknown compiler `cranelfit`"), "{err}");
    assert!(
        err.contains("allowed: singlepass, cranelift, llvm, winch,") && err.contains("or \"*\" for every compiler")
    );
    let err = error(&STUDIES.replace("transport = \"*\"", "transport = []"));
    assert!(err.contains("study `precompiled`: transport lists no values; allowed: copy,"), "{err}");
    let err = error(&STUDIES.replace("name = \"precompiled\"", "name = \"compilers\""));
    assert!(
        err.contains("t.toml:15:8: a second study named `compilers` (the first is at matrices/t.toml:10:8)"),
        "{err}"
    );
    let err = error(&STUDIES.replace("name = \"precompiled\"\n", ""));
    assert!(
        err.contains("matrices/t.toml:") && err.contains("[[study]] without a `name`; a study has a `name`"),
        "{err}"
    );
    let err = error(&STUDIES.replace("name = \"precompiled\"", "name = [\"a\", \"b\"]"));
    assert!(err.contains("t.toml:15:8: a study's `name` is one string"), "{err}");
    let err = error(&STUDIES.replace("engine = \"artifact\"", "engine = \"native\""));
    assert!(err.contains("t.toml:15:8: study `precompiled` holds no cells: no combination of the values it names is a cell, e.g. cranelift/native/"), "{err}");
    assert!(err.contains("the native engine runs rustc's native code"), "{err}");
}

#[test]
fn the_two_forms_do_not_mix() {
    let axes = &GOOD[GOOD.find("[axes]").unwrap()..GOOD.find("[measure]").unwrap()];
    let err = error(&format!("{STUDIES}\n{axes}"));
    assert!(err.contains("matrices/t.toml: [[study]] tables and [axes] together"), "{err}");
    let err = error(&format!("{STUDIES}\n[[exclude]]\ncompiler = \"llvm\""));
    assert!(err.contains("[[exclude]] belongs to the older form, with [axes]"), "{err}");
    let err = error(&STUDIES[..STUDIES.find("[[study]]").unwrap()]);
    assert!(err.contains("matrices/t.toml: no [[study]] table"), "{err}");
    let err = error(&STUDIES.replace("[[study]]", "[[studies]]"));
    assert!(err.contains("unknown field `studies`"), "{err}");
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
    assert!(err.contains("unknown runtime `v9`; allowed: wasmer, wasmtime, wasmi, v8, chromium, native"), "{err}");
}

#[test]
fn bad_measure_settings_are_errors() {
    for matrix in [GOOD, STUDIES] {
        let err = error(&matrix.replace("samples = 5", "samples = 0"));
        assert!(err.contains("[measure]") && err.contains("at least 1"), "{err}");
    }
    for (setting, says) in [
        ("target_ci_pct = 0", "target_ci_pct must be a positive number"),
        ("target_ci_pct = nan", "target_ci_pct must be a positive number"),
        ("cell_budget_s = -1", "cell_budget_s must be a number of seconds"),
        ("min_processes = 0", "min_processes must be at least 1"),
        ("instantiate_batch = 0", "instantiate_batch must be at least 1"),
        ("instantiate_threads = 0", "instantiate_threads must be between 1 and 64"),
        ("instantiate_threads = 65", "instantiate_threads must be between 1 and 64"),
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
    let none = parse(&GOOD.replace("timeout_s = 30", "timeout_s = 30\ninstantiations = 0\ninstantiate_batch = 0"));
    assert_eq!(none.unwrap().measure.instantiations, 0, "no instantiations need no batch");
    let err = error(&GOOD.replace("timeout_s = 30", "timeout_s = 30\ninstantiations = -1"));
    assert!(err.contains("instantiations"), "{err}");
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
