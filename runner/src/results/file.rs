//! The results file: rows are appended one at a time and synced as each cell ends, so a run
//! killed at any point keeps every finished row. An existing file is appended to, never
//! truncated, and only if its header is this runner's; [`ResultsFile::resume`] also checks that
//! its rows are of the same run, sets aside a torn last line, and says which cells are recorded.

use super::row::{header, Row};
use anyhow::{bail, Context, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// `<dir>/<name>.csv` -> `<dir>/<name>.run.json`: which run a results file and its sidecar hold,
/// written when a run starts, so that a run killed before its first row can be gone on with (its
/// sidecar's processes reused) as surely as one with rows.
pub fn marker_path(results: &Path) -> PathBuf {
    results.with_extension("run.json")
}

/// What the marker says.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunMarker {
    pub run_id: String,
    pub run_fingerprint: String,
    pub shard: String,
}

impl RunMarker {
    /// The marker beside `results`, if there is a readable one.
    pub fn read(results: &Path) -> Option<RunMarker> {
        serde_json::from_slice(&std::fs::read(marker_path(results)).ok()?).ok()
    }

    /// Writes the marker beside `results` (replacing an older one).
    pub fn write(&self, results: &Path) -> Result<()> {
        let path = marker_path(results);
        crate::atomic::write_atomically(&path, &serde_json::to_vec_pretty(self)?)
    }
}

pub struct ResultsFile {
    file: File,
    pub path: PathBuf,
}

impl ResultsFile {
    /// Opens `path` for appending, writing the header if the file is new or empty. Refuses a
    /// file whose header differs or whose last row is incomplete, naming the file.
    pub fn open(path: &Path) -> Result<ResultsFile> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .with_context(|| format!("cannot open results file {}", path.display()))?;
        let mut existing = Vec::new();
        file.read_to_end(&mut existing).with_context(|| format!("cannot read {}", path.display()))?;
        let want = header().join(",");
        if let Some(why) = Some(&existing).filter(|e| !e.is_empty()).and_then(|e| super::read::not_a_results_file(e)) {
            bail!(
                "{} is not a wasmatrix results file: {why}; it is left untouched: choose another --out",
                path.display()
            );
        }
        let existing = String::from_utf8_lossy(&existing);
        if existing.is_empty() {
            write_synced(&mut file, format!("{want}\n").as_bytes(), path)?;
        } else {
            let have = existing.lines().next().unwrap_or_default();
            if have != want {
                bail!(
                    "{} already holds results with other columns (schema); it is left untouched: choose another --out",
                    path.display()
                );
            }
            if !existing.ends_with('\n') {
                bail!("{}: its last row is incomplete (an interrupted write?); it is left untouched: repair it or choose another --out", path.display());
            }
        }
        file.seek(SeekFrom::End(0)).with_context(|| format!("cannot seek in {}", path.display()))?;
        Ok(ResultsFile { file, path: path.to_owned() })
    }

    /// Opens `path` to go on with a run: a file whose rows are all of run `fingerprint` (and
    /// `shard`) is appended to, and the cells it records are returned (to be skipped); a torn last
    /// line (a runner killed mid-write) is never read as data, and is moved to `<path>.torn` once
    /// going on is decided (a refused file is left exactly as it was). A file
    /// of another run, or with other columns, is refused, naming what differs, unless `force`: then
    /// it is renamed to `<path>.old-<stamp>` (its samples sidecar beside it) and the run starts over.
    pub fn resume(path: &Path, fingerprint: &str, shard: &str, force: bool) -> Result<(ResultsFile, Vec<Row>)> {
        if !path.exists() || std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true) {
            return Ok((ResultsFile::open(path)?, Vec::new()));
        }
        // Decided on the complete lines; the file is touched only once going on is decided.
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if complete == 0 && header().join(",").as_bytes().starts_with(&bytes) {
            // Part of a header (a runner killed writing it): no row to keep, nothing to protect.
            set_aside_torn_line(path, &bytes, complete)?;
            return Ok((ResultsFile::open(path)?, Vec::new()));
        }
        // Why the file cannot be gone on with, and whether the command that made it could (a
        // file without one whole line, not a header's start, is judged on all it holds).
        let lines = if complete == 0 { &bytes[..] } else { &bytes[..complete] };
        let (why, resumable) = match Self::recorded(lines, path) {
            Err(refusal) => refusal,
            Ok(rows) => match rows.iter().find(|r| r.run_fingerprint != fingerprint || r.shard != shard) {
                None => {
                    set_aside_torn_line(path, &bytes, complete)?;
                    return Ok((ResultsFile::open(path)?, rows));
                }
                Some(r) => (
                    format!(
                        "{} holds rows of another run (run_fingerprint `{}`, shard `{}`; this run: `{fingerprint}`, \
                         shard `{shard}`): going on needs the same matrix, --filter, --shard, --processes, --measure \
                         and guests (the same --guests files, or guests built from the same sources)",
                        path.display(),
                        r.run_fingerprint,
                        r.shard
                    ),
                    true,
                ),
            },
        };
        if !force {
            let go_on = if resumable { "run the command that made it to go on, " } else { "" };
            bail!(
                "{why}; it is left untouched: {go_on}choose another --out, or --force to start over (the old file is \
                 kept as {}.old-<time>)",
                path.display()
            );
        }
        let stamp = crate::meta::now_rfc3339().replace([':', '-'], "");
        for from in [path.to_owned(), super::samples::sidecar_path(path), marker_path(path)] {
            if from.exists() {
                let to = PathBuf::from(format!("{}.old-{stamp}", from.display()));
                std::fs::rename(&from, &to)
                    .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
                eprintln!("--force: kept {} as {}", from.display(), to.display());
            }
        }
        Ok((ResultsFile::open(path)?, Vec::new()))
    }

    /// The rows of an existing file (its complete lines), or why it cannot be gone on with and
    /// whether it could be by the command that made it: not a results file at all (no), another
    /// schema's (no: another runner's), a row this runner cannot read (no).
    fn recorded(bytes: &[u8], path: &Path) -> std::result::Result<Vec<Row>, (String, bool)> {
        if let Some(why) = super::read::not_a_results_file(bytes) {
            return Err((format!("{} is not a wasmatrix results file: {why}", path.display()), false));
        }
        let mut reader = csv::Reader::from_reader(bytes);
        let have: Vec<String> = reader.headers().map_or_else(|_| Vec::new(), |h| h.iter().map(str::to_owned).collect());
        if have != header() {
            let schema = reader
                .records()
                .next()
                .and_then(|r| r.ok())
                .and_then(|r| r.get(0).map(str::to_owned))
                .map_or_else(|| "another schema".into(), |v| format!("schema version `{v}`"));
            return Err((
                format!(
                    "{} holds results of {schema}, with other columns than this runner's (schema version {}): this \
                     runner cannot add to it",
                    path.display(),
                    super::row::SCHEMA_VERSION
                ),
                false,
            ));
        }
        let table =
            super::read::parse(bytes, path, &[], "going on with a run").map_err(|e| (format!("{e:#}"), false))?;
        Ok(table.rows)
    }

    /// Appends one row with a single write and syncs it to disk.
    pub fn append(&mut self, row: &Row) -> Result<()> {
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        w.serialize(row)?;
        let bytes = w.into_inner().context("encoding a row")?;
        write_synced(&mut self.file, &bytes, &self.path)
    }
}

/// Writes `bytes` to `file` (which is `path`) in one write and syncs it; an error names `path`.
fn write_synced(file: &mut File, bytes: &[u8], path: &Path) -> Result<()> {
    file.write_all(bytes).and_then(|()| file.sync_data()).with_context(|| format!("cannot write to {}", path.display()))
}

/// Moves an incomplete last line (no newline: a write cut short) to `<path>.torn`, appended, and
/// cuts the file back to its last complete line.
fn set_aside_torn_line(path: &Path, bytes: &[u8], keep: usize) -> Result<()> {
    if keep == bytes.len() {
        return Ok(());
    }
    let torn = PathBuf::from(format!("{}.torn", path.display()));
    let set_aside = || -> std::io::Result<()> {
        let mut aside = OpenOptions::new().create(true).append(true).open(&torn)?;
        aside.write_all(&bytes[keep..])?;
        aside.write_all(b"\n")?;
        aside.sync_data()
    };
    set_aside()
        .with_context(|| format!("cannot write {} (the torn last line of {})", torn.display(), path.display()))?;
    let cut = || -> std::io::Result<()> {
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(keep as u64)?;
        file.sync_data()
    };
    cut().with_context(|| format!("cannot cut {} back to its last complete line", path.display()))?;
    eprintln!(
        "{}: its last line was incomplete (an interrupted write); set aside in {}",
        path.display(),
        torn.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_to_a_file_with_the_same_header_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        ResultsFile::open(&path).unwrap().append(&Row { cell: "a".into(), ..Row::default() }).unwrap();
        ResultsFile::open(&path).unwrap().append(&Row { cell: "b".into(), ..Row::default() }).unwrap();
        let mut reader = csv::Reader::from_path(&path).unwrap();
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), header());
        let cells: Vec<String> = reader.records().map(|r| r.unwrap()[3].to_owned()).collect();
        assert_eq!(cells, ["a", "b"]);
    }

    #[test]
    fn a_full_disk_names_the_file() {
        // /dev/full: every write fails with ENOSPC, as on a full disk.
        let mut full = OpenOptions::new().write(true).open("/dev/full").unwrap();
        let err = format!("{:#}", write_synced(&mut full, b"schema_version\n", Path::new("/dev/full")).unwrap_err());
        assert!(err.contains("cannot write to /dev/full") && err.contains("No space left on device"), "{err}");
    }

    #[test]
    fn refuses_a_foreign_or_torn_file_without_touching_it() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = dir.path().join("foreign.csv");
        std::fs::write(&foreign, "x,y\n1,2\n").unwrap();
        let err = format!("{:#}", ResultsFile::open(&foreign).err().unwrap());
        assert!(err.contains("foreign.csv is not a wasmatrix results file"), "{err}");
        assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "x,y\n1,2\n");
        let older = dir.path().join("older.csv");
        std::fs::write(&older, "schema_version,cell\n1,a\n").unwrap();
        let err = format!("{:#}", ResultsFile::open(&older).err().unwrap());
        assert!(err.contains("older.csv") && err.contains("other columns"), "{err}");

        let torn = dir.path().join("torn.csv");
        let text = format!("{}\n1,2,3", header().join(","));
        std::fs::write(&torn, &text).unwrap();
        assert!(format!("{:#}", ResultsFile::open(&torn).err().unwrap()).contains("incomplete"));
        assert_eq!(std::fs::read_to_string(&torn).unwrap(), text);
    }

    #[test]
    fn resuming_sets_a_torn_line_aside_only_when_it_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let row = Row { schema_version: 9, cell: "a".into(), run_fingerprint: "f1".into(), ..Row::default() };
        ResultsFile::open(&path).unwrap().append(&row).unwrap();
        let whole = std::fs::read(&path).unwrap();
        let torn_tail = b"4,run,time,b";
        std::fs::write(&path, [&whole[..], torn_tail].concat()).unwrap();

        let other = ResultsFile::resume(&path, "f2", "", false).err().expect("another run is refused");
        assert!(format!("{other:#}").contains("another run"), "{other:#}");
        assert_eq!(std::fs::read(&path).unwrap(), [&whole[..], torn_tail].concat(), "left exactly as it was");
        assert!(!dir.path().join("r.csv.torn").exists());

        let (_, rows) = ResultsFile::resume(&path, "f1", "", false).unwrap();
        assert_eq!(rows.iter().map(|r| r.cell.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(std::fs::read(&path).unwrap(), whole);
        assert_eq!(std::fs::read(dir.path().join("r.csv.torn")).unwrap(), [&torn_tail[..], b"\n"].concat());
    }

    /// Issue 26, defect 7: another tool's CSV, a binary file and an older schema's file were
    /// refused with "run the same command to go on" (which never can), the binary one naming no file.
    #[test]
    fn a_file_that_cannot_be_gone_on_with_says_so_and_never_suggests_going_on() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, Vec<u8>, &str); 5] = [
            ("jpeg.csv", b"\xff\xd8\xff\xe0JFIF".into(), "jpeg.csv is not a wasmatrix results file: it is not text"),
            (
                "tool.csv",
                b"name,value\nx,1\n".into(),
                "tool.csv is not a wasmatrix results file: its first column is `name`",
            ),
            (
                "blob.csv",
                b"\x89PNG\r\n\x1a\n\0\0\xff\xfe\n".into(),
                "blob.csv is not a wasmatrix results file: it is not text",
            ),
            ("old.csv", b"schema_version,run_id,cell\n2,r,a\n".into(), "old.csv holds results of schema version `2`"),
            ("bad.csv", format!("{}\nx\n", header().join(",")).into_bytes(), "bad.csv: row 1 (line 2)"),
        ];
        for (name, bytes, says) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let err = format!("{:#}", ResultsFile::resume(&path, "f", "", false).err().expect("refused"));
            assert!(err.contains(says), "{err}");
            assert!(!err.contains("go on") && !err.contains("CSV parse error"), "{err}");
            assert!(err.contains("choose another --out, or --force"), "{err}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "left untouched");
        }
        let (_, rows) = ResultsFile::resume(&dir.path().join("tool.csv"), "f", "", true).unwrap();
        assert!(rows.is_empty());
        let kept = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("tool.csv.old-"));
        assert_eq!(kept.count(), 1, "--force keeps the other file under a new name");

        let path = dir.path().join("r.csv");
        let row = Row { schema_version: 9, cell: "a".into(), run_fingerprint: "f1".into(), ..Row::default() };
        ResultsFile::open(&path).unwrap().append(&row).unwrap();
        let err = format!("{:#}", ResultsFile::resume(&path, "f2", "", false).err().unwrap());
        assert!(err.contains("another run") && err.contains("run the command that made it to go on"), "{err}");
    }
}
