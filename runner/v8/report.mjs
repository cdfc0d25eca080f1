// What the V8 worker says to the runner (runner/core/src/worker.rs): the ready line, the report
// line and its JSON (the u64 checksum written by hand), and the failure that stops a cell, with
// the kind and message of whatever a guest or the host threw.

/** Printed when the guests are instantiated and the first round trip is done (`READY_LINE`). */
export const READY_LINE = 'wasmatrix-worker-ready';
/** A page's first line, as soon as its module runs (runner/chromium: page.mjs sends it, worker.mjs waits for it). */
export const BEGIN_LINE = 'wasmatrix-page-begin';
/** Prefix of the line carrying the report (`REPORT_PREFIX`). */
export const REPORT_PREFIX = 'wasmatrix-worker-report ';

/** Why a cell stopped: `kind` is the Rust `FailureKind` (Trap, Error, OutOfMemory). */
export class Failure extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** The report's fields, in the Rust struct's order, all empty. */
export function emptyReport() {
  return {
    main_at_ns: null, worker_start_ns: null, engine_ns: null, compile_ns: null, artifact_bytes: null, load_ns: null, environment_ns: null, instantiate_ns: null,
    instantiate_pair: [], teardown: [], instantiate_rss_kib: [], instantiate_serial_ns: null,
    rss_after_setup_kib: null, producer_memory_pages: null, consumer_memory_pages: null,
    setup_warm: [], setup_warm_cpu: [], setup_cpu_ns: null, first_round_trip_ns: null, round_trip: [],
    call_floor: [], encode: [], decode: [],
    reference: [], request_bytes_mean: null, reply_bytes_mean: null, copied_bytes_per_round_trip: null,
    checksum: null, log_bytes: null, stdout_bytes: null, stderr_bytes: null, peak_rss_kib: null,
    runtime_version: null, cpu_migrations: null, failure: null,
  };
}

/** A BigInt as the unsigned 64-bit decimal JSON number Rust's `u64` reads (two's complement wrapped). */
export function u64Json(value) {
  return BigInt.asUintN(64, BigInt(value)).toString();
}

/**
 * The report as JSON text. JSON.stringify cannot write a BigInt and a JS number loses precision
 * above 2^53, so `checksum` (a BigInt) is written by hand; every other field is JSON.stringify's.
 */
export function reportJson(report) {
  const fields = Object.entries(report).map(([key, value]) => {
    const text = key === 'checksum' && value !== null && value !== undefined ? u64Json(value) : JSON.stringify(value ?? null);
    return `${JSON.stringify(key)}:${text}`;
  });
  return `{${fields.join(',')}}`;
}

/** The failure kind of something a guest or the host threw. */
export function failureKind(e) {
  if (e instanceof Failure) return e.kind;
  if (e instanceof WebAssembly.RuntimeError) return 'Trap';
  // V8 reports a wasm stack overflow as a RangeError; Wasmer calls it a trap.
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'Trap';
  if (typeof e === 'symbol' && e.description === 'kExitCode') return 'Trap'; // WASI proc_exit
  return 'Error';
}

/** A thrown value as a message. */
export function describe(e) {
  if (typeof e === 'symbol' && e.description === 'kExitCode') return 'the guest called WASI proc_exit';
  if (e instanceof Error) return e.message;
  return String(e);
}
