//! Transport `merged`: the merged module the builder makes from the real guests keeps two memories,
//! each guest's data in its own, and no guest's code reaching the other's memory (read back from
//! the module); a module that breaks any of that is refused; and every runtime with multi-memory
//! runs it to the native twin's checksum.

mod common;

use std::path::Path;
use wasmatrix_core::cell::Cell;
use wasmatrix_runner::guest_build::{Builder, GuestBuild};
use wasmatrix_runner::merged_pair::check;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn the_merged_module_keeps_each_guest_in_its_own_memory() {
    let builder = Builder::new(root()).unwrap();
    for call in ["host", "import"] {
        for codec in ["raw", "rkyv"] {
            let cell =
                Cell::parse(&format!("cranelift/jit/bare/merged/{codec}/release/off/default/wasmtime/{call}")).unwrap();
            let files = builder.ensure(GuestBuild::of(&cell).unwrap()).unwrap();
            let merged = std::fs::read(files.merged.as_ref().expect("a merged module")).unwrap();
            let isolation = check(&merged).unwrap_or_else(|e| panic!("{cell}: {e:#}"));
            assert_eq!(isolation.memories, 2, "{cell}");
            assert_eq!(isolation.data_segments.keys().copied().collect::<Vec<_>>(), [0, 1], "{cell}");
            assert!(isolation.producer_functions > 10 && isolation.consumer_functions > 10, "{cell}: {isolation:?}");
            assert_eq!(isolation.adapter_functions, 6, "{cell}");
            assert!(isolation.relay_functions.is_empty(), "{cell}");
        }
    }
}

/// A merged chain of four (producer, two relays, consumer) is one module with four memories, each
/// guest's data in its own, no relay reaching another guest's memory, the adapter's `refused_by`
/// besides its carries and counts.
#[test]
fn a_merged_chain_keeps_each_guest_in_its_own_memory() {
    let builder = Builder::new(root()).unwrap();
    let cell = Cell::parse("cranelift/jit/bare/merged/raw/release/off/default/wasmtime/import/fresh/1/4").unwrap();
    let files = builder.ensure(GuestBuild::of(&cell).unwrap()).unwrap();
    assert_eq!(files.relays.len(), 2, "{cell}");
    let merged = files.merged.as_ref().expect("a merged module");
    assert!(
        merged.ends_with("merged.wasm") && merged.to_str().unwrap().contains("/modules-4/"),
        "{}",
        merged.display()
    );
    let isolation = check(&std::fs::read(merged).unwrap()).unwrap_or_else(|e| panic!("{cell}: {e:#}"));
    assert_eq!(isolation.memories, 4, "{cell}");
    assert_eq!(isolation.data_segments.keys().copied().collect::<Vec<_>>(), [0, 1, 2, 3], "{cell}");
    assert_eq!(isolation.relay_functions.len(), 2, "{cell}");
    assert!(isolation.relay_functions.iter().all(|n| *n > 10), "{cell}: {isolation:?}");
    assert!(isolation.producer_functions > 10 && isolation.consumer_functions > 10, "{cell}: {isolation:?}");
    assert_eq!(isolation.adapter_functions, 7, "{cell}");
}

/// A small merged chain of three (the producer, relay 1, the consumer), good as written.
fn chain() -> String {
    PAIR.replace(
        r#"(memory $c (export "consumer.memory") 1)"#,
        r#"(memory $r (export "relay1.memory") 1) (memory $c (export "consumer.memory") 1)"#,
    )
    .replace(
        r#"(data (memory $c) (i32.const 8) "c")"#,
        r#"(data (memory $r) (i32.const 8) "r") (data (memory $c) (i32.const 8) "c")
  (func (export "relay1.relay") (param i32 i32) (result i64) (i64.load $r (local.get 0)))
  (func (export "relay1.relay_digest") (result i64) (i64.const 0))
  (func (export "relay1.request_buffer") (param i32) (result i32) (i32.const 16))
  (func (export "relay1.error_message") (result i64) (i64.const 0))
  (func (export "merged.refused_by") (result i32) (i32.const 0))"#,
    )
}

#[test]
fn a_chain_whose_relay_reaches_another_memory_is_refused() {
    let chain = chain();
    checked(&chain).unwrap();
    // The relay reads the consumer's memory.
    let e = checked(&chain.replace("(i64.load $r", "(i64.load $c")).unwrap_err();
    assert!(e.contains("relay 1's function") && e.contains("uses memory [2], not only its own (1)"), "{e}");
    // ... or the producer's.
    let e = checked(&chain.replace("(i64.load $r", "(i64.load $p")).unwrap_err();
    assert!(e.contains("relay 1's function") && e.contains("uses memory [0]"), "{e}");
    // The relay's data put in the consumer's memory.
    let e = checked(&chain.replace(r#"(data (memory $r)"#, r#"(data (memory $c)"#)).unwrap_err();
    assert!(e.contains("memory 1 has no data segment"), "{e}");
    // Relay 1 shares a function with the consumer.
    let shared = chain.replace(
        r#"(func (export "relay1.relay_digest") (result i64) (i64.const 0))"#,
        r#"(export "relay1.relay_digest" (func $digest)) (func $digest (result i64) (i64.const 0))"#,
    );
    checked(&shared).unwrap();
    let shared = shared.replace(
        r#"(func (export "consumer.ping") (param i32) (result i32) (local.get 0))"#,
        r#"(func (export "consumer.ping") (param i32) (result i32) (drop (call $digest)) (local.get 0))"#,
    );
    let e = checked(&shared).unwrap_err();
    assert!(e.contains("reachable from relay 1's and the consumer's exports"), "{e}");
    // A chain's adapter says which relay refused a request.
    let e =
        checked(&chain.replace(r#"(func (export "merged.refused_by") (result i32) (i32.const 0))"#, "")).unwrap_err();
    assert!(e.contains("the adapter's functions are not all exported"), "{e}");
}

/// The adapter as written is the pair's; filled in for relays, each relay's lines once for it, the
/// chain's once, the pair's last hop left out, and it assembles.
#[test]
fn the_adapter_is_filled_in_for_a_chains_relays() {
    use wasmatrix_runner::merged_pair::{adapter, adapter_source, fill};
    let text = std::fs::read_to_string(adapter_source(root())).unwrap();
    assert_eq!(fill(&text, 0), text);
    let three = fill(&text, 3);
    let code: Vec<&str> = three.lines().filter(|line| !line.trim_start().starts_with(";;")).collect();
    for mark in ["$J", "$SENDER", "$LAST", ";;@"] {
        assert!(code.iter().all(|line| !line.contains(mark)), "{mark} left in:\n{three}");
    }
    assert!(three.contains("(memory.copy $relay2 $relay1 ") && three.contains("(memory.copy $relay1 $producer "));
    assert!(three.contains("(memory.copy $consumer $relay3 ") && !three.contains("(memory.copy $consumer $producer "));
    assert_eq!(three.matches(r#"(export "relay2.relay_digest""#).count(), 1);
    for relays in [0, 1, 6] {
        assert!(!adapter(root(), relays).unwrap().is_empty(), "{relays} relays");
    }
}

/// A small merged pair, good as written; each test breaks it in one way.
const PAIR: &str = r#"(module
  (memory $p (export "memory") 1)
  (memory $c (export "consumer.memory") 1)
  (data (memory $p) (i32.const 8) "p")
  (data (memory $c) (i32.const 8) "c")
  (func $helper (param i32) (result i32) (i32.load8_u $p (local.get 0)))
  (func (export "produce") (param i32) (result i64) (i64.extend_i32_u (call $helper (local.get 0))))
  (func (export "check_reply") (param i32 i32) (result i32) (i32.const 0))
  (func (export "checksum") (result i64) (i64.const 0))
  (func (export "bench_encode") (param i32 i32) (result i32) (i32.const 0))
  (func (export "reply_buffer") (param i32) (result i32) (i32.const 64))
  (func (export "round_trip") (param i32) (result i32) (drop (call $deliver (i32.const 0) (i32.const 1))) (i32.const 0))
  (func (export "error_message") (result i64) (i64.const 0))
  (func (export "consumer.consume") (param i32 i32) (result i64) (i64.load $c (local.get 0)))
  (func (export "consumer.ping") (param i32) (result i32) (local.get 0))
  (func (export "consumer.bench_decode") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "consumer.error_message") (result i64) (i64.const 0))
  (func $deliver (export "deliver") (param i32 i32) (result i64)
    (memory.copy $c $p (i32.const 0) (local.get 0) (local.get 1)) (i64.const 0))
  (func (export "merged.to_consumer") (param i32 i32) (result i32) (i32.const 0))
  (func (export "merged.to_producer") (param i32 i32) (result i32) (i32.const 0))
  (func (export "merged.request_bytes") (result i64) (i64.const 0))
  (func (export "merged.reply_bytes") (result i64) (i64.const 0))
  (func (export "merged.copied_bytes") (result i64) (i64.const 0)))"#;

fn checked(wat: &str) -> Result<(), String> {
    check(&wat::parse_str(wat).unwrap()).map(drop).map_err(|e| format!("{e:#}"))
}

#[test]
fn a_module_that_lets_a_guest_reach_the_other_memory_is_refused() {
    checked(PAIR).unwrap();
    // The producer's helper reads the consumer's memory.
    let e = checked(&PAIR.replace("(i32.load8_u $p", "(i32.load8_u $c")).unwrap_err();
    assert!(e.contains("the producer's function 0 uses memory [1]"), "{e}");
    // The consumer reads the producer's.
    let e = checked(&PAIR.replace("(i64.load $c", "(i64.load $p")).unwrap_err();
    assert!(e.contains("the consumer's function") && e.contains("uses memory [0]"), "{e}");
    // One memory for both.
    let one = PAIR.replace(r#"(memory $c (export "consumer.memory") 1)"#, "").replace("$c", "$p");
    let e =
        checked(&one.replace(r#"(export "memory")"#, r#"(export "memory") (export "consumer.memory")"#)).unwrap_err();
    assert!(e.contains("defines 1 memories, not two"), "{e}");
    // The consumer's data put in the producer's memory.
    let e = checked(&PAIR.replace(r#"(data (memory $c)"#, r#"(data (memory $p)"#)).unwrap_err();
    assert!(e.contains("memory 1 has no data segment"), "{e}");
    // An imported memory.
    let imported = PAIR.replace(
        r#"(memory $p (export "memory") 1)"#,
        r#"(import "env" "m" (memory $p 1)) (export "memory" (memory $p))"#,
    );
    let e = checked(&imported).unwrap_err();
    assert!(e.contains("imports 1 memories"), "{e}");
}

/// The merged pair runs under every runtime with multi-memory, both call patterns, to the native
/// twin's checksum, carrying as many bytes as copy does (the adapter's counts); V8 in Node.js, the
/// native twin and WASI say why they cannot.
#[test]
fn every_runtime_with_multi_memory_runs_the_merged_pair_to_the_twins_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let axes = r#"runtime = ["wasmer", "wasmtime", "wasmi", "v8", "chromium", "native"]
compiler = ["cranelift", "eager", "turbofan", "rustc"]
engine = ["jit", "native"]
environment = ["bare", "wasi"]
transport = ["copy", "merged"]
codec = ["rkyv"]
profile = ["release"]
call = ["host", "import"]"#;
    let m = common::matrix(dir.path(), axes, common::TINY);
    let out = dir.path().join("r.csv");
    let run = common::runner(&["run", m.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", common::text(&run));
    let get = |name: &str| common::column(&out, name);
    let (cells, statuses, errors, sums) = (get("cell"), get("status"), get("error"), get("checksum"));
    let (requests, copied, pages) =
        (get("request_bytes_mean"), get("host_copied_bytes_per_rt"), get("consumer_memory_pages"));
    let twin = cells.iter().position(|c| c.starts_with("rustc/native/bare/copy/rkyv")).unwrap();
    let mut merged = 0;
    for i in (0..cells.len()).filter(|&i| cells[i].contains("/merged/")) {
        let cell = &cells[i];
        let why = if cell.contains("/v8/") {
            Some("Node.js 20's V8 11.3 has no multi-memory")
        } else if cell.contains("/native/") {
            Some("natively there are no wasm memories to merge")
        } else if cell.contains("/wasi/") {
            Some("WASI preview 1 reaches a module's memory through its export named `memory`")
        } else {
            None
        };
        match why {
            Some(why) => {
                assert_eq!(statuses[i], "unsupported", "{cell}");
                assert!(errors[i].starts_with(why), "{cell}: {}", errors[i]);
            }
            None => {
                assert_eq!(statuses[i], "ok", "{cell}: {}", errors[i]);
                assert_eq!(sums[i], sums[twin], "{cell}");
                let copy = cells.iter().position(|c| *c == cell.replace("/merged/", "/copy/")).unwrap();
                assert_eq!(
                    (&requests[i], &copied[i]),
                    (&requests[copy], &copied[copy]),
                    "{cell}: carried as copy does"
                );
                assert!(pages[i].parse::<u64>().is_ok_and(|p| p > 0), "{cell}: the consumer's memory {:?}", pages[i]);
                merged += 1;
            }
        }
    }
    assert_eq!(merged, 4 * 2, "Wasmer, Wasmtime, wasmi and Chromium, both call patterns");
}
