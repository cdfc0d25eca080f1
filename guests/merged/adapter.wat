;; The adapter of transport `merged` (runner/core/src/merged.rs): binaryen's wasm-merge joins it to
;; the producer (named `producer`) and the consumer (named `consumer`), each with its own memory, so
;; that the pair is one module with two memories. Its imports are the guests' exports; its
;; `deliver` becomes the producer's `env.deliver` import (wasm-merge names this module `env`).
;;
;; It does what the host does under `copy` (runner/core/src/transport.rs CopyLink), inside wasm: a
;; message is copied from the sender's memory into a buffer the receiver allocated, which it asks
;; to grow only for a larger message; `memory.copy` between the two memories is the only code that
;; touches both. It counts what it carried as the host's route does (runner/core/src/calls.rs
;; `deliver`): every request, the replies of the requests not refused, and every byte copied.
(module
  (import "producer" "memory" (memory $producer 0))
  (import "consumer" "memory" (memory $consumer 0))
  (import "producer" "reply_buffer" (func $reply_buffer (param i32) (result i32)))
  (import "consumer" "request_buffer" (func $request_buffer (param i32) (result i32)))
  (import "consumer" "consume" (func $consume (param i32 i32) (result i64)))
  (import "consumer" "ping" (func $ping (param i32) (result i32)))
  (import "consumer" "bench_decode" (func $bench_decode (param i32 i32 i32) (result i32)))
  (import "consumer" "error_message" (func $consumer_error_message (result i64)))

  ;; The consumer's exports the harness calls, under names of their own: wasm-merge renames the
  ;; consumer's `error_message` and `memory`, which the producer's take.
  (export "consumer.consume" (func $consume))
  (export "consumer.ping" (func $ping))
  (export "consumer.bench_decode" (func $bench_decode))
  (export "consumer.error_message" (func $consumer_error_message))
  (export "consumer.memory" (memory $consumer))

  ;; Each receiver's buffer (address, capacity), and the counts.
  (global $request_at (mut i32) (i32.const 0))
  (global $request_capacity (mut i32) (i32.const 0))
  (global $reply_at (mut i32) (i32.const 0))
  (global $reply_capacity (mut i32) (i32.const 0))
  (global $request_bytes (mut i64) (i64.const 0))
  (global $reply_bytes (mut i64) (i64.const 0))
  (global $copied_bytes (mut i64) (i64.const 0))

  ;; Copies the producer's `len` bytes at `ptr` into the consumer's request buffer; returns where.
  (func $to_consumer (export "merged.to_consumer") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (global.get $request_capacity))
      (then
        (global.set $request_at (call $request_buffer (local.get $len)))
        (global.set $request_capacity (local.get $len))))
    (memory.copy $consumer $producer (global.get $request_at) (local.get $ptr) (local.get $len))
    (global.set $copied_bytes (i64.add (global.get $copied_bytes) (i64.extend_i32_u (local.get $len))))
    (global.get $request_at))

  ;; Copies the consumer's `len` bytes at `ptr` into the producer's reply buffer; returns where.
  (func $to_producer (export "merged.to_producer") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (global.get $reply_capacity))
      (then
        (global.set $reply_at (call $reply_buffer (local.get $len)))
        (global.set $reply_capacity (local.get $len))))
    (memory.copy $producer $consumer (global.get $reply_at) (local.get $ptr) (local.get $len))
    (global.set $copied_bytes (i64.add (global.get $copied_bytes) (i64.extend_i32_u (local.get $len))))
    (global.get $reply_at))

  ;; The producer's `env.deliver(ptr, len)`: the packed reply where the producer reads it, or 0 if
  ;; the consumer refused the request.
  (func (export "deliver") (param $ptr i32) (param $len i32) (result i64)
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
  (func (export "merged.copied_bytes") (result i64) (global.get $copied_bytes)))
