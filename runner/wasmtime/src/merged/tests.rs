//! The merged pair on a hand-written merged module: the exports the runner's merged module has,
//! the adapter's carries and counts as guests/merged/adapter.wat makes them, and guests small
//! enough to read (a request is record `i` and `2 i`, the reply `i + 1`).

use super::*;
use crate::engine::{self, Pool};
use wasmatrix_core::axes::{Compiler, Transport};
use wasmatrix_core::guests::Guests;

/// Two memories (the producer's of 1 page, the consumer's of 2); the consumer refuses record 5 and
/// traps on record 7; the producer refuses a reply to record 3 (whose reply is 4).
const MERGED: &str = r#"(module
  (memory $p (export "memory") 1)
  (memory $c (export "consumer.memory") 2)
  (data (memory $p) (i32.const 256) "producer says no")
  (data (memory $c) (i32.const 600) "consumer says no")
  (global $checksum (mut i64) (i64.const 0))

  ;; The producer.
  (func $produce (export "produce") (param $i i32) (result i64)
    (i32.store $p (i32.const 16) (local.get $i))
    (i32.store $p (i32.const 20) (i32.shl (local.get $i) (i32.const 1)))
    (i64.const 0x0000001000000008))
  (func $check_reply (export "check_reply") (param $ptr i32) (param $len i32) (result i32)
    (local $v i32)
    (local.set $v (i32.load $p (local.get $ptr)))
    (global.set $checksum (i64.add (global.get $checksum) (i64.extend_i32_u (local.get $v))))
    (i32.or (i32.ne (local.get $len) (i32.const 4)) (i32.eq (local.get $v) (i32.const 4))))
  (func (export "checksum") (result i64) (global.get $checksum))
  (func (export "bench_encode") (param i32 i32) (result i32) (i32.const 0))
  (func $reply_buffer (export "reply_buffer") (param i32) (result i32) (i32.const 1024))
  (func (export "error_message") (result i64) (i64.const 0x0000010000000010))
  (func (export "round_trip") (param $i i32) (result i32)
    (local $request i64)
    (local $reply i64)
    (local.set $request (call $produce (local.get $i)))
    (local.set $reply
      (call $deliver (i32.wrap_i64 (i64.shr_u (local.get $request) (i64.const 32))) (i32.wrap_i64 (local.get $request))))
    (if (i64.eqz (local.get $reply)) (then (return (i32.const 1))))
    (if (call $check_reply (i32.wrap_i64 (i64.shr_u (local.get $reply) (i64.const 32))) (i32.wrap_i64 (local.get $reply)))
      (then (return (i32.const 2))))
    (i32.const 0))

  ;; The consumer.
  (func $request_buffer (param i32) (result i32) (i32.const 512))
  (func $consume (export "consumer.consume") (param $ptr i32) (param $len i32) (result i64)
    (local $v i32)
    (local.set $v (i32.load $c (local.get $ptr)))
    (if (i32.eq (local.get $v) (i32.const 5)) (then (return (i64.const 0))))
    (if (i32.eq (local.get $v) (i32.const 7)) (then unreachable))
    (i32.store $c (i32.const 768) (i32.add (local.get $v) (i32.const 1)))
    (i64.const 0x0000030000000004))
  (func (export "consumer.ping") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "consumer.bench_decode") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "consumer.error_message") (result i64) (i64.const 0x0000025800000010))

  ;; The adapter, as guests/merged/adapter.wat.
  (global $request_at (mut i32) (i32.const 0))
  (global $request_capacity (mut i32) (i32.const 0))
  (global $reply_at (mut i32) (i32.const 0))
  (global $reply_capacity (mut i32) (i32.const 0))
  (global $request_bytes (mut i64) (i64.const 0))
  (global $reply_bytes (mut i64) (i64.const 0))
  (global $copied_bytes (mut i64) (i64.const 0))
  (func $to_consumer (export "merged.to_consumer") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (global.get $request_capacity))
      (then
        (global.set $request_at (call $request_buffer (local.get $len)))
        (global.set $request_capacity (local.get $len))))
    (memory.copy $c $p (global.get $request_at) (local.get $ptr) (local.get $len))
    (global.set $copied_bytes (i64.add (global.get $copied_bytes) (i64.extend_i32_u (local.get $len))))
    (global.get $request_at))
  (func $to_producer (export "merged.to_producer") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (global.get $reply_capacity))
      (then
        (global.set $reply_at (call $reply_buffer (local.get $len)))
        (global.set $reply_capacity (local.get $len))))
    (memory.copy $p $c (global.get $reply_at) (local.get $ptr) (local.get $len))
    (global.set $copied_bytes (i64.add (global.get $copied_bytes) (i64.extend_i32_u (local.get $len))))
    (global.get $reply_at))
  (func $deliver (param $ptr i32) (param $len i32) (result i64)
    (local $reply i64)
    (local $reply_len i32)
    (global.set $request_bytes (i64.add (global.get $request_bytes) (i64.extend_i32_u (local.get $len))))
    (local.set $reply (call $consume (call $to_consumer (local.get $ptr) (local.get $len)) (local.get $len)))
    (if (i64.eqz (local.get $reply)) (then (return (i64.const 0))))
    (local.set $reply_len (i32.wrap_i64 (local.get $reply)))
    (global.set $reply_bytes (i64.add (global.get $reply_bytes) (i64.extend_i32_u (local.get $reply_len))))
    (i64.or
      (i64.shl
        (i64.extend_i32_u
          (call $to_producer (i32.wrap_i64 (i64.shr_u (local.get $reply) (i64.const 32))) (local.get $reply_len)))
        (i64.const 32))
      (i64.extend_i32_u (local.get $reply_len))))
  (func (export "merged.request_bytes") (result i64) (global.get $request_bytes))
  (func (export "merged.reply_bytes") (result i64) (global.get $reply_bytes))
  (func (export "merged.copied_bytes") (result i64) (global.get $copied_bytes)))"#;

const COMPILERS: [Compiler; 3] = [Compiler::Cranelift, Compiler::Winch, Compiler::Pulley];
const CALLS: [Call; 2] = [Call::Host, Call::Import];

/// The merged pair of `wat` under `compiler`, instantiated as `strategy` says (`fresh`, `pre`, or
/// `pooled`: `pre` in a pooling engine), with a memory cap of 64 MiB.
fn pair(wat: &str, compiler: Compiler, strategy: &str, call: Call) -> Result<Pair<MergedCalls>, Failure> {
    let pool = (strategy == "pooled").then_some(Pool { pairs: 1, transport: Transport::Merged, memory_limit_mib: 64 });
    let engine = engine::engine(compiler, true, pool).unwrap();
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let (store, linker) = environment(&engine, 64, strategy == "fresh");
    match linker {
        Some(linker) => instantiate(store, Source::Fresh(&linker, &module), call),
        None => instantiate(store, Source::Pre(&prepare(&engine, &module)?), call),
    }
}

#[test]
fn round_trips_cross_between_the_two_memories_under_either_call_and_every_strategy() {
    for compiler in COMPILERS {
        for strategy in ["fresh", "pre", "pooled"] {
            for call in CALLS {
                let case = format!("{compiler}/{strategy}/{call}");
                let mut pair = pair(MERGED, compiler, strategy, call).unwrap_or_else(|e| panic!("{case}: {e}"));
                pair.round_trips(0, 3).unwrap_or_else(|e| panic!("{case}: {e}"));
                // Record i's reply is i + 1, summed by the producer.
                assert_eq!(pair.checksum().unwrap(), 1 + 2 + 3, "{case}");
                // The adapter counts what it copied (and, under import, carried) inside wasm: read
                // only by count_traffic.
                assert_eq!(pair.traffic().copied_bytes, 0, "{case}: not counted yet");
                pair.count_traffic().unwrap();
                let t = pair.traffic();
                assert_eq!((t.request_bytes, t.reply_bytes, t.copied_bytes), (3 * 8, 3 * 4, 3 * (8 + 4)), "{case}");
                let pages = pair.memory_pages();
                assert_eq!((pages.producer, pages.consumer), (Some(1), Some(2)), "{case}");
                assert_eq!(pair.pings(5).unwrap(), 5, "{case}");
                pair.stage(1).unwrap();
                pair.decode_batch(2).unwrap();
            }
        }
    }
}

#[test]
fn refusals_quote_the_guest_in_its_own_memory_and_a_consumer_trap_stays_a_trap() {
    for compiler in COMPILERS {
        for call in CALLS {
            let case = format!("{compiler}/{call}");
            let mut pair = pair(MERGED, compiler, "fresh", call).unwrap();
            let Err(Failure::Error(e)) = pair.round_trip(5) else { panic!("{case}: record 5 is refused") };
            assert_eq!(e, "consumer refused record 5: consumer says no", "{case}");
            let Err(Failure::Error(e)) = pair.round_trip(3) else { panic!("{case}: record 3's reply is refused") };
            assert_eq!(e, "producer refused the reply to record 3: producer says no", "{case}");
            let Err(Failure::Trap(e)) = pair.round_trip(7) else { panic!("{case}: record 7 traps the consumer") };
            assert!(e.contains("unreachable"), "{case}: {e}");
        }
    }
}

#[test]
fn a_module_short_of_an_export_is_refused_naming_it() {
    let cases = [
        (r#"(export "round_trip")"#, Call::Import, "producer lacks an export the harness calls (round_trip)"),
        (r#"(export "merged.copied_bytes")"#, Call::Host, "lacks an export the harness calls (merged.copied_bytes)"),
        (r#"(export "consumer.ping")"#, Call::Host, "consumer lacks an export the harness calls (consumer.ping)"),
        (r#"(export "consumer.memory")"#, Call::Host, "the merged module exports no memory consumer.memory"),
    ];
    for (export, call, says) in cases {
        let Err(Failure::Error(e)) = pair(&MERGED.replace(export, ""), Compiler::Cranelift, "pre", call) else {
            panic!("a module without {export} is refused")
        };
        assert!(e.contains(says), "{e}");
    }
    // What the runner's merged module never has, and the worker does not provide: an import.
    let importing =
        MERGED.replace("(module", r#"(module (import "env" "deliver" (func (param i32 i32) (result i64)))"#);
    let Err(Failure::Error(e)) = pair(&importing, Compiler::Cranelift, "fresh", Call::Host) else {
        panic!("an import is refused")
    };
    assert!(e.starts_with("cannot instantiate the merged module") && e.contains("env::deliver"), "{e}");
}

/// A pooling engine refuses to compile a module its pool has no room for: the merged pair's two
/// memories and two tables need the pool of a merged cell.
#[test]
fn only_a_merged_cells_pool_holds_two_memories_per_module() {
    let wasm = wat::parse_str(MERGED).unwrap();
    for transport in [Transport::Copy, Transport::Merged] {
        let pool = Pool { pairs: 1, transport, memory_limit_mib: 64 };
        let compiled = Module::new(&engine::engine(Compiler::Cranelift, true, Some(pool)).unwrap(), &wasm);
        match (transport, compiled) {
            (Transport::Merged, compiled) => assert!(compiled.is_ok(), "{:#}", compiled.unwrap_err()),
            (_, Err(e)) => assert!(format!("{e:#}").contains("defined memories count of 2 exceeds"), "{e:#}"),
            (_, Ok(_)) => panic!("a pool of one memory per module took the merged module"),
        }
    }
}

/// `MERGED` made a chain of four: two relays between the guests, each with a memory of its own,
/// their exports under `relay<j>.`. Relay 1 cannot read record 9, relay 2 record 11; relay 2 leaves
/// record 6 out of its digest (a sum of the records read).
fn chain() -> String {
    let at = MERGED.find("  (func $to_consumer").unwrap();
    let end = MERGED.find("  (func $to_producer").unwrap();
    let relay = |j: u32, refuses: u32, skips: u32| {
        format!(
            r#"
  (global $d{j} (mut i64) (i64.const 0))
  (func $relay{j} (export "relay{j}.relay") (param $ptr i32) (param $len i32) (result i64)
    (local $v i32)
    (local.set $v (i32.load $r{j} (local.get $ptr)))
    (if (i32.eq (local.get $v) (i32.const {refuses})) (then (return (i64.const 0))))
    (if (i32.ne (local.get $v) (i32.const {skips}))
      (then (global.set $d{j} (i64.add (global.get $d{j}) (i64.extend_i32_u (local.get $v))))))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))
  (func (export "relay{j}.relay_digest") (result i64) (global.get $d{j}))
"#
        )
    };
    let carry = r#"
  (global $refused_by (mut i32) (i32.const 0))
  (func (export "merged.refused_by") (result i32) (global.get $refused_by))
  (func $to_consumer (export "merged.to_consumer") (param $ptr i32) (param $len i32) (result i32)
    (memory.copy $r1 $p (i32.const 64) (local.get $ptr) (local.get $len))
    (if (i64.eqz (call $relay1 (i32.const 64) (local.get $len)))
      (then (global.set $refused_by (i32.const 1)) (unreachable)))
    (memory.copy $r2 $r1 (i32.const 64) (i32.const 64) (local.get $len))
    (if (i64.eqz (call $relay2 (i32.const 64) (local.get $len)))
      (then (global.set $refused_by (i32.const 2)) (unreachable)))
    (memory.copy $c $r2 (i32.const 512) (i32.const 64) (local.get $len))
    (global.set $copied_bytes
      (i64.add (global.get $copied_bytes) (i64.mul (i64.const 3) (i64.extend_i32_u (local.get $len)))))
    (i32.const 512))
"#;
    let chain = format!("{}{}{}{carry}{}", &MERGED[..at], relay(1, 9, 0), relay(2, 11, 6), &MERGED[end..]);
    chain.replace(
        r#"(memory $c (export "consumer.memory") 2)"#,
        r#"(memory $c (export "consumer.memory") 2) (memory $r1 1) (memory $r2 1)"#,
    )
}

#[test]
fn a_merged_chain_checks_its_relays_digests_and_says_which_relay_could_not_read() {
    for compiler in COMPILERS {
        for call in CALLS {
            let case = format!("{compiler}/{call}");
            let chain = chain();
            let mut chained = pair(&chain, compiler, "fresh", call).unwrap_or_else(|e| panic!("{case}: {e}"));
            chained.round_trips(0, 3).unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(chained.checksum().unwrap(), 1 + 2 + 3, "{case}");
            chained.count_traffic().unwrap_or_else(|e| panic!("{case}: {e}"));
            // Each request copied into both relays and the consumer, each reply back once.
            assert_eq!(chained.traffic().copied_bytes, 3 * (3 * 8 + 4), "{case}");
            for (record, relay) in [(9, 1), (11, 2)] {
                let mut chained = pair(&chain, compiler, "fresh", call).unwrap();
                let Err(Failure::Error(e)) = chained.round_trip(record) else {
                    panic!("{case}: relay {relay} refuses")
                };
                assert_eq!(
                    e,
                    format!("relay {relay} could not read the request (its error_message says why)"),
                    "{case}"
                );
            }
            // A consumer's trap is still the consumer's.
            let Err(Failure::Trap(e)) = chained.round_trip(7) else { panic!("{case}: record 7 traps the consumer") };
            assert!(e.contains("unreachable"), "{case}: {e}");
            let mut chained = pair(&chain, compiler, "fresh", call).unwrap();
            chained.round_trip(6).unwrap();
            let Err(Failure::Error(e)) = chained.count_traffic() else { panic!("{case}: relay 2 skipped record 6") };
            assert_eq!(e, "relay 2 read other records than relay 1 (digest 0x0, relay 1's 0x6)", "{case}");
        }
    }
}
