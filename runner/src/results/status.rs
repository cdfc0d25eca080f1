//! How a cell ended: the `status` column, named and parsed here and nowhere else.

use std::fmt;

/// How a cell ended; the `status` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Ok,
    /// Ran to the end, but its checksum differs from the expected one.
    ChecksumMismatch,
    /// The harness or a guest reported an error (bad module, refused message, ...).
    Error,
    /// A guest trapped.
    Trap,
    /// The worker process died without a report (signal, abort, out of memory).
    Crash,
    /// The worker did not finish within the matrix's `timeout_s` and was killed (the error names
    /// the limit and the phase it was in).
    Timeout,
    /// A guest or the worker needed more memory than `memory_limit_mib` allows.
    Oom,
    /// The cell cannot run here (see `Cell::unsupported`); nothing was started.
    Unsupported,
}

impl Status {
    /// Every status, as results/README.md's `status` column lists them.
    pub const ALL: [Status; 8] = [
        Status::Ok,
        Status::ChecksumMismatch,
        Status::Error,
        Status::Trap,
        Status::Crash,
        Status::Timeout,
        Status::Oom,
        Status::Unsupported,
    ];

    /// The status as the `status` column writes it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::ChecksumMismatch => "checksum_mismatch",
            Status::Error => "error",
            Status::Trap => "trap",
            Status::Crash => "crash",
            Status::Timeout => "timeout",
            Status::Oom => "oom",
            Status::Unsupported => "unsupported",
        }
    }

    /// The status named `name` (exactly as [`Status::name`] writes it), or an error naming them all.
    pub fn parse(name: &str) -> Result<Status, String> {
        Status::ALL.into_iter().find(|s| s.name() == name).ok_or_else(|| {
            let all: Vec<&str> = Status::ALL.iter().map(|s| s.name()).collect();
            format!("unknown status `{name}`; allowed: {}", all.join(", "))
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_parses_back_from_its_name_and_the_column_documents_it() {
        let readme = include_str!("../../../results/README.md");
        let row = readme.lines().find(|l| l.starts_with("| `status` |")).expect("results/README.md has the row");
        for status in Status::ALL {
            assert_eq!(Status::parse(status.name()), Ok(status));
            assert!(row.contains(&format!("`{status}`")), "{status} undocumented: {row}");
        }
        let e = Status::parse("Ok").unwrap_err();
        assert!(e.contains("unknown status `Ok`; allowed: ok, checksum_mismatch"), "{e}");
        assert!(Status::parse("").is_err() && Status::parse(" ok").is_err());
    }
}
