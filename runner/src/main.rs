//! The `runner` command. Exit codes: 0 every cell ok; 1 the run finished but some cells are not
//! ok (see their rows); 2 bad input or set-up error, before or outside any cell.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use wasmatrix_runner::{matrix::Matrix, run, worker, workspace_root};

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
        /// Use prebuilt guests from this directory instead of building them.
        #[arg(long)]
        guests: Option<PathBuf>,
    },
    /// Run one cell (used by `run`; not for direct use).
    #[command(hide = true)]
    Worker { job: String },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::List { matrix, filter } => {
            let listed = Matrix::load(&matrix).and_then(|m| run::select_cells(&m, filter.as_deref()));
            match listed {
                Ok(cells) => {
                    for cell in &cells {
                        println!("{cell}");
                    }
                    eprintln!("{} cells", cells.len());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Run { matrix, out, filter, guests } => {
            let runner_exe = match std::env::current_exe() {
                Ok(exe) => exe,
                Err(e) => return fail(anyhow::anyhow!("cannot find the runner executable: {e}")),
            };
            let opts = run::Options { matrix, out, filter, guests, runner_exe };
            match run::run(&workspace_root(), &opts) {
                Ok(finished) => {
                    println!("{}", finished.summary);
                    println!("results: {}", finished.results.display());
                    if finished.rows.iter().all(|r| r.status == "ok") {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(e),
            }
        }
        Command::Worker { job } => match serde_json::from_str(&job) {
            Ok(job) => {
                worker::main(&job);
                ExitCode::SUCCESS
            }
            Err(e) => fail(anyhow::anyhow!("bad worker job: {e}")),
        },
    }
}

fn fail(e: anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::from(2)
}
