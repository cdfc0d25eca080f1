//! The `runner` command. Exit codes: `runner run`'s are [`wasmatrix_runner::exit`]'s (0 every cell
//! ok, 1 some cells not ok, 2 bad input before any cell ran, 3 a failure after cells ran, 130
//! Ctrl-C); `compare`: 0 no certain regression, 1 a regression beyond the threshold is certain, 2
//! bad input; the other commands 2 on bad input or a failed write.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use wasmatrix_core::axes::{Axis, Release};
use wasmatrix_core::measure::MechanismKind;
use wasmatrix_runner::matrix::{studies, Matrix};
use wasmatrix_runner::results::status::Status;
use wasmatrix_runner::shard::Shard;
use wasmatrix_runner::stats::Bootstrap;
use wasmatrix_runner::stop::Stopped;
use wasmatrix_runner::{atomic, calibrate, compare, exit, history, merge, published, report, run, workspace_root};

#[derive(Parser)]
#[command(
    name = "runner",
    version,
    about = "Measures two communicating wasm guests over a matrix of compilers, engines and environments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the cells of a matrix without running them.
    List {
        matrix: PathBuf,
        /// Keep only cells matching `axis=value[,value...]` terms, space-separated.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Run the cells of a matrix and append one CSV row per cell.
    Run {
        matrix: PathBuf,
        /// Results file (default: results/<matrix>-<run id>.csv); appended to if it exists.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Keep only cells matching `axis=value[,value...]` terms, space-separated.
        #[arg(long)]
        filter: Option<String>,
        /// Use prebuilt guests from this directory instead of building them (every file the cells
        /// need must be there and be binary wasm; checked before any cell runs).
        #[arg(long)]
        guests: Option<PathBuf>,
        /// Worker processes per cell (default: the matrix's `processes`).
        #[arg(long)]
        processes: Option<u32>,
        /// Seed of the interleaved order of processes (default: a fresh one; every row records it).
        #[arg(long, value_parser = parse_seed)]
        seed: Option<u64>,
        /// Pin every worker process to this CPU (sched_setaffinity); recorded in every row.
        #[arg(long, value_name = "CPU")]
        pin: Option<usize>,
        /// What the samples measure: `wall_clock` time, or `instructions` counted by valgrind's
        /// callgrind (machine-independent; needs valgrind).
        #[arg(long, default_value = "wall_clock", value_parser = parse_mechanism)]
        measure: MechanismKind,
        /// Run only shard I of N (`I/N`): a deterministic 1/N of the cells, the same whatever the
        /// order of the matrix file; `runner merge` joins the shards' files.
        #[arg(long, value_name = "I/N", value_parser = parse_shard)]
        shard: Option<Shard>,
        /// When --out holds another run: start over, keeping the old file under a new name
        /// (without it, such a file is refused; a file of this run is gone on with).
        #[arg(long)]
        force: bool,
    },
    /// Join the results files of a run's shards (and their samples sidecars) into one; refuses
    /// files of different runs and cells recorded twice. Exits 1 if cells are missing.
    Merge {
        /// The shards' results files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The merged results file (never overwritten).
        #[arg(long)]
        out: PathBuf,
        /// The matrix the shards ran, to name the cells no file holds.
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// The `--filter` the shards ran with, if any.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Compare two runs cell by cell: the change of every metric with a bootstrap confidence
    /// interval (resampling processes) and a verdict. Exits 1 if a regression beyond the
    /// threshold is certain. With --release, one run's cells of that release against the same
    /// cells of their runtime's own release.
    Compare {
        a: PathBuf,
        #[arg(required_unless_present = "release", conflicts_with = "release")]
        b: Option<PathBuf>,
        /// Compare within run A: the cells of this release (B) against the same cells of their
        /// runtime's own release, `default` (A), read as measured (one run, one machine).
        #[arg(long, value_parser = parse_release)]
        release: Option<Release>,
        /// Changes within this percentage count as no change.
        #[arg(long, default_value_t = 5.0)]
        threshold: f64,
        /// Confidence level of the intervals, percent.
        #[arg(long, default_value_t = 95.0)]
        confidence: f64,
        /// Only these metrics (comma-separated sidecar names, e.g. rt_ns,setup_ns), or `all`
        /// (default: the repeated measurements rt, call_floor, encode, decode).
        #[arg(long, value_delimiter = ',')]
        metrics: Option<Vec<String>>,
        /// Print only the headline round-trip table, as Markdown (for the documents: docs/results.md);
        /// with --release, the round trip's verdicts.
        #[arg(long)]
        markdown: bool,
        /// Read every change as measured, without taking out the machine-wide shift.
        #[arg(long)]
        absolute: bool,
    },
    /// How well two runs of the same matrix and code agree, per candidate estimator, and how
    /// `compare` does on them: false alarms both ways, and the power to find +5% in one cell
    /// (Markdown; the tables of docs/measuring.md).
    Calibrate { a: PathBuf, b: PathBuf },
    /// Print every axis, its values in order and its default (the baseline), from the one list in
    /// wasmatrix-core; what the notebooks read (notebooks/axes.json is this with --json).
    Axes {
        /// As JSON, the form committed as notebooks/axes.json.
        #[arg(long)]
        json: bool,
    },
    /// Tell a results file as tables: the run, every cell, each axis's best and worst values and
    /// geometric means of ratios, the codecs, the speed targets, noisy and failed cells (`--format
    /// html`: one self-contained page of those tables and figures).
    Report {
        file: PathBuf,
        /// text, markdown (what the documents' generated tables are made from), json, or html
        /// (one self-contained page with figures as inline SVG).
        #[arg(long, default_value = "text", value_parser = parse_format)]
        format: report::Format,
        /// Write the report to this file (whole or not at all) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A local store of runs (Parquet files pandas reads too) and their trend over nights: `add`
    /// results files, `list` them, `trend` per cell and machine with changes flagged where
    /// `compare`'s verdict between neighbouring nights is certain.
    History {
        #[command(subcommand)]
        command: history::Command,
    },
    /// Make the results page of each results file: DIR/<run>.md, <run> the file's stem, is the
    /// run, the reading DIR/<run>.reading.md if there is one, every .svg and .png in DIR/<run>/,
    /// and the Markdown report's tables (runner/tests/pages.rs checks the committed pages).
    Page {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where the pages go (and their readings and figures are).
        #[arg(long, default_value = "docs/results")]
        dir: PathBuf,
    },
}

/// (`pub(crate)`: src/bin/runner_test_codec.rs is this program too.)
pub(crate) fn main() -> ExitCode {
    match Cli::parse().command {
        Command::List { matrix, filter } => {
            let listed = Matrix::load(&matrix).and_then(|m| Ok((run::select_cells(&m, filter.as_deref())?, m)));
            match listed {
                Ok((cells, matrix)) => {
                    let mut unsupported = 0;
                    for cell in &cells {
                        match cell.unsupported() {
                            None => println!("{cell}"),
                            Some(why) => {
                                unsupported += 1;
                                println!("{cell}  unsupported: {why}");
                            }
                        }
                    }
                    // On stderr, so that stdout stays one cell a line.
                    for line in studies::tell(&matrix.studies, &cells) {
                        eprintln!("{line}");
                    }
                    let union = match matrix.studies.len() {
                        0 => String::new(),
                        n => format!(", the union of {n} studies"),
                    };
                    eprintln!("{} cells{union} ({unsupported} unsupported: a row each, saying why)", cells.len());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Run { matrix, out, filter, guests, processes, seed, pin, measure, shard, force } => {
            let opts =
                run::Options { matrix, out, filter, guests, processes, seed, pin, mechanism: measure, shard, force };
            match run::run(&workspace_root(), &opts) {
                Ok(finished) => {
                    println!("{}", finished.summary);
                    // The answer first, on one screen (its last lines name the results file).
                    if finished.rows.is_empty() {
                        println!("results: {}", finished.results.display());
                    } else {
                        print!("{}", report::Report::new(&finished.rows).glance(&finished.results));
                    }
                    if finished.interrupted {
                        eprintln!(
                            "interrupted: {} of {} cells recorded in {}; run the same command (same --out) to go on",
                            finished.rows.len(),
                            finished.cells,
                            finished.results.display()
                        );
                        ExitCode::from(exit::INTERRUPTED)
                    } else if finished.rows.iter().all(|r| matches!(r.status(), Some(Status::Ok | Status::Unsupported)))
                    {
                        ExitCode::from(exit::OK)
                    } else {
                        ExitCode::from(exit::CELLS_FAILED)
                    }
                }
                Err(e) if e.is::<Stopped>() => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(exit::STOPPED)
                }
                Err(e) => fail(e),
            }
        }
        Command::Merge { inputs, out, matrix, filter } => {
            match merge::merge(&merge::MergeOptions { inputs, out: out.clone(), matrix, filter }) {
                Ok(merged) => {
                    println!("merged {} rows into {}", merged.rows, out.display());
                    if !merged.missing_shards.is_empty() {
                        println!("missing shards: {}", merged.missing_shards.join(", "));
                    }
                    if !merged.missing.is_empty() {
                        println!("{} cells missing: {}", merged.missing.len(), merged.missing.join(", "));
                    }
                    if merged.complete() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(e),
            }
        }
        Command::Compare { a, b, release, threshold, confidence, metrics, markdown, absolute } => {
            let opts = compare::CompareOptions {
                threshold: threshold / 100.0,
                bootstrap: Bootstrap { confidence: confidence / 100.0, ..compare::CompareOptions::default().bootstrap },
                metrics,
                absolute,
            };
            let comparison = match (b, release) {
                (_, Some(release)) => compare::compare_releases(&a, release, &opts),
                (Some(b), None) => compare::compare(&a, &b, &opts),
                (None, None) => unreachable!("clap requires B or --release"),
            };
            match comparison {
                Ok(comparison) if markdown => {
                    let table = match release {
                        Some(_) => comparison.verdict_table(),
                        None => comparison.headline_table(true),
                    };
                    println!("{}", table.join("\n"));
                    ExitCode::SUCCESS
                }
                Ok(comparison) => {
                    print!("{}", comparison.render());
                    if comparison.regressions().is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(e),
            }
        }
        Command::Calibrate { a, b } => match calibrate::calibrate(&a, &b) {
            Ok(calibration) => {
                print!("{}", calibration.render());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Axes { json } => {
            print!("{}", if json { published::axes_json() } else { published::axes_text() });
            ExitCode::SUCCESS
        }
        Command::Report { file, format, out } => {
            let rendered = report::load(&file).map(|rows| {
                let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into());
                report::Report::new(&rows).named(name).render(format)
            });
            match (rendered, out) {
                (Ok(text), None) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                (Ok(text), Some(out)) => match atomic::write_atomically(&out, text.as_bytes()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(e),
                },
                (Err(e), _) => fail(e),
            }
        }
        Command::History { command } => match history::main(command) {
            Ok(code) => ExitCode::from(code),
            Err(e) => fail(e),
        },
        Command::Page { files, dir } => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return fail(anyhow::Error::new(e).context(format!("cannot make {}", dir.display())));
            }
            for file in files {
                let made = report::pages::make(&file, &dir)
                    .and_then(|page| atomic::write_atomically(&page.path, page.text.as_bytes()).map(|()| page.path));
                match made {
                    Ok(path) => println!("wrote {}", path.display()),
                    Err(e) => return fail(e),
                }
            }
            ExitCode::SUCCESS
        }
    }
}

/// A release other than `default` (the axis's values: runner/core/src/axes.rs).
fn parse_release(text: &str) -> Result<Release, String> {
    Release::parse(text)
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text).map_err(|e| e.to_string())
}

/// A seed in hex, as the `schedule_seed` column records it (`0x` optional).
fn parse_seed(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => u64::from_str_radix(text, 16),
    };
    parsed.map_err(|e| format!("`{text}` is not a seed (hex, as the schedule_seed column shows it): {e}"))
}

fn parse_mechanism(text: &str) -> Result<MechanismKind, String> {
    MechanismKind::ALL.into_iter().find(|m| m.name() == text).ok_or_else(|| {
        let allowed: Vec<&str> = MechanismKind::ALL.iter().map(|m| m.name()).collect();
        format!("unknown measure `{text}`; allowed: {}", allowed.join(", "))
    })
}

fn parse_format(text: &str) -> Result<report::Format, String> {
    report::Format::ALL.iter().find(|(_, name)| *name == text).map(|(f, _)| *f).ok_or_else(|| {
        let allowed: Vec<&str> = report::Format::ALL.iter().map(|(_, n)| *n).collect();
        format!("unknown format `{text}`; allowed: {}", allowed.join(", "))
    })
}

fn fail(e: anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::from(exit::BAD_INPUT)
}
