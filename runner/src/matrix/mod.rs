//! Matrices: a TOML file in `matrices/` is read and checked here ([`Matrix::load`]) and
//! expanded into [`Cell`]s ([`Matrix::cells`]). Errors name the file, line and column, and what
//! is allowed there.

pub use wasmatrix_core::axes;
pub use wasmatrix_core::measure::Measure;

use anyhow::{bail, Context, Result};
use axes::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;
pub use wasmatrix_core::cell::Cell;

/// Which cells a selector matches: every listed axis must have one of its listed values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector(BTreeMap<&'static str, Vec<&'static str>>);

impl Selector {
    pub fn matches(&self, cell: &Cell) -> bool {
        cell.values().iter().all(|(axis, value)| self.0.get(axis).is_none_or(|allowed| allowed.contains(value)))
    }

    /// Parses `--filter` text: space-separated `axis=value[,value...]` terms.
    pub fn parse_filter(text: &str) -> Result<Selector> {
        let mut selector = Selector::default();
        for term in text.split_whitespace() {
            let Some((axis, values)) = term.split_once('=') else {
                bail!("filter term `{term}` is not axis=value[,value...]; axes: {}", axis_names().join(", "));
            };
            selector.add(axis, values.split(',')).with_context(|| format!("in filter term `{term}`"))?;
        }
        Ok(selector)
    }

    fn add<'a>(&mut self, axis: &str, values: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let (axis, checked) = check_axis_values(axis, values)?;
        self.0.entry(axis).or_default().extend(checked);
        Ok(())
    }
}

fn axis_names() -> [&'static str; 10] {
    [
        Compiler::NAME,
        Engine::NAME,
        Environment::NAME,
        Transport::NAME,
        Codec::NAME,
        Profile::NAME,
        Logging::NAME,
        Allocator::NAME,
        Runtime::NAME,
        Call::NAME,
    ]
}

/// Resolves an axis name and its value names to their canonical static names.
fn check_axis_values<'a>(
    axis: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(&'static str, Vec<&'static str>)> {
    fn check<'a, A: Axis>(values: impl IntoIterator<Item = &'a str>) -> Result<(&'static str, Vec<&'static str>)> {
        let names = values.into_iter().map(|v| value::<A>(v).map(A::name)).collect::<Result<_>>()?;
        Ok((A::NAME, names))
    }
    match axis {
        Compiler::NAME => check::<Compiler>(values),
        Engine::NAME => check::<Engine>(values),
        Environment::NAME => check::<Environment>(values),
        Transport::NAME => check::<Transport>(values),
        Codec::NAME => check::<Codec>(values),
        Profile::NAME => check::<Profile>(values),
        Logging::NAME => check::<Logging>(values),
        Allocator::NAME => check::<Allocator>(values),
        Runtime::NAME => check::<Runtime>(values),
        Call::NAME => check::<Call>(values),
        _ => bail!("unknown axis `{axis}`; axes: {}", axis_names().join(", ")),
    }
}

fn value<A: Axis>(name: &str) -> Result<A> {
    A::from_name(name).with_context(|| format!("unknown {} `{name}`; allowed: {}", A::NAME, A::allowed()))
}

/// A matrix file, checked.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub name: String,
    pub path: PathBuf,
    pub description: String,
    pub measure: Measure,
    compilers: Vec<Compiler>,
    engines: Vec<Engine>,
    environments: Vec<Environment>,
    transports: Vec<Transport>,
    codecs: Vec<Codec>,
    profiles: Vec<Profile>,
    loggings: Vec<Logging>,
    allocators: Vec<Allocator>,
    runtimes: Vec<Runtime>,
    calls: Vec<Call>,
    excludes: Vec<Selector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    #[serde(default)]
    description: String,
    axes: RawAxes,
    measure: Spanned<Measure>,
    #[serde(default)]
    exclude: Vec<Spanned<BTreeMap<String, OneOrMany>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxes {
    compiler: Vec<Spanned<String>>,
    engine: Vec<Spanned<String>>,
    environment: Vec<Spanned<String>>,
    transport: Vec<Spanned<String>>,
    codec: Vec<Spanned<String>>,
    profile: Vec<Spanned<String>>,
    /// Optional: `["off"]` when left out.
    logging: Option<Vec<Spanned<String>>>,
    /// Optional: `["default"]` when left out.
    allocator: Option<Vec<Spanned<String>>>,
    /// Optional: `["wasmer", "native"]` when left out, what a matrix meant before the axis (each
    /// runtime runs the compilers it has).
    runtime: Option<Vec<Spanned<String>>>,
    /// Optional: `["host"]` when left out, what a matrix meant before the axis.
    call: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Matrix {
    /// Reads and checks a matrix file.
    pub fn load(path: &Path) -> Result<Matrix> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read matrix {}", path.display()))?;
        Matrix::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Matrix> {
        let at = |span: std::ops::Range<usize>| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
            format!("{}:{line}:{column}", path.display())
        };
        // toml's own message already names the line and column and shows the text.
        let raw: RawMatrix = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;

        fn values<A: Axis>(list: &[Spanned<String>], at: &dyn Fn(std::ops::Range<usize>) -> String) -> Result<Vec<A>> {
            let mut out = Vec::new();
            for item in list {
                let v = value::<A>(item.get_ref()).with_context(|| at(item.span()))?;
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            if out.is_empty() {
                bail!("axis `{}` lists no values; allowed: {}", A::NAME, A::allowed());
            }
            Ok(out)
        }
        let a = &raw.axes;
        let measure = *raw.measure.get_ref();
        let invalid = if measure.processes == 0
            || measure.samples == 0
            || measure.batch == 0
            || measure.floor_batch == 0
            || measure.codec_batch == 0
        {
            Some("processes, samples, batch, floor_batch and codec_batch must be at least 1")
        } else if !(measure.noisy_ci_pct.is_finite() && measure.noisy_ci_pct > 0.0) {
            Some("noisy_ci_pct must be a positive number (percent)")
        } else if !(measure.target_ci_pct.is_finite() && measure.target_ci_pct > 0.0) {
            Some("target_ci_pct must be a positive number (percent)")
        } else if !(measure.cell_budget_s.is_finite() && measure.cell_budget_s >= 0.0) {
            Some("cell_budget_s must be a number of seconds, 0 or more (0: no budget)")
        } else if measure.min_processes == 0 {
            Some("min_processes must be at least 1 (a cell runs at most `processes`, however many it says)")
        } else if measure.timeout_s == 0 {
            Some("timeout_s must be at least 1")
        } else if !(64..=1 << 30).contains(&measure.memory_limit_mib) {
            Some("memory_limit_mib must be between 64 and 2^30 (MiB)")
        } else if u64::from(measure.warmup) + u64::from(measure.samples) * u64::from(measure.batch)
            >= u64::from(u32::MAX)
        {
            Some("warmup + samples * batch must stay below 2^32 round trips")
        } else {
            None
        };
        if let Some(why) = invalid {
            bail!("{}: [measure]: {why}", at(raw.measure.span()));
        }

        let mut excludes = Vec::new();
        for entry in &raw.exclude {
            let mut selector = Selector::default();
            for (axis, v) in entry.get_ref() {
                let list: Vec<&str> = match v {
                    OneOrMany::One(s) => vec![s.as_str()],
                    OneOrMany::Many(l) => l.iter().map(String::as_str).collect(),
                };
                selector.add(axis, list).with_context(|| format!("{}: in [[exclude]]", at(entry.span())))?;
            }
            excludes.push(selector);
        }

        let matrix = Matrix {
            name: path.file_stem().map_or_else(|| "matrix".into(), |s| s.to_string_lossy().into_owned()),
            path: path.to_owned(),
            description: raw.description,
            measure,
            compilers: values(&a.compiler, &at)?,
            engines: values(&a.engine, &at)?,
            environments: values(&a.environment, &at)?,
            transports: values(&a.transport, &at)?,
            codecs: values(&a.codec, &at)?,
            profiles: values(&a.profile, &at)?,
            loggings: match &a.logging {
                Some(list) => values(list, &at)?,
                None => vec![Logging::Off],
            },
            allocators: match &a.allocator {
                Some(list) => values(list, &at)?,
                None => vec![Allocator::Default],
            },
            runtimes: match &a.runtime {
                Some(list) => values(list, &at)?,
                None => vec![Runtime::Wasmer, Runtime::Native],
            },
            calls: match &a.call {
                Some(list) => values(list, &at)?,
                None => vec![Call::Host],
            },
            excludes,
        };
        if matrix.cells().is_empty() {
            bail!("{}: the exclusions leave no cells to run", path.display());
        }
        Ok(matrix)
    }

    /// Every combination of the listed axis values, minus the exclusions, in a stable order;
    /// some are [`Cell::not_a_cell`].
    pub fn combinations(&self) -> Vec<Cell> {
        let mut cells = Vec::new();
        for &profile in &self.profiles {
            for &allocator in &self.allocators {
                for &codec in &self.codecs {
                    for &logging in &self.loggings {
                        for &environment in &self.environments {
                            for &transport in &self.transports {
                                for &compiler in &self.compilers {
                                    for &engine in &self.engines {
                                        for &runtime in &self.runtimes {
                                            cells.extend(self.calls.iter().map(|&call| Cell {
                                                compiler,
                                                engine,
                                                environment,
                                                transport,
                                                codec,
                                                profile,
                                                logging,
                                                allocator,
                                                runtime,
                                                call,
                                            }));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        cells.retain(|cell| !self.excludes.iter().any(|x| x.matches(cell)));
        cells
    }

    /// The matrix's cells: every combination that is a cell. Each gets a row, the
    /// [`Cell::unsupported`] ones a row that says why they cannot run.
    pub fn cells(&self) -> Vec<Cell> {
        self.combinations().into_iter().filter(|c| c.not_a_cell().is_none()).collect()
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn expands_the_product_minus_exclusions() {
        let m = parse(GOOD).unwrap();
        let cells = m.cells();
        assert_eq!(cells.len(), 3 * 2 * 2 - 2);
        assert!(!cells.iter().any(|c| c.compiler == Compiler::Singlepass && c.engine == Engine::Artifact));
        let mut unique = cells.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), cells.len());
        assert_eq!(m.measure.round_trips(), 1 + 10 + 5 * 4);
        assert_eq!(m.name, "t");
    }

    #[test]
    fn unknown_value_names_file_line_and_allowed_values() {
        let err = format!("{:#}", parse(&GOOD.replace("\"cranelift\"", "\"cranelfit\"")).unwrap_err());
        assert!(err.contains("matrices/t.toml:4:"), "{err}");
        assert!(err.contains("unknown compiler `cranelfit`; allowed: singlepass, cranelift, llvm"), "{err}");
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        let err = format!("{:#}", parse(&GOOD.replace("batch = 4", "batch = = 4")).unwrap_err());
        assert!(err.contains("matrices/t.toml") && err.contains("line 13"), "{err}");
    }

    #[test]
    fn unknown_axis_and_missing_axis_are_errors() {
        let err = format!("{:#}", parse(&GOOD.replace("profile = [", "flavour = [")).unwrap_err());
        assert!(err.contains("flavour"), "{err}");
        let err = format!("{:#}", parse(&GOOD.replace("compiler = \"singlepass\"", "sandbox = \"v8\"")).unwrap_err());
        assert!(err.contains("unknown axis `sandbox`") && err.contains("in [[exclude]]"), "{err}");
        let err = format!("{:#}", parse(&GOOD.replace("compiler = \"singlepass\"", "runtime = \"v9\"")).unwrap_err());
        assert!(err.contains("unknown runtime `v9`; allowed: wasmer, wasmtime, wasmi, v8, native"), "{err}");
    }

    #[test]
    fn bad_measure_settings_are_errors() {
        let err = format!("{:#}", parse(&GOOD.replace("samples = 5", "samples = 0")).unwrap_err());
        assert!(err.contains("[measure]") && err.contains("at least 1"), "{err}");
        for (setting, says) in [
            ("target_ci_pct = 0", "target_ci_pct must be a positive number"),
            ("target_ci_pct = nan", "target_ci_pct must be a positive number"),
            ("cell_budget_s = -1", "cell_budget_s must be a number of seconds"),
            ("min_processes = 0", "min_processes must be at least 1"),
        ] {
            let err = format!(
                "{:#}",
                parse(&GOOD.replace("timeout_s = 30", &format!("timeout_s = 30\n{setting}"))).unwrap_err()
            );
            assert!(err.contains("[measure]") && err.contains(says), "{setting}: {err}");
        }
        let m = parse(
            &GOOD
                .replace("timeout_s = 30", "timeout_s = 30\nmin_processes = 3\ntarget_ci_pct = 1.5\ncell_budget_s = 8"),
        )
        .unwrap();
        assert_eq!((m.measure.min_processes, m.measure.target_ci_pct, m.measure.cell_budget_s), (3, 1.5, 8.0));
        assert_eq!(parse(GOOD).unwrap().measure.min_processes, 5, "the default");
        let all_excluded = GOOD.replace("compiler = \"singlepass\"\nengine = [\"artifact\"]", "codec = \"raw\"");
        assert!(format!("{:#}", parse(&all_excluded).unwrap_err()).contains("no cells"));
    }

    #[test]
    fn rustc_pairs_only_with_native() {
        let text = GOOD
            .replace(r#""singlepass", "cranelift", "llvm"]"#, r#""cranelift", "rustc"]"#)
            .replace(r#"["jit", "artifact"]"#, r#"["jit", "native"]"#);
        let m = parse(&text).unwrap();
        // compilers x engines x transports x runtimes (Wasmer and native, as the matrix lists none)
        assert_eq!(m.combinations().len(), 2 * 2 * 2 * 2);
        let cells = m.cells();
        assert_eq!(cells.len(), 4, "cranelift/jit and rustc/native, under both transports");
        assert!(cells.iter().all(|c| (c.compiler == Compiler::Rustc) == (c.engine == Engine::Native)));
        assert!(cells.iter().all(|c| (c.runtime == Runtime::Native) == (c.engine == Engine::Native)));
    }

    #[test]
    fn filters_select_cells() {
        let m = parse(GOOD).unwrap();
        let f = Selector::parse_filter("compiler=llvm,cranelift transport=shared").unwrap();
        let picked: Vec<_> = m.cells().into_iter().filter(|c| f.matches(c)).collect();
        assert_eq!(picked.len(), 4);
        assert!(Selector::parse_filter("compiler").is_err());
        assert!(format!("{:#}", Selector::parse_filter("compiler=v8").unwrap_err()).contains("allowed"));
    }
}
