//! Writing an output whole or not at all: every file the runner makes in one go (a merge's results
//! file and sidecar, a run's summary and marker) is written to a temporary name in the directory of
//! its final name, synced, and renamed there only once complete. A writer that fails midway (a
//! damaged input, a full disk) leaves nothing at the final name, so the same command can run again.
//! (The results file and its sidecar of a run are appended to row by row instead: see
//! [`crate::results::file`].)

use anyhow::{bail, Context, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// An output being written: a temporary file beside `dest`, removed if dropped before
/// [`Pending::commit`].
pub struct Pending {
    file: Option<File>,
    temp: PathBuf,
    dest: PathBuf,
}

/// Whether committing may replace a file already at the final name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Replace it (a summary, a marker: the run's own files).
    Yes,
    /// Refuse, naming it (a merge never overwrites).
    Never,
}

impl Pending {
    /// Starts writing `dest`: creates its directory if needed and a new temporary file
    /// `.<name>.<pid>-<n>.partial` beside it.
    pub fn new(dest: &Path) -> Result<Pending> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let name = dest.file_name().with_context(|| format!("{} names no file", dest.display()))?;
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{}.{}-{n}.partial", name.to_string_lossy(), std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("cannot create {} (to write {})", temp.display(), dest.display()))?;
        Ok(Pending { file: Some(file), temp, dest: dest.to_owned() })
    }

    /// The temporary file's path, for writers that open it themselves.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The final name.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Appends `bytes`; errors name the final file.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let file = self.file.as_mut().expect("open until committed");
        file.write_all(bytes)
            .with_context(|| format!("cannot write {} (as {})", self.dest.display(), self.temp.display()))
    }

    /// Syncs the temporary file and renames it to the final name.
    pub fn commit(mut self, replace: Replace) -> Result<()> {
        let file = self.file.take().expect("open until committed");
        file.sync_all().with_context(|| format!("cannot sync {} (as {})", self.dest.display(), self.temp.display()))?;
        drop(file);
        match replace {
            Replace::Yes => std::fs::rename(&self.temp, &self.dest)
                .with_context(|| format!("cannot move {} to {}", self.temp.display(), self.dest.display()))?,
            Replace::Never => {
                // A hard link fails if the final name exists, where a rename would replace it.
                match std::fs::hard_link(&self.temp, &self.dest) {
                    Ok(()) => {
                        let _ = std::fs::remove_file(&self.temp);
                    }
                    Err(_) if self.dest.exists() => bail!("{} exists; it is left untouched", self.dest.display()),
                    // A file system without hard links: checked, then renamed.
                    Err(_) => std::fs::rename(&self.temp, &self.dest)
                        .with_context(|| format!("cannot move {} to {}", self.temp.display(), self.dest.display()))?,
                }
            }
        }
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself lasts once the directory is synced; not every file system can.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `path` whole or not at all, replacing what was there.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Pending::new(path)?;
    out.write_all(bytes)?;
    out.commit(Replace::Yes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn nothing_is_at_the_final_name_until_committed_and_nothing_stays_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/out.csv");
        let mut out = Pending::new(&dest).unwrap();
        out.write_all(b"half").unwrap();
        assert!(!dest.exists());
        drop(out);
        assert!(names(&dir.path().join("sub")).is_empty(), "the temporary file is removed");

        write_atomically(&dest, b"one").unwrap();
        write_atomically(&dest, b"two").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"two");
        assert_eq!(names(&dir.path().join("sub")), ["out.csv"]);
    }

    #[test]
    fn never_replacing_refuses_an_existing_file_and_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        std::fs::write(&dest, b"theirs").unwrap();
        let mut out = Pending::new(&dest).unwrap();
        out.write_all(b"ours").unwrap();
        let err = format!("{:#}", out.commit(Replace::Never).unwrap_err());
        assert!(err.contains("out.csv exists"), "{err}");
        assert_eq!(std::fs::read(&dest).unwrap(), b"theirs");
        assert_eq!(names(dir.path()), ["out.csv"]);
    }
}
