//! What the end-to-end tests share: the runner binary, a matrix file, and reading a results file.

#![allow(dead_code)] // each test binary uses its own share of these

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn runner(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runner")).args(args).output().expect("runner starts")
}

/// `m.toml` in `dir` with these axes and `[measure]` settings.
pub fn matrix(dir: &Path, axes: &str, measure: &str) -> PathBuf {
    let path = dir.join("m.toml");
    std::fs::write(&path, format!("[axes]\n{axes}\n[measure]\n{measure}\n")).unwrap();
    path
}

/// The axes of one baseline cell (bare, copy, raw, release) with this compiler and engine.
pub fn one_cell(compiler: &str, engine: &str) -> String {
    let baseline = [("environment", "bare"), ("transport", "copy"), ("codec", "raw"), ("profile", "release")];
    let axes = [("compiler", compiler), ("engine", engine)].into_iter().chain(baseline);
    axes.map(|(axis, value)| format!("{axis} = [\"{value}\"]\n")).collect()
}

/// Measure settings that make a process take milliseconds.
pub const TINY: &str = "warmup = 20\nsamples = 5\nbatch = 10\nfloor_batch = 10\ntimeout_s = 120";

pub fn rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "schema_version");
    reader.records().map(|r| r.unwrap()).collect()
}

pub fn column(path: &Path, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let at = reader.headers().unwrap().iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    reader.records().map(|r| r.unwrap()[at].to_owned()).collect()
}

/// A finished command's stdout and stderr, for an assertion's message.
pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}
