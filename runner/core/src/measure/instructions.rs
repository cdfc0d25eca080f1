//! Instruction counts under valgrind's callgrind: a measure that does not drift with the machine's
//! load or frequency. The supervisor starts the worker under callgrind with collection off
//! ([`callgrind_args`]); callgrind counts only inside [`wasmatrix_counted`] (`--toggle-collect`)
//! and writes the counts so far to a new file each time [`wasmatrix_dump_point`] returns
//! (`--dump-after`). So the counted region is exactly the operation, never the preparation
//! between regions, and no client-request assembly (no `unsafe`) is needed.

use super::Mechanism;
use crate::guests::Failure;
use std::path::{Path, PathBuf};

/// Counts instructions of the regions it is handed, with callgrind writing its dumps to
/// `<out>.<part>`.
#[derive(Debug)]
pub struct Callgrind {
    out: PathBuf,
    /// Dumps written so far (callgrind numbers them from 1).
    dumps: u32,
}

/// The callgrind options a worker measured by [`Callgrind`] runs under, writing to `out`.
pub fn callgrind_args(out: &Path) -> Vec<String> {
    vec![
        "--tool=callgrind".into(),
        "--collect-atstart=no".into(),
        "--toggle-collect=*wasmatrix_counted*".into(),
        "--dump-after=*wasmatrix_dump_point*".into(),
        // JIT-compiled guest code is written at run time.
        "--smc-check=all".into(),
        "--dump-instr=no".into(),
        "--compress-strings=no".into(),
        format!("--callgrind-out-file={}", out.display()),
    ]
}

/// Runs one counted region: callgrind collects only while this function runs.
#[inline(never)]
pub fn wasmatrix_counted(op: &mut dyn FnMut() -> Result<(), Failure>) -> Result<(), Failure> {
    std::hint::black_box(op)()
}

/// When this returns, callgrind has written everything counted since the last dump.
#[inline(never)]
pub fn wasmatrix_dump_point(part: u32) -> u32 {
    std::hint::black_box(part)
}

impl Callgrind {
    pub fn new(out: PathBuf) -> Callgrind {
        Callgrind { out, dumps: 0 }
    }

    /// Instructions counted since the previous dump.
    fn dump(&mut self) -> Result<u64, Failure> {
        self.dumps += 1;
        wasmatrix_dump_point(self.dumps);
        let path = PathBuf::from(format!("{}.{}", self.out.display(), self.dumps));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::Error(format!(
                "no callgrind dump at {} ({e}): is the worker running under valgrind --tool=callgrind?",
                path.display()
            ))
        })?;
        let _ = std::fs::remove_file(&path);
        total_instructions(&text)
            .ok_or_else(|| Failure::Error(format!("callgrind dump {} has no totals line", path.display())))
    }
}

/// The `totals:` (or older `summary:`) line of a callgrind dump; its first event is `Ir`.
pub fn total_instructions(dump: &str) -> Option<u64> {
    dump.lines()
        .find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

impl Mechanism for Callgrind {
    /// One value: the instructions of all `samples` regions over all their operations (counts do
    /// not vary from region to region, so per-region dumps would only cost time).
    fn measure<S>(
        &mut self,
        on: &mut S,
        samples: u32,
        ops: u32,
        mut prepare: impl FnMut(&mut S, u32) -> Result<(), Failure>,
        mut op: impl FnMut(&mut S, u32) -> Result<(), Failure>,
    ) -> Result<Vec<f64>, Failure> {
        self.dump()?; // start from zero, whatever was counted before
        for k in 0..samples {
            prepare(on, k)?;
            wasmatrix_counted(&mut || op(on, k))?;
        }
        let counted = self.dump()?;
        Ok(vec![counted as f64 / (f64::from(samples) * f64::from(ops))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_totals_line() {
        let dump = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 12345\nfl=x\n0 3\ntotals: 12345\n";
        assert_eq!(total_instructions(dump), Some(12345));
        assert_eq!(total_instructions("events: Ir\n"), None);
    }

    #[test]
    fn outside_callgrind_says_what_is_missing() {
        let dir = std::env::temp_dir().join(format!("wasmatrix-cg-test-{}", std::process::id()));
        let err = Callgrind::new(dir.join("cg.out")).measure(&mut (), 1, 1, |_, _| Ok(()), |_, _| Ok(())).unwrap_err();
        assert!(err.to_string().contains("under valgrind"), "{err}");
    }
}
