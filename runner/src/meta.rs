//! What every row records about how it was obtained: versions, machine, commit, time.

use serde::{Deserialize, Serialize};
use std::process::Command;

pub const RUNNER_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const WASMER_VERSION: &str = env!("WASMATRIX_WASMER_VERSION");
pub const RUSTC_VERSION: &str = env!("WASMATRIX_RUSTC_VERSION");

/// Facts about the run, the same for all its rows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunMeta {
    pub run_id: String,
    pub runner_version: String,
    pub wasmer_version: String,
    pub rustc_version: String,
    pub cpu_model: String,
    pub cpus: usize,
    pub os: String,
    pub host: String,
    pub git_commit: String,
    /// The CPU frequency governor (`scaling_governor` of cpu0), where the OS exposes it.
    pub cpu_governor: String,
}

impl RunMeta {
    pub fn collect(root: &std::path::Path) -> RunMeta {
        let started = now_rfc3339();
        RunMeta {
            // The start time, and the process id so that runs started in the same second (shards,
            // parallel tests) never share a run id, a default results file or artifacts.
            run_id: format!("{}-{}", started.replace([':', '-'], ""), std::process::id()),
            runner_version: RUNNER_VERSION.into(),
            wasmer_version: WASMER_VERSION.into(),
            rustc_version: RUSTC_VERSION.into(),
            cpu_model: cpu_model(),
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            os: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|r| format!("{} {}", std::env::consts::OS, r.trim()))
                .unwrap_or_else(|_| std::env::consts::OS.into()),
            host: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map_or_else(|_| "unknown".into(), |h| h.trim().into()),
            git_commit: git_commit(root),
            cpu_governor: std::fs::read_to_string("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
                .map_or_else(|_| "unknown".into(), |g| g.trim().into()),
        }
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.into())
}

/// The commit the runner's tree is at, `-dirty` when it has uncommitted changes.
fn git_commit(root: &std::path::Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{commit}-dirty")
            } else {
                commit
            }
        }
        None => "unknown".into(),
    }
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
