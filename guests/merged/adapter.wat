;; The adapter of transport `merged` (runner/core/src/merged.rs): binaryen's wasm-merge joins it to
;; the producer (named `producer`), the relays of a chain (`relay1`, `relay2`, ...) and the consumer
;; (named `consumer`), each with its own memory, so that they are one module with a memory each.
;; Its imports are the guests' exports; its `deliver` becomes the producer's `env.deliver` import
;; (wasm-merge names this module `env`).
;;
;; It does what the host does under `copy` (runner/core/src/transport.rs CopyLink and Chain), inside
;; wasm: a message is copied from the sender's memory into a buffer the receiver allocated, which it
;; asks to grow only for a larger message; `memory.copy` between two memories is the only code that
;; touches more than one. A request goes hop by hop: into relay 1's buffer, through its `relay`,
;; into relay 2's, ..., into the consumer's; the reply straight back to the producer. It counts what
;; it carried as the host's route does (runner/core/src/calls.rs `deliver`): every request, the
;; replies of the requests not refused, and every byte copied (one request more a relay).
;;
;; As written it is the pair's adapter. For a chain the runner fills it in (runner/src/merged_pair.rs
;; `fill`): a block of consecutive lines starting `;;@relay ` is written once for every relay j
;; (from 1), without the prefix, `$J` replaced by j and `$SENDER` by the memory relay j receives
;; from (the producer's for relay 1, then relay j-1's); a line starting `;;@chain ` is written once,
;; without the prefix, `$LAST` replaced by the last relay's j; a line ending `;;@pair` is left out.
(module
  (import "producer" "memory" (memory $producer 0))
;;@relay   (import "relay$J" "memory" (memory $relay$J 0))
  (import "consumer" "memory" (memory $consumer 0))
  (import "producer" "reply_buffer" (func $reply_buffer (param i32) (result i32)))
;;@relay   (import "relay$J" "request_buffer" (func $relay$J_buffer (param i32) (result i32)))
;;@relay   (import "relay$J" "relay" (func $relay$J (param i32 i32) (result i64)))
;;@relay   (import "relay$J" "relay_digest" (func $relay$J_digest (result i64)))
;;@relay   (import "relay$J" "error_message" (func $relay$J_error_message (result i64)))
  (import "consumer" "request_buffer" (func $request_buffer (param i32) (result i32)))
  (import "consumer" "consume" (func $consume (param i32 i32) (result i64)))
  (import "consumer" "ping" (func $ping (param i32) (result i32)))
  (import "consumer" "bench_decode" (func $bench_decode (param i32 i32 i32) (result i32)))
  (import "consumer" "error_message" (func $consumer_error_message (result i64)))

  ;; The consumer's exports the harness calls, under names of their own: wasm-merge renames the
  ;; consumer's `error_message` and `memory`, which the producer's take. Each relay's likewise,
  ;; under `relay<j>.`.
  (export "consumer.consume" (func $consume))
  (export "consumer.ping" (func $ping))
  (export "consumer.bench_decode" (func $bench_decode))
  (export "consumer.error_message" (func $consumer_error_message))
  (export "consumer.memory" (memory $consumer))
;;@relay   (export "relay$J.relay" (func $relay$J))
;;@relay   (export "relay$J.relay_digest" (func $relay$J_digest))
;;@relay   (export "relay$J.request_buffer" (func $relay$J_buffer))
;;@relay   (export "relay$J.error_message" (func $relay$J_error_message))
;;@relay   (export "relay$J.memory" (memory $relay$J))

  ;; Each receiver's buffer (address, capacity), and the counts.
;;@relay   (global $relay$J_at (mut i32) (i32.const 0))
;;@relay   (global $relay$J_capacity (mut i32) (i32.const 0))
  (global $request_at (mut i32) (i32.const 0))
  (global $request_capacity (mut i32) (i32.const 0))
  (global $reply_at (mut i32) (i32.const 0))
  (global $reply_capacity (mut i32) (i32.const 0))
  (global $request_bytes (mut i64) (i64.const 0))
  (global $reply_bytes (mut i64) (i64.const 0))
  (global $copied_bytes (mut i64) (i64.const 0))
  ;; The relay (from 1) that could not read the last request, 0 if none: a relay that returns 0
  ;; stops the request with a trap, after which the worker asks who (`merged.refused_by`).
;;@chain   (global $refused_by (mut i32) (i32.const 0))
;;@chain   (func (export "merged.refused_by") (result i32) (global.get $refused_by))

  ;; Carries the producer's `len` bytes at `ptr` through every relay into the consumer's request
  ;; buffer; returns where they are. A relay forwards the bytes it read (their length unchanged).
  (func $to_consumer (export "merged.to_consumer") (param $ptr i32) (param $len i32) (result i32)
;;@chain     (local $range i64)
;;@relay     (if (i32.gt_u (local.get $len) (global.get $relay$J_capacity))
;;@relay       (then
;;@relay         (global.set $relay$J_at (call $relay$J_buffer (local.get $len)))
;;@relay         (global.set $relay$J_capacity (local.get $len))))
;;@relay     (memory.copy $relay$J $SENDER (global.get $relay$J_at) (local.get $ptr) (local.get $len))
;;@relay     (global.set $copied_bytes (i64.add (global.get $copied_bytes) (i64.extend_i32_u (local.get $len))))
;;@relay     (local.set $range (call $relay$J (global.get $relay$J_at) (local.get $len)))
;;@relay     (if (i64.eqz (local.get $range)) (then (global.set $refused_by (i32.const $J)) (unreachable)))
;;@relay     (local.set $ptr (i32.wrap_i64 (i64.shr_u (local.get $range) (i64.const 32))))
    (if (i32.gt_u (local.get $len) (global.get $request_capacity))
      (then
        (global.set $request_at (call $request_buffer (local.get $len)))
        (global.set $request_capacity (local.get $len))))
    (memory.copy $consumer $producer (global.get $request_at) (local.get $ptr) (local.get $len)) ;;@pair
;;@chain     (memory.copy $consumer $relay$LAST (global.get $request_at) (local.get $ptr) (local.get $len))
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
