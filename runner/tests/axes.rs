//! `runner axes --json` is what notebooks/axes.json holds, byte for byte: the notebooks read the
//! axes' values and their order from that file, never from a list of their own.
//! `WASMATRIX_BLESS=1 cargo test --release -p wasmatrix-runner --test axes` writes it anew.

use std::path::Path;
use std::process::Command;
use wasmatrix_runner::published::AXES_FILE;

fn runner_axes(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_runner")).arg("axes").args(args).output().unwrap();
    assert!(out.status.success(), "runner axes {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_committed_axes_file_is_what_runner_axes_prints() {
    let printed = runner_axes(&["--json"]);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(AXES_FILE);
    if std::env::var_os("WASMATRIX_BLESS").is_some() {
        std::fs::write(&path, &printed).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == printed,
        "{AXES_FILE} is not what `runner axes --json` prints; remake it with WASMATRIX_BLESS=1 cargo test --release \
         -p wasmatrix-runner --test axes"
    );
}

#[test]
fn every_axis_in_the_order_of_a_cell_name_with_its_values_and_default() {
    let json: serde_json::Value = serde_json::from_str(&runner_axes(&["--json"])).unwrap();
    let axes = json["axes"].as_array().unwrap();
    let names: Vec<&str> = axes.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "compiler",
            "engine",
            "environment",
            "transport",
            "codec",
            "profile",
            "logging",
            "allocator",
            "runtime",
            "call",
            "instantiate",
            "records",
            "modules",
            "release"
        ]
    );
    let axis = |name: &str| axes.iter().find(|a| a["name"] == name).unwrap();
    let values = |name: &str| -> Vec<String> {
        axis(name)["values"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(values("runtime"), ["wasmer", "wasmtime", "wasmi", "v8", "chromium", "native"]);
    assert_eq!(values("environment"), ["bare", "wasi", "emscripten", "emscripten-legacy"]);
    assert_eq!(values("codec").first().map(String::as_str), Some("raw"));
    assert_eq!(values("codec").last().map(String::as_str), Some("wit"));
    let defaults: Vec<&str> = names.iter().map(|n| axis(n)["default"].as_str().unwrap()).collect();
    assert_eq!(
        defaults,
        [
            "cranelift",
            "jit",
            "bare",
            "copy",
            "raw",
            "release",
            "off",
            "default",
            "wasmer",
            "host",
            "fresh",
            "1",
            "2",
            "default"
        ]
    );
    assert_eq!(values("instantiate"), ["fresh", "pre", "pooled"]);
    assert_eq!(values("records"), ["1", "16", "256", "4096", "65536"]);
    assert_eq!(values("modules"), ["2", "3", "4", "8"]);
    assert_eq!(values("release"), ["default", "wasmi-1", "wasmtime-36", "wasmer-6", "node-24"]);
    for name in names {
        assert!(values(name).iter().any(|v| axis(name)["default"] == v.as_str()), "{name}'s default is a value");
    }
    // The text form says the same, one axis a line.
    let text = runner_axes(&[]);
    assert_eq!(text.lines().count(), axes.len());
    assert!(text.starts_with("compiler: singlepass, cranelift, llvm, "), "{text}");
    assert!(text.contains("\ncall: host, import (default host)\n"), "{text}");
}
