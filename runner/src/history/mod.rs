//! `runner history`: a local store of runs and their trend over nights.
//!
//! The store ([`store`]) is a directory of Parquet files, read by this runner and by pandas alike
//! (`pandas.read_parquet`; the notebook's trend figure does): an embedded, columnar, typed format
//! any analysis tool reads, with no server and no C++ build (DuckDB's Rust crate compiles DuckDB
//! itself, many minutes on two cores; DuckDB reads these files too). `add` is idempotent, `list`
//! names the runs with their commit, releases and machine, `trend` ([`trend`]) tells each cell's
//! nights in order and flags a change only where `compare`'s verdict between neighbouring nights
//! is certain.

pub mod columnar;
mod render;
pub mod rows;
pub mod store;
pub mod trend;

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use store::{Added, Store};

/// Where the store is unless `--store` says otherwise.
pub const DEFAULT_STORE: &str = "results/history";

#[derive(Subcommand)]
pub enum Command {
    /// Add results files (each with its samples sidecar) to the store; a run already there is left
    /// as it is, a file holding other contents under a stored run's id is refused.
    Add {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, default_value = DEFAULT_STORE)]
        store: PathBuf,
    },
    /// The stored runs, in the order they started: run, start, commit, machine, releases, cells.
    List {
        #[arg(long, default_value = DEFAULT_STORE)]
        store: PathBuf,
    },
    /// Per machine, every cell's nights in order with their 95% intervals, and a flag where
    /// `compare`'s verdict between neighbouring nights is certain. Exits 1 if the last night is a
    /// certain regression somewhere.
    Trend {
        #[arg(long, default_value = DEFAULT_STORE)]
        store: PathBuf,
        /// Only this machine's nights (as `history list` names it).
        #[arg(long, conflicts_with = "mix_machines")]
        machine: Option<String>,
        /// One line through every night whatever machine it ran on.
        #[arg(long)]
        mix_machines: bool,
        /// Keep only cells matching `axis=value[,value...]` terms, space-separated.
        #[arg(long)]
        filter: Option<String>,
        /// Sidecar metric names, comma-separated (default: rt_ns).
        #[arg(long, value_delimiter = ',', default_value = "rt_ns")]
        metrics: Vec<String>,
        /// Changes within this percentage count as no change (`compare`'s threshold).
        #[arg(long, default_value_t = 5.0)]
        threshold: f64,
        /// Only the lines with a flag.
        #[arg(long)]
        flagged: bool,
        /// As Markdown (for the documents).
        #[arg(long)]
        markdown: bool,
    },
}

/// Runs a history command; its exit code (`trend`: 1 if the last night is a certain regression).
pub fn main(command: Command) -> Result<u8> {
    match command {
        Command::Add { files, store } => {
            let store = Store::new(&store);
            for file in files {
                match store.add(&file)? {
                    Added::New(e) => {
                        println!("added {} ({}, {} cells) from {}", e.run, e.machine, e.cells, file.display())
                    }
                    Added::Already(e) => {
                        println!("{} is in the store already (from {}): nothing changed", e.run, e.source)
                    }
                }
            }
            Ok(0)
        }
        Command::List { store } => {
            print!("{}", render::list(&Store::new(&store).entries()?));
            Ok(0)
        }
        Command::Trend { store, machine, mix_machines, filter, metrics, threshold, flagged, markdown } => {
            let opts = trend::TrendOptions { machine, mix_machines, filter, metrics, threshold: threshold / 100.0 };
            let trends = trend::trends(&Store::new(&store), &opts)?;
            for t in &trends {
                print!("{}", render::trend(t, flagged, markdown));
            }
            Ok(u8::from(trends.iter().any(trend::Trend::last_night_regressed)))
        }
    }
}
