//! Timeouts, failures, the interference readings and the samples of a worker process, on outcomes
//! made up for each.

use super::*;

fn hung(phase: Option<&str>, ready: bool) -> WorkerRun {
    WorkerRun {
        report: None,
        ready_after: ready.then_some(Duration::from_millis(3)),
        spawned_at_ns: 0,
        timeout: Duration::from_secs(7),
        timed_out: true,
        phase: phase.map(String::from),
        exit: None,
        stderr: String::new(),
        spawn_error: None,
    }
}

#[test]
fn a_timeout_names_the_limit_and_the_phase() {
    let (status, error) = hung(Some("call floor"), true).failure().unwrap();
    assert_eq!(status, Status::Timeout);
    assert!(error.contains("timeout_s = 7 s") && error.contains("phase `call floor`"), "{error}");
    // A worker that names no phase (V8's) is placed by its ready line.
    let (_, error) = hung(None, false).failure().unwrap();
    assert!(error.contains("before its ready line"), "{error}");
    let (_, error) = hung(None, true).failure().unwrap();
    assert!(error.contains("after its ready line"), "{error}");
}

#[test]
fn a_process_gives_its_samples_in_the_sidecar_order_under_their_names() {
    let report = Report {
        round_trip: vec![10.0, 11.0],
        call_floor: vec![1.0],
        reference: vec![3.0],
        setup_warm: vec![200.0],
        load_ns: Some(50),
        environment_ns: Some(5),
        instantiate_ns: Some(40),
        first_round_trip_ns: Some(30),
        worker_start_ns: Some(100),
        engine_ns: Some(20),
        peak_rss_kib: Some(900),
        ..Report::default()
    };
    let outcome = ProcessOutcome {
        report,
        status: Status::Ok,
        error: String::new(),
        cold_start_ns: Some(7000),
        process_start_ns: Some(1000),
        loadavg_start: Some(0.5),
        loadavg_end: None,
        involuntary_switches: Some(2),
        steal_pct: None,
        process_s: 1.5,
    };
    let cell = crate::matrix::Cell::parse("llvm/artifact/bare/copy/raw/release").unwrap();
    let id = ProcessId { run_id: "r", cell: &cell, process: 1, seq: 4 };
    let named = |mechanism| -> Vec<(String, u32, f64)> {
        outcome.samples(&id, mechanism).into_iter().map(|s| (s.metric, s.sample, s.value)).collect()
    };
    let expected = [
        ("rt_ns", 0, 10.0),
        ("rt_ns", 1, 11.0),
        ("call_floor_ns", 0, 1.0),
        ("ref_ns", 0, 3.0),
        ("setup_warm_ns", 0, 200.0),
        ("load_ns", 0, 50.0),
        ("environment_ns", 0, 5.0),
        ("instantiate_ns", 0, 40.0),
        ("setup_ns", 0, 95.0),
        ("first_round_trip_ns", 0, 30.0),
        ("cold_start_ns", 0, 7000.0),
        ("process_start_ns", 0, 1000.0),
        ("worker_start_ns", 0, 100.0),
        ("engine_ns", 0, 20.0),
        // 7000 - (1000 + 100 + 20 + 95 + 30): what no phase timed.
        ("cold_start_untimed_ns", 0, 5755.0),
        ("loadavg_start", 0, 0.5),
        ("peak_rss_kib", 0, 900.0),
        ("involuntary_switches", 0, 2.0),
        ("ok", 0, 1.0),
        ("process_s", 0, 1.5),
    ]
    .map(|(m, k, v)| (m.to_owned(), k, v));
    assert_eq!(named(MechanismKind::WallClock), expected);
    let counted: Vec<String> = named(MechanismKind::Instructions).into_iter().map(|s| s.0).collect();
    assert_eq!(counted[..3], ["rt_instructions", "rt_instructions", "call_floor_instructions"]);
    assert_eq!(counted[3..], ["loadavg_start", "peak_rss_kib", "involuntary_switches", "ok", "process_s"]);
    let sample = &outcome.samples(&id, MechanismKind::WallClock)[0];
    assert_eq!(
        (sample.run_id.as_str(), sample.cell.as_str(), sample.process, sample.seq),
        ("r", "llvm/artifact/bare/copy/raw/release/off/default/wasmer/host/fresh", 1, 4)
    );
}

#[test]
fn steal_is_the_stolen_share_of_the_ticks_between_two_readings() {
    assert_eq!(steal_pct(Some((1000, 10)), Some((1200, 30))), Some(10.0));
    assert_eq!(steal_pct(Some((1000, 10)), Some((1000, 10))), None, "no time passed");
    assert_eq!(steal_pct(None, Some((1000, 10))), None);
    let (all, stolen) = cpu_ticks().expect("Linux has /proc/stat");
    assert!(all > 0 && stolen <= all);
    assert!(children_involuntary_switches().is_some());
}

fn failed(kind: FailureKind, message: &str, stderr: &str) -> Option<(Status, String)> {
    let report = Report { failure: Some((kind, message.into())), ..Report::default() };
    let reported = WorkerRun {
        report: Some(report).filter(|_| !message.is_empty()),
        ready_after: None,
        spawned_at_ns: 0,
        timeout: Duration::from_secs(60),
        timed_out: false,
        phase: None,
        exit: None,
        stderr: stderr.into(),
        spawn_error: None,
    };
    reported.failure()
}

#[test]
fn a_refused_allocation_is_oom_whatever_the_runtime_called_it() {
    // issue 26: the same 4 GiB memory was `oom` under Wasmer and `error` under Wasmtime.
    let wasmtime = "cannot create the shared memory: Cannot allocate memory (os error 12)";
    assert_eq!(failed(FailureKind::Error, wasmtime, "").map(|f| f.0), Some(Status::Oom));
    assert_eq!(failed(FailureKind::OutOfMemory, "cap", "").map(|f| f.0), Some(Status::Oom));
    assert_eq!(failed(FailureKind::Trap, "integer divide by zero", "").map(|f| f.0), Some(Status::Trap));
    assert_eq!(failed(FailureKind::Error, "unknown import", "").map(|f| f.0), Some(Status::Error));
    // No report: an abort after Rust's allocation failure message.
    let abort = failed(FailureKind::Error, "", "memory allocation of 4294967296 bytes failed\n");
    assert_eq!(abort.map(|f| f.0), Some(Status::Oom));
}
