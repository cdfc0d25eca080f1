// The job the runner sends (`Job` in runner/core/src/worker.rs), read as serde reads it, and which
// cells V8 runs: `refusal` says why not, and `V8_FLAGS` the V8 flags each compiler needs on the
// command line (the runner passes them; the worker checks that they were given).

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
  // Absent in jobs of before the axis (serde's default, "2": a pair).
  if (cell.modules !== undefined && typeof cell.modules !== 'string') {
    throw new Error(`job.cell.modules is not a value's name: ${cell.modules}`);
  }
  return cell;
}

/** Whether `cell` is a chain of more than two modules (the `modules` axis; absent: a pair). */
export function isChain(cell) {
  return cell.modules !== undefined && cell.modules !== '2';
}

/** Why the artifact engine (and the Precompile phase) cannot run in Chromium's page. */
export const CHROMIUM_ARTIFACT_UNSUPPORTED =
  'the artifact engine does not run in Chromium: a page has no way to load compiled code it was given (WebAssembly ' +
  'has no deserialize, structuredClone shares a module only inside one agent cluster); Chromium\'s own wasm code ' +
  'cache, filled from compileStreaming responses of repeatedly compiled modules, is not the page\'s to control';

/** Why a page runs only the bare environment. */
export const CHROMIUM_ENVIRONMENT =
  'the page runs only the bare environment: WASI and Emscripten\'s output need a WASI preview 1 host, which a ' +
  'browser does not have (Node\'s node:wasi is Node\'s), and no browser WASI shim is measured here';

/** Why Node 20's V8 has no `merged` cells (runner/core/src/cell/reasons.rs MERGED_V8, word for word). */
export const MERGED_V8 = 'Node.js 20\'s V8 11.3 has no multi-memory: it refuses the merged module ("memory count of 2 ' +
  'exceeds internal limit of 1"), and no flag enables it there; Chromium 156\'s V8 runs it (runtime chromium), ' +
  'as does Node.js 24\'s V8 13.6 (release node-24)';

/** Why `merged` runs only under `bare` (reasons.rs MERGED_ENVIRONMENT). */
export const MERGED_ENVIRONMENT = 'WASI preview 1 reaches a module\'s memory through its export named `memory`, which ' +
  'in the merged module is the producer\'s: the consumer\'s WASI calls would read and write the producer\'s memory. ' +
  'Emscripten\'s output is WASI too';

/** Why `merged` runs without logging (reasons.rs MERGED_LOGGING). */
export const MERGED_LOGGING = 'the consumer\'s log sink (env.wasmatrix_log) is a host function that reads the calling ' +
  'module\'s memory export `memory`, which in the merged module is the producer\'s: logging = on is measured on ' +
  'transports copy and shared';

/** Why a chain does not run on bindgen (reasons.rs CHAIN_TRANSPORT, word for word). */
export const CHAIN_TRANSPORT = 'a chain of more than two modules is built for the core-module transports copy and ' +
  'shared (the relays are core modules the host links in turn), for merged (the relays merged with both guests into ' +
  'one module, a memory each) and for the components of component and composed (the relays are components linked ' +
  'through the host or composed with wac); chains of wasm-bindgen modules are not built yet (issue 31)';

/** Why a chain runs only under `bare` (reasons.rs CHAIN_ENVIRONMENT). */
export const CHAIN_ENVIRONMENT = 'a chain of more than two modules runs in the bare environment only: the relays ' +
  'import nothing, and the WASI and Emscripten environments would need a WASI context per relay';

/** Why a chain runs without logging (reasons.rs CHAIN_LOGGING). */
export const CHAIN_LOGGING = 'a chain of more than two modules runs with logging off only: the relays write no log ' +
  'line, and the consumer\'s sink is the same at every length';

/** Why a chain is instantiated fresh only (reasons.rs CHAIN_INSTANTIATE). */
export const CHAIN_INSTANTIATE = 'a chain of more than two modules is instantiated fresh only: the pre-linked and ' +
  'pooled pairs of Wasmtime hold two guests (issue 31 continues)';

/** Why a chain cell does not run, or null if it does or is a pair (as `Cell::unsupported_chain`, in its order). */
function chainRefusal(cell) {
  if (!isChain(cell)) return null;
  if (!['copy', 'shared', 'merged'].includes(cell.transport)) return CHAIN_TRANSPORT;
  if (cell.environment !== 'bare') return CHAIN_ENVIRONMENT;
  if (cell.logging === 'on') return CHAIN_LOGGING;
  return cell.instantiate !== undefined && cell.instantiate !== 'fresh' ? CHAIN_INSTANTIATE : null;
}

/** Why a `merged` cell does not run under `runtime`, or null if it does (as `Cell::unsupported_merged`). */
function mergedRefusal(cell, runtime) {
  // Node.js 20's V8 has no multi-memory; Node.js 24's (release node-24) has.
  if (runtime !== 'chromium' && (cell.release ?? 'default') === 'default') return MERGED_V8;
  if (cell.environment !== 'bare') return MERGED_ENVIRONMENT;
  return cell.logging === 'on' ? MERGED_LOGGING : null;
}

/**
 * Why the V8 host does not run `cell`, or null if it does: what V8 and these modules implement,
 * read from the fields they use (the axes they do not read, such as the codec's bytes, the profile
 * or the allocator, are in the guest files they are given). `runtime`: the host asking, `v8` (the
 * Node.js worker) or `chromium` (the page).
 */
export function refusal(cell, runtime = 'v8') {
  const host = runtime === 'chromium' ? 'the Chromium page' : 'the V8 worker';
  if (cell.runtime !== runtime) return `${host} runs runtime ${runtime} cells, not ${cell.runtime}`;
  if (!Object.hasOwn(V8_FLAGS, cell.compiler)) return `V8's compilers are liftoff and turbofan, not ${cell.compiler}`;
  if (cell.engine === 'artifact') return runtime === 'chromium' ? CHROMIUM_ARTIFACT_UNSUPPORTED : ARTIFACT_UNSUPPORTED;
  if (cell.engine !== 'jit') return `the ${cell.engine} engine does not run under V8`;
  if (cell.transport === 'component' || cell.transport === 'composed' || cell.codec === 'wit') {
    return 'V8 implements no Component Model: the component cells run under Wasmtime (Cell::unsupported)';
  }
  if (!['copy', 'shared', 'bindgen', 'merged'].includes(cell.transport)) {
    return `${host}'s transports are copy, shared, bindgen and merged, not ${cell.transport}`;
  }
  // As `Cell::unsupported`: the merged module's reasons, then the chain's, before the rest.
  const merged = cell.transport === 'merged' ? mergedRefusal(cell, runtime) : null;
  if (merged !== null) return merged;
  const chain = chainRefusal(cell);
  if (chain !== null) return chain;
  if (cell.environment === 'emscripten-legacy') return 'emscripten-legacy cells do not run (see Cell::unsupported)';
  if (runtime === 'chromium' && cell.environment !== 'bare') return CHROMIUM_ENVIRONMENT;
  if (!['bare', 'wasi', 'emscripten'].includes(cell.environment)) {
    return `${host}'s environments are bare, wasi and emscripten, not ${cell.environment}`;
  }
  if (cell.logging !== 'off' && cell.logging !== 'on') return `${host} logs on or off, not ${cell.logging}`;
  if (cell.call !== 'host' && cell.call !== 'import') {
    return `${host}'s call patterns are host and import, not ${cell.call}`;
  }
  if (cell.instantiate !== undefined && cell.instantiate !== 'fresh') {
    return 'V8 offers neither a pre-linked instance nor an instance pool (Cell::unsupported): ' +
      `only instantiate = fresh runs, not ${cell.instantiate}`;
  }
  return null;
}

/** The `[measure]` settings with serde's defaults (runner/core/src/measure/mod.rs). */
function parseMeasure(m) {
  if (m === null || typeof m !== 'object') throw new Error('job.measure is not an object');
  const defaults = { processes: 1, floor_batch: 1000, codec_batch: 100, noisy_ci_pct: 5.0, memory_limit_mib: 4096,
    min_processes: 5, target_ci_pct: 2.0, setup_repeats: 20, setup_budget_ms: 50, instantiations: 20,
    instantiate_batch: 5, instantiate_threads: 2 };
  const measure = { ...defaults, ...m };
  for (const key of ['processes', 'warmup', 'samples', 'batch', 'floor_batch', 'codec_batch', 'timeout_s',
    'memory_limit_mib', 'min_processes', 'setup_repeats', 'setup_budget_ms', 'instantiations', 'instantiate_batch',
    'instantiate_threads']) {
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
  if (job.guests?.merged != null && typeof job.guests.merged !== 'string') throw new Error('job.guests.merged is not a path');
  // A chain's relays, in order from the producer's side (serde's default: none, a pair).
  if (job.guests !== null) {
    const relays = job.guests.relays ?? [];
    if (!Array.isArray(relays) || relays.some((r) => typeof r !== 'string')) {
      throw new Error('job.guests.relays is not an array of paths');
    }
    job.guests.relays = relays;
  }
  if (typeof job.artifacts !== 'string') throw new Error('job.artifacts is not a path');
  if (job.phase !== 'Measure' && job.phase !== 'Precompile') throw new Error(`unknown phase \`${job.phase}\``);
  if (job.mechanism !== 'wall_clock' && job.mechanism !== 'instructions') {
    throw new Error(`unknown mechanism \`${job.mechanism}\``);
  }
  if (job.pin !== null && !Number.isSafeInteger(job.pin)) throw new Error(`job.pin is not a CPU index: ${job.pin}`);
  return job;
}
