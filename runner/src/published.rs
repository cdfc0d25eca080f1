//! What the runner publishes for the code that is not Rust: every axis, its values in order and
//! its default, from wasmatrix-core's `axes` (`runner axes`). `runner axes --json` is committed as
//! [`AXES_FILE`], which the notebooks read for the axes' display order; a test keeps it
//! byte-identical to what the command prints (runner/tests/axes.rs).

use wasmatrix_core::axes::{Axis, Transport};
use wasmatrix_core::cell::Cell;

/// Where `runner axes --json` is committed, relative to the repository.
pub const AXES_FILE: &str = "notebooks/axes.json";

/// The axes as JSON: `{"generated_by": ..., "axes": [{"name", "values", "default"}, ...],
/// "component_model_transports": [...]}`, the axes in the order of a cell's name, one axis a line
/// (a new value changes one line), then which transports are the Component Model's.
pub fn axes_json() -> String {
    let axes: Vec<String> =
        Cell::axes().iter().map(|a| format!("    {}", serde_json::to_string(a).expect("an axis serializes"))).collect();
    let by = serde_json::to_string(&format!(
        "runner axes --json (runner/core/src/axes.rs); remake {AXES_FILE} with WASMATRIX_BLESS=1 cargo test --release \
         -p wasmatrix-runner --test axes"
    ))
    .expect("a string serializes");
    let components: Vec<&str> = Transport::COMPONENT_MODEL.iter().map(|t| t.name()).collect();
    let components = serde_json::to_string(&components).expect("names serialize");
    format!(
        "{{\n  \"generated_by\": {by},\n  \"axes\": [\n{}\n  ],\n  \"component_model_transports\": {components}\n}}\n",
        axes.join(",\n")
    )
}

/// The axes as text: one line each, `axis: value, value, ... (default value)`.
pub fn axes_text() -> String {
    Cell::axes().iter().map(|a| format!("{}: {} (default {})\n", a.name, a.values.join(", "), a.default)).collect()
}
