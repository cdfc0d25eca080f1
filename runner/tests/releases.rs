//! Releases side by side (the `release` axis): one run holds wasmi's own release and wasmi 1.0.9
//! (release `wasmi-1`, its own worker build and lock file), each cell named and recorded with its
//! release and the version its worker reports, every cell to the one checksum; `compare --release`
//! reads the older release's cells against the same cells of the runtime's own.

mod common;

use common::{column, matrix, runner, text, TINY};

#[test]
fn two_releases_of_wasmi_run_side_by_side_to_one_checksum_and_compare() {
    let dir = tempfile::tempdir().unwrap();
    let axes = r#"compiler = ["eager", "rustc"]
engine = ["jit", "native"]
environment = ["bare", "wasi"]
transport = ["copy", "shared", "merged"]
codec = ["raw"]
profile = ["release"]
runtime = ["wasmi", "native"]
call = ["host", "import"]
release = ["default", "wasmi-1"]"#;
    // Enough processes and samples for compare's intervals.
    let measure = format!("{TINY}\nprocesses = 2");
    let m = matrix(dir.path(), axes, &measure);
    let out = dir.path().join("r.csv");
    let run = runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let get = |name: &str| column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (releases, versions) = (get("release"), get("runtime_version"));
    // wasmi: 2 environments x 3 transports x 2 calls, in each of 2 releases; the native twin once
    // (a merged pair under wasi, and natively, is a row saying why).
    assert_eq!(cells.len(), 2 * 3 * 2 * 2 + 2 * 3 * 2, "{cells:#?}");
    let sum = &sums[statuses.iter().position(|s| s == "ok").expect("a cell ran")];
    let mut ran = [0, 0];
    for i in 0..cells.len() {
        if statuses[i] != "ok" {
            let why =
                cells[i].contains("/wasi/merged/") || cells[i].contains("/merged/raw/release/off/default/native/");
            assert!(why && statuses[i] == "unsupported", "{}: {} {}", cells[i], statuses[i], errors[i]);
            continue;
        }
        assert_eq!(&sums[i], sum, "{}", cells[i]);
        match releases[i].as_str() {
            "wasmi-1" => {
                assert!(cells[i].ends_with("/fresh/1/2/wasmi-1"), "{}", cells[i]);
                assert_eq!(versions[i], "wasmi 1.0.9", "{}", cells[i]);
                ran[1] += 1;
            }
            "default" => {
                assert!(!cells[i].contains("wasmi-1"), "{}", cells[i]);
                let own = versions[i].starts_with("wasmi 2.") || versions[i].starts_with("rustc ");
                assert!(own, "{}: {}", cells[i], versions[i]);
                ran[0] += 1;
            }
            other => panic!("{}: release {other}", cells[i]),
        }
    }
    // Every wasmi cell ran in both releases: bare's three transports and wasi's two, x 2 calls.
    assert_eq!(ran[1], (3 + 2) * 2, "{cells:#?}");
    assert_eq!(ran[0], ran[1] + 2 * 2 * 2);

    // compare --release: each wasmi-1 cell against the same cell of wasmi's own release.
    let compare = runner(&["compare", out.to_str().unwrap(), "--release", "wasmi-1"]);
    let told = text(&compare);
    assert!(matches!(compare.status.code(), Some(0 | 1)), "{told}");
    assert!(told.contains("(release default)") && told.contains("(release wasmi-1)"), "{told}");
    let older = (0..cells.len()).filter(|&i| releases[i] == "wasmi-1" && statuses[i] == "ok");
    for i in older {
        let own = cells[i].trim_end_matches("/1/2/wasmi-1");
        let line = told
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{own} ")))
            .unwrap_or_else(|| panic!("{own}: {told}"));
        assert!(["no change", "faster", "slower", "unsure"].iter().any(|v| line.ends_with(v)), "{line}");
    }
    // ... and the Markdown of their verdicts, a line each (the documents' table).
    let markdown = runner(&["compare", out.to_str().unwrap(), "--release", "wasmi-1", "--markdown"]);
    let table = String::from_utf8_lossy(&markdown.stdout);
    assert_eq!(table.lines().filter(|l| l.starts_with("| ") && l.contains("/wasmi/")).count(), ran[1], "{table}");
    assert!(table.contains(&format!("rt_ns: {} compared: ", ran[1])), "{table}");
    // Refused: a second file beside --release, `default` itself, a release this runner lacks.
    for (args, says) in [
        (vec!["compare", "a.csv", "b.csv", "--release", "wasmi-1"], "cannot be used with"),
        (vec!["compare", out.to_str().unwrap(), "--release", "default"], "not `default` itself"),
        (
            vec!["compare", out.to_str().unwrap(), "--release", "wasmi-0"],
            "unknown release `wasmi-0`; allowed: default, wasmi-1, wasmtime-36, wasmer-6, node-24",
        ),
    ] {
        let refused = runner(&args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}: {}", text(&refused));
        assert!(text(&refused).contains(says), "{args:?}: {}", text(&refused));
    }
}

#[test]
fn a_release_of_another_runtime_is_no_cell_and_an_unknown_one_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    let study = |release: &str| {
        format!("[measure]\n{TINY}\n\n[[study]]\nname = \"a\"\nruntime = [\"wasmer\", \"wasmi\"]\ncompiler = \"*\"\nrelease = {release}\n")
    };
    std::fs::write(&m, study("\"*\"")).unwrap();
    let list = runner(&["list", m.to_str().unwrap()]);
    assert!(list.status.success(), "{}", text(&list));
    let listed = String::from_utf8_lossy(&list.stdout);
    let older: Vec<&str> = listed.lines().filter(|l| l.contains("wasmi-1")).collect();
    assert_eq!(older.len(), 3, "wasmi's three compilation modes, and no Wasmer cell: {listed}");
    assert!(older.iter().all(|l| l.contains("/wasmi/")), "{listed}");
    std::fs::write(&m, study("\"wasmi-0.3\"")).unwrap();
    let refused = runner(&["list", m.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let told = text(&refused);
    assert!(
        told.contains(&format!("m.toml:{}:", 3 + TINY.lines().count() + 4))
            && told.contains("unknown release `wasmi-0.3`; allowed: default, wasmi-1, wasmtime-36, wasmer-6, node-24"),
        "{told}"
    );
}
