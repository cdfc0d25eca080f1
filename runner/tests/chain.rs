//! The `modules` axis (chains of modules): producer, relays, consumer under Wasmer, Wasmtime, wasmi
//! and natively, on both core-module transports and both call patterns, every length to the one checksum of the
//! pair (the relays forward the bytes they read); chains of components under Wasmtime, linked
//! through the host and composed, to the same checksum; the chain's traffic grows hop by hop under
//! `copy`; a length that is no value of the axis is refused before any cell runs; the cells a
//! chain cannot run in are rows saying why.

mod common;

use common::{column, runner, text, TINY};

const CHAINS: &str = r#"[[study]]
name = "chains"
runtime = ["wasmer", "native"]
compiler = ["cranelift", "rustc"]
engine = ["jit", "native"]
transport = ["copy", "shared"]
call = ["host", "import"]
codec = ["raw", "rkyv"]
modules = [2, 4]

[[study]]
name = "runtimes"
runtime = ["wasmtime", "wasmi"]
compiler = ["cranelift", "eager"]
transport = ["copy", "shared"]
call = ["host", "import"]
modules = [2, 4]

[[study]]
name = "unsupported"
runtime = ["wasmtime"]
compiler = ["cranelift"]
instantiate = ["pooled"]
modules = [3]
"#;

#[test]
fn a_chain_of_four_reaches_the_pairs_checksum_on_both_transports_under_every_rust_host() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    std::fs::write(&m, format!("{CHAINS}\n[measure]\n{TINY}\n")).unwrap();
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (modules, copied, expected) = (get("modules"), get("host_copied_bytes_per_rt"), get("expected_checksum"));
    let request = get("request_bytes_mean");
    assert_eq!(cells.len(), 2 * 2 * 2 * 2 * 2 + 2 * 2 * 2 * 2 + 1, "the studies' union");
    let mut ok = 0;
    for i in 0..cells.len() {
        if cells[i].contains("/pooled") {
            assert_eq!(statuses[i], "unsupported", "{}", cells[i]);
            assert!(errors[i].contains("instantiated fresh only"), "{}", errors[i]);
            continue;
        }
        assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
        assert_eq!(sums[i], expected[i], "{}: the pair's checksum", cells[i]);
        assert_eq!(cells[i].ends_with("/1/4"), modules[i] == "4", "{}: a chain's name ends with its length", cells[i]);
        ok += 1;
    }
    assert_eq!(ok, 48);
    let sums: Vec<&String> = sums.iter().filter(|s| !s.is_empty()).collect();
    assert!(sums.iter().all(|s| *s == sums[0]), "one checksum at every length: {sums:?}");
    // Under copy a chain of four copies the request three times and the reply once, a pair each
    // once: two requests more a round trip.
    let figure = |column: &[String], name: &str| {
        let i = cells.iter().position(|c| c == name).unwrap_or_else(|| panic!("no {name}"));
        column[i].parse::<f64>().unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    for runtime in ["wasmer", "wasmtime"] {
        let pair = format!("cranelift/jit/bare/copy/raw/release/off/default/{runtime}/host/fresh");
        let chain = format!("{pair}/1/4");
        let more = figure(&copied, &chain) - figure(&copied, &pair);
        assert!((more - 2.0 * figure(&request, &pair)).abs() < 1.0, "{more} bytes more copied in a chain of four");
    }
    assert_eq!(figure(&copied, "cranelift/jit/bare/shared/rkyv/release/off/default/wasmer/import/fresh/1/4"), 0.0);
}

/// Chains of components under Wasmtime, compiled in the process and precompiled: relays (the
/// world `relay`) linked through the host (`component`, both call patterns) or composed with wac
/// (`composed`, call `import` only: the host cannot call inside one component, `Cell::not_a_cell`),
/// on a byte codec and the typed record.
const COMPONENTS: &str = r#"[[study]]
name = "components"
runtime = ["wasmtime"]
compiler = ["cranelift"]
engine = ["jit", "artifact"]
transport = ["component", "composed"]
codec = ["raw", "wit"]
call = ["host", "import"]
modules = [2, 4]
"#;

#[test]
fn a_chain_of_four_components_reaches_the_pairs_checksum_through_the_host_and_composed() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    std::fs::write(&m, format!("{COMPONENTS}\n[measure]\n{TINY}\n")).unwrap();
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (modules, copied, expected) = (get("modules"), get("host_copied_bytes_per_rt"), get("expected_checksum"));
    // 2 engines x (component: 2 codecs x 2 calls x 2 lengths; composed: 2 codecs x call import x
    // 2 lengths)
    assert_eq!(cells.len(), 2 * (8 + 4), "{cells:?}");
    for i in 0..cells.len() {
        assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
        assert!(!sums[i].is_empty() && sums[i] == expected[i], "{}: the pair's checksum", cells[i]);
        assert_eq!(cells[i].ends_with("/1/4"), modules[i] == "4", "{}: a chain's name ends with its length", cells[i]);
        assert!(!cells[i].contains("/composed/") || cells[i].contains("/import/"), "{}", cells[i]);
        println!("{}: {} {}", cells[i], statuses[i], sums[i]);
    }
    // A request and its reply cross every hop of a chain of components (the reply comes back
    // through each relay): three times a pair's in a chain of four.
    let figure = |name: &str| {
        let i = cells.iter().position(|c| c == name).unwrap_or_else(|| panic!("no {name}"));
        copied[i].parse::<f64>().unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    for (engine, transport) in [("jit", "component"), ("jit", "composed"), ("artifact", "component")] {
        let pair = format!("cranelift/{engine}/bare/{transport}/raw/release/off/default/wasmtime/import/fresh");
        let (pair_bytes, chain_bytes) = (figure(&pair), figure(&format!("{pair}/1/4")));
        assert!(pair_bytes > 0.0 && (chain_bytes - 3.0 * pair_bytes).abs() < 1.0, "{transport}: {chain_bytes}");
    }
}

/// Chains of merged modules: the producer, the relays and the consumer merged with the adapter into
/// one module, a memory each, under every runtime with multi-memory, both call patterns.
const MERGED: &str = r#"[[study]]
name = "merged"
runtime = ["wasmer", "wasmtime", "wasmi", "chromium"]
compiler = ["cranelift", "eager", "turbofan"]
transport = ["merged"]
codec = ["raw"]
call = ["host", "import"]
modules = [2, 4]
"#;

#[test]
fn a_merged_chain_of_four_reaches_the_pairs_checksum_under_every_runtime_with_multi_memory() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    std::fs::write(&m, format!("{MERGED}\n[measure]\n{TINY}\n")).unwrap();
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (modules, copied, expected) = (get("modules"), get("host_copied_bytes_per_rt"), get("expected_checksum"));
    let request = get("request_bytes_mean");
    // 4 runtimes (each with its compiler) x 2 calls x 2 lengths
    assert_eq!(cells.len(), 4 * 2 * 2, "{cells:?}");
    for i in 0..cells.len() {
        println!("{}: {} {} {} {}", cells[i], statuses[i], sums[i], copied[i], errors[i]);
        assert_eq!(statuses[i], "ok", "{}: {}", cells[i], errors[i]);
        assert!(!sums[i].is_empty() && sums[i] == expected[i], "{}: the pair's checksum", cells[i]);
        assert_eq!(cells[i].ends_with("/1/4"), modules[i] == "4", "{}: a chain's name ends with its length", cells[i]);
    }
    // The adapter copies the request into each relay's memory, then into the consumer's: two
    // requests more a round trip than the pair.
    let figure = |column: &[String], name: &str| {
        let i = cells.iter().position(|c| c == name).unwrap_or_else(|| panic!("no {name}"));
        column[i].parse::<f64>().unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    for (compiler, runtime) in
        [("cranelift", "wasmer"), ("cranelift", "wasmtime"), ("eager", "wasmi"), ("turbofan", "chromium")]
    {
        for call in ["host", "import"] {
            let pair = format!("{compiler}/jit/bare/merged/raw/release/off/default/{runtime}/{call}/fresh");
            let chain = format!("{pair}/1/4");
            let more = figure(&copied, &chain) - figure(&copied, &pair);
            assert!((more - 2.0 * figure(&request, &pair)).abs() < 1.0, "{chain}: {more} bytes more copied");
        }
    }
}

#[test]
fn a_length_the_axis_does_not_have_is_refused_before_any_cell_runs() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["1", "5"] {
        let m = dir.path().join("m.toml");
        std::fs::write(&m, format!("[[study]]\nname = \"s\"\nmodules = [2, {bad}]\n[measure]\n{TINY}\n")).unwrap();
        let out = dir.path().join("r.csv");
        let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(!run.status.success(), "modules = {bad} was accepted");
        let said = text(&run);
        assert!(said.contains("m.toml:3:") && said.contains("allowed: 2, 3, 4, 8"), "{said}");
        assert!(!out.exists(), "no row before the refusal");
    }
}
