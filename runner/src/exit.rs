//! The exit statuses of `runner run`, in one place: `main` exits with these, and the table of them
//! in docs/usage.md is checked against this list by a test.

/// Every cell `ok` (or `unsupported`).
pub const OK: u8 = 0;
/// The run finished, and some cells are not `ok`: their rows say why.
pub const CELLS_FAILED: u8 = 1;
/// Bad input or a set-up failure, before any cell ran: nothing was recorded.
pub const BAD_INPUT: u8 = 2;
/// The run failed after cells had run (a write failed: a full disk, a file taken away): what it
/// recorded is kept, and the same command goes on with it once the cause is fixed.
pub const STOPPED: u8 = 3;
/// Stopped by Ctrl-C or SIGTERM: the same command goes on.
pub const INTERRUPTED: u8 = 130;

/// Every exit status of `runner run`, as docs/usage.md's table lists them.
pub const ALL: [u8; 5] = [OK, CELLS_FAILED, BAD_INPUT, STOPPED, INTERRUPTED];

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/usage.md's table of `runner run`'s exit statuses: (status, meaning) per row.
    fn documented() -> Vec<(u8, String)> {
        let usage = include_str!("../../docs/usage.md");
        let table = usage.split("| exit status | `runner run` |").nth(1).expect("docs/usage.md has the table");
        table
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                (cells[1].parse().unwrap_or_else(|_| panic!("not a status: {l}")), cells[2].to_owned())
            })
            .collect()
    }

    #[test]
    fn the_usage_documents_exactly_the_exit_statuses_the_runner_uses() {
        let documented = documented();
        let codes: Vec<u8> = documented.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ALL, "docs/usage.md's exit status table");
        let meaning = |code| &documented.iter().find(|(c, _)| *c == code).unwrap().1;
        assert!(meaning(BAD_INPUT).contains("before any cell ran"));
        assert!(meaning(STOPPED).contains("run the same command"));
        assert!(meaning(INTERRUPTED).contains("run the same command"));
    }
}
