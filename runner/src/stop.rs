//! How a run stops short: Ctrl-C or SIGTERM ([`Signals`]: the first after the running worker, the
//! second at once), a failure after cells ran ([`Stopped`], its own exit status), and the scratch
//! directory of the run removed whichever way it ends ([`Scratch`]).

use anyhow::{Context, Result};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Ctrl-C (SIGINT) and SIGTERM, counted: the first sets [`Signals::interrupted`] (the run stops
/// once the running worker has ended and been recorded), the second [`Signals::abort`] too (the
/// supervisor kills the running worker at once, and its process and cell are not recorded).
#[derive(Clone)]
pub struct Signals {
    pub interrupted: Arc<AtomicBool>,
    pub abort: Arc<AtomicBool>,
}

impl Signals {
    /// Watches for the signals from now on (a thread of its own waits for them).
    pub fn watch() -> Result<Signals> {
        let signals = Signals { interrupted: Arc::default(), abort: Arc::default() };
        let mut incoming =
            signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM])
                .context("cannot watch for Ctrl-C")?;
        let seen = signals.clone();
        std::thread::spawn(move || {
            for _ in incoming.forever() {
                if seen.interrupted.swap(true, Ordering::SeqCst) {
                    seen.abort.store(true, Ordering::SeqCst);
                }
            }
        });
        Ok(signals)
    }

    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    pub fn aborted(&self) -> bool {
        self.abort.load(Ordering::SeqCst)
    }
}

/// A failure after cells ran (a write that failed: a full disk, a file taken away): the rows and
/// samples recorded so far are kept, and the same command goes on with them once the cause is
/// fixed. `runner run` exits [`crate::exit::STOPPED`] with it.
#[derive(Debug)]
pub struct Stopped {
    pub results: PathBuf,
    pub cause: anyhow::Error,
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the run stopped after cells had run: {:#}; what it recorded is kept in {}: fix the cause and run the \
             same command (same --out) to go on",
            self.cause,
            self.results.display()
        )
    }
}

impl std::error::Error for Stopped {}

/// Marks a failure of the part of a run after its first cell as [`Stopped`].
pub trait AfterCells<T> {
    fn after_cells(self, results: &Path) -> Result<T>;
}

impl<T> AfterCells<T> for Result<T> {
    fn after_cells(self, results: &Path) -> Result<T> {
        self.map_err(|cause| match cause.downcast::<Stopped>() {
            Ok(stopped) => stopped.into(),
            Err(cause) => Stopped { results: results.to_owned(), cause }.into(),
        })
    }
}

/// A directory that is removed, with all it holds, when this is dropped: on every way out of a
/// run, a failure or a panic too.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(path: PathBuf) -> Scratch {
        Scratch(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        // The parent (`target/wasmatrix/artifacts`) goes too once no run uses it.
        if let Some(parent) = self.0.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_is_removed_on_every_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("artifacts/run-1");
        let result = std::panic::catch_unwind(|| {
            let scratch = Scratch::new(path.clone());
            std::fs::create_dir_all(scratch.path().join("0")).unwrap();
            std::fs::write(scratch.path().join("0/a.bin"), b"x").unwrap();
            panic!("a failure midway");
        });
        assert!(result.is_err());
        assert!(!path.exists() && !dir.path().join("artifacts").exists());
    }

    #[test]
    fn a_failure_after_cells_says_how_to_go_on_once() {
        let failed: Result<()> = Err(anyhow::anyhow!("cannot write r.summary.txt: No space left on device"));
        let stopped = failed.after_cells(Path::new("r.csv")).after_cells(Path::new("r.csv")).unwrap_err();
        let text = format!("{stopped:#}");
        assert!(stopped.is::<Stopped>(), "{text}");
        assert!(text.contains("r.summary.txt") && text.contains("run the same command"), "{text}");
        assert_eq!(text.matches("run the same command").count(), 1, "{text}");
    }
}
