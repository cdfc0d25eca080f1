// `node <v8 flags> runner/v8/worker.mjs worker JOB`: one V8 cell in its own process, speaking the
// worker protocol of runner/core/src/worker.rs (a `Job` as JSON in, the ready line and one report
// line out). It does what the Rust workers do, step for step, so its rows compare with theirs:
// set-up (compile, environment, instantiate), then `exercise` (first round trip, warm-up, batched
// round trips, the call floor, traffic, checksum, output, encode and decode). A round trip is the
// host's calls of the guests (`call = host`), or one call of the producer's `round_trip`, which
// reaches the consumer through the worker's `env.deliver` import (`call = import`, `makeRoute`;
// runner/core/src/calls.rs).
//
// The compiler is chosen by the runner with V8 flags on the command line (`V8_FLAGS` below); this
// script checks that they were given and only compiles. The guests' ABI mirrors
// runner/core/src/abi.rs and the Wasmer worker (runner/wasmer/src/{pair,environment}.rs
// and transport/{copy,shared}.rs).
//
// Plain ES module, no dependencies: Node.js 20 or later.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import v8 from 'node:v8';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Printed when the guests are instantiated and the first round trip is done (`READY_LINE`). */
export const READY_LINE = 'wasmatrix-worker-ready';
/** Prefix of the line carrying the report (`REPORT_PREFIX`). */
export const REPORT_PREFIX = 'wasmatrix-worker-report ';
/** Where the consumer's data and stack start in the shared memory (abi.rs). */
export const SHARED_CONSUMER_BASE = 2 << 20;
/** wasm32's largest memory, in 64 KiB pages. */
export const MAX_PAGES = 65536;

/**
 * The V8 flags each compiler value needs, checked against `process.execArgv`. Both compile every
 * function before instantiation (V8 11.3 compiles lazily, at first call, by default), so
 * `compile_ns` means what it means for the other runtimes. Liftoff also needs
 * `--no-wasm-dynamic-tiering`: in V8 11.3 `--no-wasm-tier-up` alone does not stop dynamic tiering,
 * which recompiles hot functions with TurboFan (`--trace-wasm-compilation-times` shows it).
 */
export const V8_FLAGS = {
  liftoff: ['--liftoff', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering', '--no-wasm-lazy-compilation'],
  turbofan: ['--no-liftoff', '--no-wasm-lazy-compilation'],
};

/** The flags of `V8_FLAGS[compiler]` missing from `execArgv`. */
export function missingFlags(compiler, execArgv) {
  return (V8_FLAGS[compiler] ?? []).filter((flag) => !execArgv.includes(flag));
}

/** Why the artifact engine (and the Precompile phase) cannot run under V8 in Node.js. */
export const ARTIFACT_UNSUPPORTED =
  'the artifact engine does not run under V8 in Node.js: Node offers no way to keep V8\'s compiled wasm code ' +
  'across processes (v8.serialize(module) of a WebAssembly.Module writes no module, only the 2-byte header ' +
  '"ff 0f", which v8.deserialize refuses with "Unable to deserialize cloned data."; structuredClone and ' +
  'postMessage share a module only inside one process; WebAssembly.Module has no serialize method, and ' +
  'Node\'s compile cache covers JavaScript only)';

// ---------------------------------------------------------------------------------------------
// The job

/**
 * The fields of the job's cell this worker reads. The cell comes as one field per axis, each value
 * its name (`Cell` in runner/core/src/cell.rs), so the worker keeps no list of the axes' values;
 * which of them it runs is `refusal`'s to say.
 */
const CELL_FIELDS = ['runtime', 'compiler', 'engine', 'environment', 'transport', 'codec', 'logging', 'call'];

/** The job's cell: an object whose fields this worker reads are values' names (other fields are kept as they are). */
export function readCell(cell) {
  if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) {
    throw new Error('job.cell is not an object with one field per axis');
  }
  for (const field of CELL_FIELDS) {
    if (typeof cell[field] !== 'string') throw new Error(`job.cell.${field} is not a value's name: ${cell[field]}`);
  }
  return cell;
}

/**
 * Why the V8 worker does not run `cell`, or null if it does: what V8 in Node.js and this script
 * implement, read from the fields it uses (the axes it does not read, such as the codec's bytes,
 * the profile or the allocator, are in the guest files it is given).
 */
export function refusal(cell) {
  if (cell.runtime !== 'v8') return `the V8 worker runs runtime v8 cells, not ${cell.runtime}`;
  if (!Object.hasOwn(V8_FLAGS, cell.compiler)) return `V8's compilers are liftoff and turbofan, not ${cell.compiler}`;
  if (cell.engine === 'artifact') return ARTIFACT_UNSUPPORTED;
  if (cell.engine !== 'jit') return `the ${cell.engine} engine does not run under V8`;
  if (cell.transport === 'component' || cell.transport === 'composed' || cell.codec === 'wit') {
    return 'V8 (Node.js 20) implements no Component Model: the component cells run under Wasmtime (Cell::unsupported)';
  }
  if (cell.transport !== 'copy' && cell.transport !== 'shared') {
    return `the V8 worker's transports are copy and shared, not ${cell.transport}`;
  }
  if (cell.environment === 'emscripten-legacy') return 'emscripten-legacy cells do not run (see Cell::unsupported)';
  if (!['bare', 'wasi', 'emscripten'].includes(cell.environment)) {
    return `the V8 worker's environments are bare, wasi and emscripten, not ${cell.environment}`;
  }
  if (cell.logging !== 'off' && cell.logging !== 'on') return `the V8 worker logs on or off, not ${cell.logging}`;
  if (cell.call !== 'host' && cell.call !== 'import') {
    return `the V8 worker's call patterns are host and import, not ${cell.call}`;
  }
  return null;
}

/** The `[measure]` settings with serde's defaults (runner/core/src/measure/mod.rs). */
function parseMeasure(m) {
  if (m === null || typeof m !== 'object') throw new Error('job.measure is not an object');
  const defaults = { processes: 1, floor_batch: 1000, codec_batch: 100, noisy_ci_pct: 5.0, memory_limit_mib: 4096,
    min_processes: 5, target_ci_pct: 2.0, setup_repeats: 20, setup_budget_ms: 50 };
  const measure = { ...defaults, ...m };
  for (const key of ['processes', 'warmup', 'samples', 'batch', 'floor_batch', 'codec_batch', 'timeout_s',
    'memory_limit_mib', 'min_processes', 'setup_repeats', 'setup_budget_ms']) {
    const v = measure[key];
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`job.measure.${key} is not an unsigned integer: ${v}`);
  }
  return measure;
}

/** Reads the job as serde reads `Job` (worker.rs): the cell's fields checked, defaults filled in. */
export function parseJob(text) {
  const raw = JSON.parse(text);
  if (raw === null || typeof raw !== 'object') throw new Error('the job is not a JSON object');
  const job = {
    cell: readCell(raw.cell),
    measure: parseMeasure(raw.measure),
    guests: raw.guests ?? null,
    artifacts: raw.artifacts,
    phase: raw.phase,
    mechanism: raw.mechanism ?? 'wall_clock',
    pin: raw.pin ?? null,
  };
  if (job.guests !== null && (typeof job.guests.producer !== 'string' || typeof job.guests.consumer !== 'string')) {
    throw new Error('job.guests must be null or {"producer": path, "consumer": path}');
  }
  if (typeof job.artifacts !== 'string') throw new Error('job.artifacts is not a path');
  if (job.phase !== 'Measure' && job.phase !== 'Precompile') throw new Error(`unknown phase \`${job.phase}\``);
  if (job.mechanism !== 'wall_clock' && job.mechanism !== 'instructions') {
    throw new Error(`unknown mechanism \`${job.mechanism}\``);
  }
  if (job.pin !== null && !Number.isSafeInteger(job.pin)) throw new Error(`job.pin is not a CPU index: ${job.pin}`);
  return job;
}

// ---------------------------------------------------------------------------------------------
// The report

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
    compile_ns: null, artifact_bytes: null, load_ns: null, environment_ns: null, instantiate_ns: null,
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

/** Writes one line to the worker's stdout, synchronously (the supervisor times the ready line). */
function printLine(line) {
  const bytes = Buffer.from(`${line}\n`);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += fs.writeSync(1, bytes, written);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e; // a non-blocking pipe that is full: try again
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a module's memory import limits (WebAssembly.Module.imports gives no limits)

/** An unsigned LEB128 at `bytes[at]`: `[value, next offset]` (a Number: limits fit in 2^53). */
export function readLeb(bytes, at) {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at >= bytes.length) throw new Error('truncated LEB128 in the wasm module');
    const byte = bytes[at++];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, at];
    scale *= 128;
  }
}

/**
 * The limits, in pages, of the memory a module imports as `module.name`, read from its import
 * section: `{ minimum, maximum }` (maximum `null` if undeclared), or `null` if it has no such import.
 */
export function importedMemoryLimits(bytes, module = 'env', name = 'memory') {
  const text = new TextDecoder();
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error('not a wasm module (bad magic)');
  }
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size;
    [size, at] = readLeb(bytes, at);
    const end = at + size;
    if (id !== 2) { // not the import section
      at = end;
      continue;
    }
    let count;
    [count, at] = readLeb(bytes, at);
    const str = () => {
      let len;
      [len, at] = readLeb(bytes, at);
      const s = text.decode(bytes.subarray(at, at + len));
      at += len;
      return s;
    };
    const limits = () => {
      const flags = bytes[at++];
      let minimum, maximum = null;
      [minimum, at] = readLeb(bytes, at);
      if (flags & 1) [maximum, at] = readLeb(bytes, at);
      return { minimum, maximum, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
    };
    for (let i = 0; i < count; i++) {
      const mod = str();
      const field = str();
      const kind = bytes[at++];
      switch (kind) {
        case 0: [, at] = readLeb(bytes, at); break; // function: type index
        case 1: at++; limits(); break; // table: element type, limits
        case 2: { // memory
          const l = limits();
          if (mod === module && field === name) return l;
          break;
        }
        case 3: at += 2; break; // global: value type, mutability
        case 4: at++; [, at] = readLeb(bytes, at); break; // tag: attribute, type index
        default: throw new Error(`unknown import kind ${kind} in the wasm module`);
      }
    }
    return null;
  }
  return null;
}

/** The shared memory's limits: the larger minimum, the smaller declared maximum (`shared_memory_pages`). */
export function sharedMemoryPages(producer, consumer) {
  const maxima = [producer.maximum, consumer.maximum].filter((m) => m !== null);
  return { minimum: Math.max(producer.minimum, consumer.minimum), maximum: maxima.length ? Math.min(...maxima) : null };
}

/** Refuses guests whose data and stacks overlap in the shared memory (`check_shared_layout`). */
export function checkSharedLayout(producerEnd, consumerEnd) {
  if (producerEnd > SHARED_CONSUMER_BASE || consumerEnd <= SHARED_CONSUMER_BASE) {
    const hex = (n) => `0x${n.toString(16)}`;
    throw new Failure('Error', `guests overlap in the shared memory: producer data and stack end at ${hex(producerEnd)}, ` +
      `consumer's span ${hex(SHARED_CONSUMER_BASE)}..${hex(consumerEnd)}; rebuild the guests`);
  }
}

/** The memory cap in pages: 16 per MiB, at most wasm32's 65,536 (`limits::Capped::new`). */
export function capPages(memoryLimitMib) {
  return Math.min(memoryLimitMib * 16, MAX_PAGES);
}

// ---------------------------------------------------------------------------------------------
// Byte ranges and guest memory

// Scratch for unpacking a guest's packed (ptr << 32 | len) i64 without BigInt arithmetic: the
// BigInt is stored once and read back as two u32 halves (little-endian: low half first).
const wide = new BigUint64Array(1);
const halves = new Uint32Array(wide.buffer);
if (os.endianness() !== 'LE') throw new Error('the V8 worker assumes a little-endian host');

/** A view of a memory's bytes that is made again only after the memory grew (its buffer detached). */
class MemoryView {
  constructor(memory) {
    this.memory = memory;
    this.bytes = new Uint8Array(memory.buffer);
  }

  /** The current bytes: a detached buffer has length 0, a wasm memory never does once it has a page. */
  get() {
    if (this.bytes.length === 0) this.bytes = new Uint8Array(this.memory.buffer);
    return this.bytes;
  }
}

/** A packed UTF-8 message in a guest memory, for error reports (`read_text`). */
function readText(view, packed) {
  if (packed === 0n) return '(no message)';
  wide[0] = packed;
  const ptr = halves[1];
  const len = Math.min(halves[0], 4096);
  const bytes = view.get();
  if (ptr + len > bytes.length) return `(unreadable message: ${ptr}+${len} lies outside the memory)`;
  return new TextDecoder().decode(bytes.subarray(ptr, ptr + len));
}

// ---------------------------------------------------------------------------------------------
// Environments: what the guests may import (environment.rs)

/** Emscripten's `__syscall_getcwd(buf, size)`: -ENOSYS (52 in Emscripten's errno numbering). */
function syscallGetcwd(_buf, _size) {
  return -52;
}

/** Loads node:wasi without its one-time "ExperimentalWarning: WASI" on stderr. */
async function loadWasi() {
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
    emit.call(process, warning, ...rest);
  };
  try {
    return (await import('node:wasi')).WASI;
  } finally {
    process.emitWarning = emit;
  }
}

/**
 * The guests' environment (`Host::new`): under `bare`, the consumer's log sink; under `wasi` and
 * `emscripten`, one WASI preview 1 environment per guest, each seeing one empty directory as `/`,
 * no arguments, no environment variables, stdin /dev/null, and stdout and stderr in two files of
 * the job's private directory (both guests share them), never the worker's own stdout.
 */
async function createHost(cell, scratch) {
  const host = {
    environment: cell.environment,
    logging: cell.logging,
    // The bare log sink: the consumer's memory and the lines so far (a growing byte buffer).
    log: { view: null, buffer: new Uint8Array(0), length: 0 },
    wasi: null,
    // `call = import`: the producer's `env.deliver` (a route's `deliver`, see `makeRoute`).
    deliver: null,
  };
  if (cell.environment === 'wasi' || cell.environment === 'emscripten') {
    const WASI = await loadWasi();
    const root = path.join(scratch, `wasi-root-${process.pid}`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    const stdoutPath = path.join(scratch, `wasi-stdout-${process.pid}`);
    const stderrPath = path.join(scratch, `wasi-stderr-${process.pid}`);
    const stdin = fs.openSync('/dev/null', 'r');
    const stdout = fs.openSync(stdoutPath, 'w+');
    const stderr = fs.openSync(stderrPath, 'w+');
    const env = () => new WASI({
      version: 'preview1', args: [], env: {}, preopens: { '/': root }, stdin, stdout, stderr, returnOnExit: true,
    });
    host.wasi = { producer: env(), consumer: env(), root, stdin, stdout, stderr, paths: [stdoutPath, stderrPath] };
  }
  return host;
}

/** `env.wasmatrix_log(ptr, len)`: appends `len` bytes at `ptr` of the consumer's memory. */
function logSink(log) {
  return (ptr, len) => {
    ptr >>>= 0;
    len >>>= 0;
    if (log.view === null) throw new Failure('Trap', 'log line before the consumer\'s memory is known');
    const memory = log.view.get();
    if (ptr + len > memory.length) throw new Failure('Trap', 'log line outside the consumer\'s memory');
    if (log.length + len > log.buffer.length) { // grow as a Vec would: doubling
      const grown = new Uint8Array(Math.max(log.buffer.length * 2, log.length + len, 64));
      grown.set(log.buffer.subarray(0, log.length));
      log.buffer = grown;
    }
    log.buffer.set(memory.subarray(ptr, ptr + len), log.length);
    log.length += len;
  };
}

/** Whether a compiled module imports the function `env.deliver`: a producer built with `call-import`. */
export function importsDeliver(module) {
  return WebAssembly.Module.imports(module).some((i) => i.module === 'env' && i.name === 'deliver' && i.kind === 'function');
}

/**
 * Checks that the producer was built for the cell's call pattern (its imports say: `env.deliver`
 * only with the feature `call-import`), before it is instantiated.
 */
export function checkCallPattern(module, call) {
  const imports = importsDeliver(module);
  if (call === 'import' && !imports) {
    throw new Failure('Error', 'the producer does not import env.deliver: it was not built with the feature ' +
      'call-import, which call = import cells need');
  }
  if (call !== 'import' && imports) {
    throw new Failure('Error', 'the producer imports env.deliver: it was built with the feature call-import, ' +
      'for call = import cells only');
  }
}

/** Instantiates one guest in `host` (`Host::instantiate`); `shared` is the transport's memory, if any. */
function instantiateGuest(host, module, role, shared) {
  const wasi = host.wasi?.[role];
  const imports = wasi ? wasi.getImportObject() : {};
  const env = {};
  if (!wasi) env.wasmatrix_log = logSink(host.log);
  if (shared) env.memory = shared;
  if (host.environment === 'emscripten') env.__syscall_getcwd = syscallGetcwd;
  if (role === 'producer' && host.deliver !== null) env.deliver = host.deliver;
  imports.env = env;
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    // A memory V8 cannot make within the cap (`--wasm-max-mem-pages`) is a RangeError.
    const kind = e instanceof RangeError && /memory/i.test(e.message) ? 'OutOfMemory' : failureKind(e);
    throw new Failure(kind, `cannot instantiate the ${role}: ${describe(e)}`);
  }
  if (!wasi) {
    if (role === 'consumer') {
      const memory = shared ?? instance.exports.memory;
      if (!(memory instanceof WebAssembly.Memory)) throw new Failure('Error', `the ${role} exports no memory`);
      host.log.view = new MemoryView(memory);
    }
  } else {
    // WASI reads and writes through the guest's memory: its own, exported, or the one both guests
    // import, handed to node:wasi as the instance's `memory` export. `initialize` then calls the
    // reactor's `_initialize`, if it has one.
    const target = shared ? { exports: { ...instance.exports, memory: shared } } : instance;
    try {
      wasi.initialize(target);
    } catch (e) {
      throw new Failure(failureKind(e), `cannot initialize the ${role}'s WASI environment (or its _initialize failed): ${describe(e)}`);
    }
  }
  return instance;
}

/** What the guests wrote so far (`Host::output`): log bytes; under WASI, stdout and stderr bytes. */
function hostOutput(host) {
  if (!host.wasi) {
    return { log_bytes: host.logging === 'on' ? host.log.length : null, stdout_bytes: null, stderr_bytes: null };
  }
  const stdout = fs.fstatSync(host.wasi.stdout).size;
  const stderr = fs.fstatSync(host.wasi.stderr).size;
  // Under WASI the consumer logs to stdout.
  return { log_bytes: host.logging === 'on' ? stdout : null, stdout_bytes: stdout, stderr_bytes: stderr };
}

/** Closes and removes what the environment made in the job's directory. */
function dropHost(host) {
  if (!host?.wasi) return;
  const { root, stdin, stdout, stderr, paths } = host.wasi;
  for (const fd of [stdin, stdout, stderr]) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
  }
  for (const p of [root, ...paths]) fs.rmSync(p, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Transports: how a message gets from one guest to the other (transport/{shared,copy}.rs)

/** The end of a guest's static data and stack: its exported i32 global `__heap_base`. */
function heapBase(instance, role) {
  const g = instance.exports.__heap_base;
  if (!(g instanceof WebAssembly.Global) || typeof g.value !== 'number') {
    throw new Failure('Error', `the ${role} exports no i32 __heap_base, so its memory layout cannot be checked`);
  }
  return g.value >>> 0;
}

/**
 * `shared`: zero copy. One host-made memory both guests import as `env.memory`, with the larger
 * of their minimums and the smaller of their declared maximums, cut to the memory cap; the
 * guests' layouts are checked not to overlap. Only (pointer, length) crosses the host.
 */
function linkShared(host, modules, cap) {
  const limits = (role) => {
    const l = importedMemoryLimits(modules[role].bytes);
    if (!l) throw new Failure('Error', `the ${role} does not import env.memory: it was not built for the shared transport`);
    return l;
  };
  const { minimum, maximum } = sharedMemoryPages(limits('producer'), limits('consumer'));
  const capped = Math.min(maximum ?? MAX_PAGES, cap);
  if (minimum > capped) {
    throw new Failure('OutOfMemory', `the shared memory needs ${minimum} pages, more than the cap of ${cap} pages allows`);
  }
  let memory;
  try {
    memory = new WebAssembly.Memory({ initial: minimum, maximum: capped });
  } catch (e) {
    throw new Failure('OutOfMemory', `cannot create the shared memory (${minimum}..${capped} pages): ${describe(e)}`);
  }
  const producer = instantiateGuest(host, modules.producer.module, 'producer', memory);
  const consumer = instantiateGuest(host, modules.consumer.module, 'consumer', memory);
  checkSharedLayout(heapBase(producer, 'producer'), heapBase(consumer, 'consumer'));
  const view = new MemoryView(memory);
  return {
    producer, consumer, memories: [memory], producerView: view, consumerView: view,
    toConsumer: null, toProducer: null, copied: () => 0,
  };
}

/**
 * `copy`: each guest has its own memory. The host copies a message out of the sender's memory
 * into a buffer the receiver allocated once (`request_buffer` / `reply_buffer`, asked again only
 * for a larger message), and counts the bytes. One copy, memory to memory (the Rust side stages
 * through a scratch buffer because of borrowing; JS needs none).
 */
function linkCopy(host, modules) {
  const producer = instantiateGuest(host, modules.producer.module, 'producer', null);
  const consumer = instantiateGuest(host, modules.consumer.module, 'consumer', null);
  const own = (instance, role) => {
    const m = instance.exports.memory;
    if (!(m instanceof WebAssembly.Memory)) throw new Failure('Error', `${role} exports no memory`);
    return new MemoryView(m);
  };
  const producerView = own(producer, 'producer');
  const consumerView = own(consumer, 'consumer');
  const requestBuffer = consumer.exports.request_buffer;
  const replyBuffer = producer.exports.reply_buffer;
  // The receivers' buffers: address and capacity.
  let requestPtr = 0, requestCap = 0, replyPtr = 0, replyCap = 0;
  let copied = 0;

  /** Copies `len` bytes at `ptr` of `source` into `target` at `to`. */
  const carry = (source, ptr, len, target, to) => {
    const from = source.get();
    if (ptr + len > from.length) throw new Failure('Error', 'guest handed over bytes outside its memory');
    const into = target.get();
    if (to + len > into.length) throw new Failure('Error', 'receiver\'s buffer lies outside its memory');
    into.set(from.subarray(ptr, ptr + len), to);
    copied += len;
  };
  return {
    producer, consumer, memories: [producerView.memory, consumerView.memory], producerView, consumerView,
    /** The request into the consumer's buffer; returns its address there. */
    toConsumer(ptr, len) {
      if (requestCap < len) {
        requestPtr = requestBuffer(len) >>> 0;
        requestCap = len;
      }
      carry(producerView, ptr, len, consumerView, requestPtr);
      return requestPtr;
    },
    /** The reply into the producer's buffer; returns its address there. */
    toProducer(ptr, len) {
      if (replyCap < len) {
        replyPtr = replyBuffer(len) >>> 0;
        replyCap = len;
      }
      carry(consumerView, ptr, len, producerView, replyPtr);
      return replyPtr;
    },
    copied: () => copied,
  };
}

// ---------------------------------------------------------------------------------------------
// The `import` call pattern: the producer's `env.deliver` (calls.rs `deliver`)

/** A throw from inside `env.deliver` as it reaches the worker through the producer's frames. */
function relayed(e) {
  if (e instanceof Failure || failureKind(e) !== 'Trap' || typeof e === 'symbol') return e;
  return new Failure('Trap', `inside env.deliver: ${describe(e)}`);
}

/**
 * The route of `call = import`: `deliver`, the producer's `env.deliver(ptr, len) -> i64` import,
 * runs the middle of a round trip as calls.rs `deliver` does and as the host's round trip does
 * between `produce` and `check_reply`: counts the request's bytes, carries it to the consumer,
 * has the consumer's `consume` answer (0n: refused, returned as is), counts the reply's bytes,
 * carries it back and returns the packed reply where the producer reads it. `deliver` exists before
 * the guests do (the producer imports it); `bind` hands it the linked guests.
 */
export function makeRoute(transport) {
  let consume = null;
  let toConsumer = null;
  let toProducer = null;
  let requestBytes = 0;
  let replyBytes = 0;
  // copy: the last packed reply handed back, kept while the reply buffer and length stay the
  // same, so most round trips make no BigInt.
  let lastAt = -1;
  let lastLen = -1;
  let lastPacked = 0n;

  const deliver = transport === 'shared'
    ? (ptr, len) => { // one memory: the consumer reads the request, the producer the reply, in place
      try {
        requestBytes += len >>> 0;
        const reply = consume(ptr, len);
        if (reply !== 0n) {
          wide[0] = reply;
          replyBytes += halves[0];
        }
        return reply;
      } catch (e) {
        throw relayed(e);
      }
    }
    : (ptr, len) => {
      try {
        len >>>= 0;
        requestBytes += len;
        const reply = consume(toConsumer(ptr >>> 0, len), len);
        if (reply === 0n) return 0n;
        wide[0] = reply;
        const replyLen = halves[0];
        replyBytes += replyLen;
        const at = toProducer(halves[1], replyLen);
        if (at !== lastAt || replyLen !== lastLen) {
          halves[1] = at;
          halves[0] = replyLen;
          lastPacked = wide[0];
          lastAt = at;
          lastLen = replyLen;
        }
        return lastPacked;
      } catch (e) {
        throw relayed(e);
      }
    };

  return {
    deliver,
    /** Hands `deliver` the linked guests: the consumer's exports and the transport's carries. */
    bind(consumerExports, link) {
      consume = consumerExports.consume;
      toConsumer = link.toConsumer;
      toProducer = link.toProducer;
    },
    /** What `deliver` carried so far. */
    traffic: () => ({ request_bytes: requestBytes, reply_bytes: replyBytes }),
  };
}

// ---------------------------------------------------------------------------------------------
// The pair: the two guests and one round trip between them (pair.rs)

const PRODUCER_EXPORTS = ['produce', 'check_reply', 'reply_buffer', 'checksum', 'bench_encode', 'error_message'];
const CONSUMER_EXPORTS = ['consume', 'request_buffer', 'ping', 'bench_decode', 'error_message'];

/** The guest's exports the harness calls, or an Error naming the missing one. */
function exportsOf(instance, role, names) {
  for (const name of names) {
    if (typeof instance.exports[name] !== 'function') {
      throw new Failure('Error', `${role} lacks an export the harness calls: ${name}`);
    }
  }
  return instance.exports;
}

/**
 * The instantiated guests, linked by `link`, as the `Guests` trait of guests.rs (calls.rs `Pair`).
 * The round trip is a closure over plain locals; the shared transport's has no transport calls at
 * all. Under `call = import` (`route` given) it is one call of the producer's `round_trip`, which
 * calls `route.deliver`.
 */
function makePair(host, link, route) {
  const p = exportsOf(link.producer, 'producer', route ? [...PRODUCER_EXPORTS, 'round_trip'] : PRODUCER_EXPORTS);
  const c = exportsOf(link.consumer, 'consumer', CONSUMER_EXPORTS);
  route?.bind(c, link);
  const { produce, check_reply: checkReply, checksum, bench_encode: benchEncode } = p;
  const { consume, ping, bench_decode: benchDecode } = c;
  const toConsumer = link.toConsumer;
  const toProducer = link.toProducer;
  let requestBytes = 0;
  let replyBytes = 0;
  // Where the request staged for the decode benchmark is, as the consumer sees it.
  let staged = null;

  const consumerSays = () => readText(link.consumerView, c.error_message());
  const producerSays = () => readText(link.producerView, p.error_message());

  /** The producer encodes record `i`; returns [ptr, len] where the consumer reads it. */
  const deliverRequest = (i) => {
    const packed = produce(i);
    if (packed === 0n) throw new Failure('Error', 'producer returned no request');
    wide[0] = packed;
    const len = halves[0];
    const ptr = toConsumer === null ? halves[1] : toConsumer(halves[1], len);
    return [ptr, len];
  };

  /** Why round trip `i` failed, from the producer's `round_trip` answer (`call = import`). */
  const refused = (i, outcome) => {
    if (outcome === 1) return new Failure('Error', `consumer refused record ${i}: ${consumerSays()}`);
    if (outcome === 2) return new Failure('Error', `producer refused the reply to record ${i}: ${producerSays()}`);
    return new Failure('Error', `the producer's round_trip answered ${outcome >>> 0} for record ${i}`);
  };
  const producerRoundTrip = p.round_trip;

  /**
   * Round trip `i` (`Guests::round_trip`): under `import` the producer's own, through `env.deliver`;
   * under `host` the host's, with the transport's calls only where it has any.
   */
  const roundTrip = route
    ? (i) => {
      const outcome = producerRoundTrip(i);
      if (outcome !== 0) throw refused(i, outcome);
    }
    : toConsumer === null
    ? (i) => {
      const request = produce(i);
      if (request === 0n) throw new Failure('Error', 'producer returned no request');
      wide[0] = request;
      const len = halves[0];
      requestBytes += len;
      const reply = consume(halves[1], len);
      if (reply === 0n) throw new Failure('Error', `consumer refused record ${i}: ${consumerSays()}`);
      wide[0] = reply;
      const replyLen = halves[0];
      replyBytes += replyLen;
      if (checkReply(halves[1], replyLen) !== 0) {
        throw new Failure('Error', `producer refused the reply to record ${i}: ${producerSays()}`);
      }
    }
    : (i) => {
      const request = produce(i);
      if (request === 0n) throw new Failure('Error', 'producer returned no request');
      wide[0] = request;
      const len = halves[0];
      const ptr = toConsumer(halves[1], len);
      requestBytes += len;
      const reply = consume(ptr, len);
      if (reply === 0n) throw new Failure('Error', `consumer refused record ${i}: ${consumerSays()}`);
      wide[0] = reply;
      const replyLen = halves[0];
      replyBytes += replyLen;
      const at = toProducer(halves[1], replyLen);
      if (checkReply(at, replyLen) !== 0) {
        throw new Failure('Error', `producer refused the reply to record ${i}: ${producerSays()}`);
      }
    };

  return {
    roundTrip,
    /** Round trips `from..from + n`. */
    roundTrips(from, n) {
      for (let i = from; i < from + n; i++) roundTrip(i);
    },
    /** `n` bare calls of the consumer's `ping`, each depending on the last: the call floor. */
    pings(n) {
      let x = 0;
      for (let k = 0; k < n; k++) x = ping(x);
      return x;
    },
    /** The producer's checksum over every round trip so far, a BigInt (i64: negative above 2^63). */
    checksum: () => checksum(),
    encodeBatch(i, n) {
      benchEncode(i, n);
    },
    /** Puts record `i`, encoded, where the consumer reads requests, as a round trip would. */
    stage(i) {
      staged = deliverRequest(i);
    },
    decodeBatch(n) {
      if (staged === null) throw new Failure('Error', 'decode benchmark without a staged request');
      if (benchDecode(staged[0], staged[1], n) !== 0) {
        throw new Failure('Error', `consumer could not decode the staged request: ${consumerSays()}`);
      }
    },
    traffic: () => ({
      ...(route ? route.traffic() : { request_bytes: requestBytes, reply_bytes: replyBytes }),
      copied_bytes: link.copied(),
    }),
    output: () => hostOutput(host),
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring (measure/clock.rs, worker.rs)

/** Nanoseconds since an arbitrary point, as a BigInt (a monotonic clock). */
const now = process.hrtime.bigint;

/** Times `f` once; returns [its result, elapsed ns as a Number]. */
function time(f) {
  const start = now();
  const out = f();
  return [out, Number(now() - start)];
}

/** This process's CPU time so far, every thread's (user and system), in ns (`cpu_time_ns`). */
function cpuTimeNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** Async `time`, for set-up steps that load a module. */
async function timeAsync(f) {
  const start = now();
  const out = await f();
  return [out, Number(now() - start)];
}

/**
 * The wall clock (`WallClock::measure`): `samples` regions; before region k, `prepare(k)` runs
 * unmeasured; region k is `op(k)`, which performs `ops` operations; one value per region, in ns
 * per operation.
 */
function measureWallClock(samples, ops, prepare, op) {
  const means = [];
  for (let k = 0; k < samples; k++) {
    prepare(k);
    const start = now();
    op(k);
    means.push(Number(now() - start) / ops);
  }
  return means;
}

/** The measured part every cell shares (`exercise_with`), filling `report` as it goes. */
function exercise(pair, m, report) {
  const [, first] = time(() => pair.roundTrip(0));
  report.first_round_trip_ns = first;
  printLine(READY_LINE);
  const nothing = () => {};

  pair.roundTrips(1, m.warmup);
  const timedFrom = 1 + m.warmup;
  report.round_trip = measureWallClock(m.samples, m.batch, nothing, (k) => pair.roundTrips(timedFrom + k * m.batch, m.batch));
  let sink = 0;
  report.call_floor = measureWallClock(m.samples, m.floor_batch, nothing, () => { sink ^= pair.pings(m.floor_batch); });
  globalThis.__wasmatrixSink = sink; // keeps the pings' result alive (black_box)

  const roundTrips = 1 + m.warmup + m.samples * m.batch;
  const traffic = pair.traffic();
  report.request_bytes_mean = traffic.request_bytes / roundTrips;
  report.reply_bytes_mean = traffic.reply_bytes / roundTrips;
  report.copied_bytes_per_round_trip = traffic.copied_bytes / roundTrips;
  report.checksum = pair.checksum();
  Object.assign(report, pair.output());

  // The codec alone, inside the guests: sample k encodes, then decodes, record k; staging the
  // request to decode is not measured.
  report.encode = measureWallClock(m.samples, m.codec_batch, nothing, (k) => pair.encodeBatch(k, m.codec_batch));
  report.decode = measureWallClock(m.samples, m.codec_batch, (k) => pair.stage(k), () => pair.decodeBatch(m.codec_batch));
}

// ---------------------------------------------------------------------------------------------
// Set-up and the worker's life (serve)

/** The failure kind of something a guest or the host threw. */
function failureKind(e) {
  if (e instanceof Failure) return e.kind;
  if (e instanceof WebAssembly.RuntimeError) return 'Trap';
  // V8 reports a wasm stack overflow as a RangeError; Wasmer calls it a trap.
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'Trap';
  if (typeof e === 'symbol' && e.description === 'kExitCode') return 'Trap'; // WASI proc_exit
  return 'Error';
}

/** A thrown value as a message. */
function describe(e) {
  if (typeof e === 'symbol' && e.description === 'kExitCode') return 'the guest called WASI proc_exit';
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Restricts the worker (all its threads) to one CPU: Node has no sched_setaffinity, taskset does it. */
function pin(cpu) {
  if (cpu === null) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const why = e.stderr?.toString().trim() || e.message;
    throw new Failure('Error', `cannot pin the worker to CPU ${cpu}: ${why}`);
  }
}

/**
 * Caps every wasm memory's maximum at the cap (`--wasm-max-mem-pages`, which V8 reads whenever a
 * memory is made or grown, so setting it here works): a guest's own memory too, which the host does
 * not make. Node cannot set its own RLIMIT_DATA; the runner may start it under one (prlimit --data).
 */
function capMemory(mib) {
  v8.setFlagsFromString(`--wasm-max-mem-pages=${capPages(mib)}`);
}

/**
 * A failure after a guest memory came near the cap is blamed on the cap (`blame_the_cap`): V8 does
 * not tell the host that a guest's `memory.grow` failed, so this is judged from the memories'
 * sizes afterwards: a failed growth (a guest's allocator then traps) leaves a memory over half
 * the cap when it was asked to double, as Rust's collections do.
 */
function blameTheCap(failure, memories, cap, mib) {
  if (failure.kind === 'OutOfMemory' || cap >= MAX_PAGES) return failure;
  const near = memories.some((m) => m.buffer.byteLength / 65536 > cap / 2);
  if (!near) return failure;
  return new Failure('OutOfMemory', `a guest memory could not grow within the cap of ${mib} MiB, then: ${failure.message}`);
}

/** Reads and compiles one guest: `{ bytes, module }`. */
function compileGuest(file, role, repeat) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Failure('Error', `cannot read guest ${file}: ${e.message}`);
  }
  if (repeat !== undefined) bytes = withRepeatSection(bytes, repeat);
  try {
    return { bytes, module: new WebAssembly.Module(bytes) };
  } catch (e) {
    throw new Failure('Error', `cannot compile the ${role} ${file}: ${describe(e)}`);
  }
}

/**
 * `bytes` with a custom section (id 0) named `wasmatrix-repeat` holding `n` appended: the same
 * code, which V8 compiles again, where the same bytes would come back from its in-process cache of
 * compiled modules (keyed by the bytes) at a fraction of a compile.
 */
export function withRepeatSection(bytes, n) {
  const leb = (v) => {
    const out = [];
    do {
      out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>>= 7;
    } while (v > 0);
    return Buffer.from(out);
  };
  const name = Buffer.from('wasmatrix-repeat');
  const body = Buffer.concat([leb(name.length), name, Buffer.from(String(n))]);
  return Buffer.concat([bytes, Buffer.from([0]), leb(body.length), body]);
}

/**
 * Compiles both guests, makes their environment and instantiates them, timing each phase.
 * `repeat` (the repeated set-up's count) makes each guest's bytes differ by a custom section.
 */
async function setUp(job, report, state, repeat) {
  const { cell, guests } = job;
  if (guests === null) throw new Failure('Error', 'no guest .wasm files were given for a wasm cell');
  const [modules, compileNs] = time(() => ({
    producer: compileGuest(guests.producer, 'producer', repeat),
    consumer: compileGuest(guests.consumer, 'consumer', repeat),
  }));
  report.compile_ns = compileNs;
  checkCallPattern(modules.producer.module, cell.call); // not timed: a look at the producer's imports
  const [host, environmentNs] = await timeAsync(() => createHost(cell, job.artifacts));
  state.host = host;
  report.environment_ns = environmentNs;
  const cap = capPages(job.measure.memory_limit_mib);
  const [pair, instantiateNs] = time(() => {
    const route = cell.call === 'import' ? makeRoute(cell.transport) : null;
    host.deliver = route?.deliver ?? null;
    const link = cell.transport === 'shared' ? linkShared(host, modules, cap) : linkCopy(host, modules);
    state.memories = link.memories;
    return makePair(host, link, route);
  });
  report.instantiate_ns = instantiateNs;
  return pair;
}

/** What the job asks, or the failure saying why V8 does not do it. */
async function work(job, report, state) {
  const { cell } = job;
  const refused = refusal(cell);
  if (refused !== null) throw new Failure('Error', refused);
  if (job.phase === 'Precompile') throw new Failure('Error', ARTIFACT_UNSUPPORTED);
  const missing = missingFlags(cell.compiler, process.execArgv);
  if (missing.length > 0) {
    throw new Failure('Error', `the V8 worker for compiler ${cell.compiler} must be started as \`node ` +
      `${V8_FLAGS[cell.compiler].join(' ')} worker.mjs\`; missing: ${missing.join(' ')}`);
  }
  if (job.mechanism !== 'wall_clock') {
    throw new Failure('Error', `the V8 worker measures only wall_clock, not ${job.mechanism}: callgrind cannot be ` +
      'started and stopped around a region from JavaScript, and V8\'s JIT threads and GC would be counted');
  }
  const cpu = cpuTimeNs();
  const pair = await setUp(job, report, state);
  report.setup_cpu_ns = cpuTimeNs() - cpu;
  exercise(pair, job.measure, report);
  [report.setup_warm, report.setup_warm_cpu] = await setUpAgain(job, report);
}

/**
 * The repeated set-up (wasmatrix-core's `measure::setup`, the same rule): the whole set-up again in
 * this process after the round trips, as many times as fit in `setup_budget_ms` at the first one's
 * speed, at most `setup_repeats` (none if the first took longer than the budget); each timed, then its
 * host dropped. ns per set-up, on the wall clock and in the process's CPU time: [wall, cpu].
 */
async function setUpAgain(job, first) {
  const m = job.measure;
  const firstNs = (first.compile_ns ?? 0) + (first.environment_ns ?? 0) + (first.instantiate_ns ?? 0);
  const fit = Math.floor((m.setup_budget_ms * 1e6) / Math.max(firstNs, 1));
  const n = Math.min(fit, m.setup_repeats);
  const [wall, cpu] = [[], []];
  for (let i = 0; i < n; i++) {
    const state = { host: null, memories: [] };
    const cpuBefore = cpuTimeNs();
    const [, ns] = await timeAsync(() => setUp(job, emptyReport(), state, i + 1));
    cpu.push(cpuTimeNs() - cpuBefore);
    dropHost(state.host);
    wall.push(ns);
  }
  return [wall, cpu];
}

/** How often the scheduler moved this process's main thread to another CPU (`cpu_migrations`). */
function cpuMigrations() {
  try {
    const line = fs.readFileSync('/proc/self/sched', 'utf8').split('\n').find((l) => l.startsWith('se.nr_migrations'));
    const n = line === undefined ? NaN : Number(line.split(':')[1].trim());
    return Number.isSafeInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** The worker's whole life (`serve`): pin, cap, work, then the report, whatever happened. */
async function serve(job) {
  const report = emptyReport();
  const state = { host: null, memories: [] };
  const cap = capPages(job.measure.memory_limit_mib);
  try {
    pin(job.pin);
    capMemory(job.measure.memory_limit_mib);
    await work(job, report, state);
  } catch (e) {
    let failure = e instanceof Failure ? e : new Failure(failureKind(e), describe(e));
    failure = blameTheCap(failure, state.memories, cap, job.measure.memory_limit_mib);
    report.failure = [failure.kind, failure.message];
  }
  try {
    dropHost(state.host);
  } catch { /* the job's directory is the runner's to clean */ }
  report.runtime_version = `v8 ${process.versions.v8} (node ${process.version})`;
  report.peak_rss_kib = process.resourceUsage().maxRSS;
  report.cpu_migrations = cpuMigrations();
  printLine(REPORT_PREFIX + reportJson(report));
}

/** `worker JOB`; a job that cannot be read gets a message on stderr and exit status 2, as the Rust workers do. */
async function main(argv) {
  const [command, text] = argv;
  if (command !== 'worker' || text === undefined || argv.length !== 2) {
    process.stderr.write('usage: node [v8 flags] runner/v8/worker.mjs worker JOB (started by `runner run`)\n');
    return 2;
  }
  let job;
  try {
    job = parseJob(text);
  } catch (e) {
    process.stderr.write(`error: bad worker job: ${e.message}\n`);
    return 2;
  }
  await serve(job);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(await main(process.argv.slice(2)));
}
