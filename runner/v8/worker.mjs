// `node <v8 flags> runner/v8/worker.mjs worker JOB`: one V8 cell in its own process, speaking the
// worker protocol of runner/core/src/worker.rs (a `Job` as JSON in, the ready line and one report
// line out). It does what the Rust workers do, step for step, so its rows compare with theirs:
// set-up (compile, environment, instantiate), then `exercise` (first round trip, warm-up, batched
// round trips, the call floor, traffic, checksum, output, encode and decode). A round trip is the
// host's calls of the guests (`call = host`), or one call of the producer's `round_trip`, which
// reaches the consumer through the worker's `env.deliver` import (`call = import`, `makeRoute`;
// runner/core/src/calls.rs).
//
// This file is the worker's life (`serve`): pin, cap, work, then the report, whatever happened.
// The rest mirrors the Rust workers' modules: the job and which cells V8 runs in job.mjs, the
// report in report.mjs, the guests' files in guests.mjs, their imports in environment.mjs, the
// transports in transport.mjs, the call pattern in calls.mjs, the round trip in pair.mjs (a
// chain of more than two modules, its relays between the guests, in chain.mjs), timing
// in measure.mjs, the cell's measured sequence in cell.mjs and guest memory in memory.mjs. What
// those take from Node.js (the clock, CPU time, resident set, a file's bytes, a line out) is in
// platform.mjs alone, and Node's WASI in wasi.mjs, so that a host other than Node.js can run the
// same files. The compiler is chosen by the runner with V8 flags on the command line (`V8_FLAGS`,
// job.mjs); this worker checks that they were given and only compiles. The guests' ABI mirrors
// runner/core/src/abi.rs and the Wasmer worker
// (runner/wasmer/src/{pair,environment}.rs and transport/{copy,shared}.rs).
//
// Plain ES modules, no dependencies: Node.js 20 or later.

import path from 'node:path';
import process from 'node:process';
import v8 from 'node:v8';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ARTIFACT_UNSUPPORTED, V8_FLAGS, missingFlags, parseJob, refusal } from './job.mjs';
import { REPORT_PREFIX, Failure, emptyReport, reportJson } from './report.mjs';
import { capPages } from './memory.mjs';
import { runCell } from './cell.mjs';
import { peakRssKib, printLine, procNumber } from './platform.mjs';

/** Restricts the worker (all its threads) to one CPU: Node has no sched_setaffinity, taskset does it. */
export function pin(cpu) {
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

/** Throws the failure saying why V8 in Node.js does not do what the job asks, if it does not. */
function checkJob(job) {
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
}

/** How often the scheduler moved this process's main thread to another CPU (`cpu_migrations`). */
const cpuMigrations = () => procNumber('self', 'sched', 'se.nr_migrations');

/**
 * The worker's whole life (`serve`): pin, cap, work, then the report, whatever happened. `mainAt`:
 * the monotonic clock (`process.hrtime`, CLOCK_MONOTONIC as the runner's) when `main` began, from
 * which the report gives `main_at_ns` and `worker_start_ns`; V8 has no engine to create
 * (`engine_ns` stays empty: Node made its isolate before `main`).
 */
async function serve(job, mainAt = null) {
  const report = emptyReport();
  await runCell(job, report, async () => {
    pin(job.pin);
    capMemory(job.measure.memory_limit_mib);
    if (mainAt !== null) {
      report.main_at_ns = Number(mainAt);
      report.worker_start_ns = Number(process.hrtime.bigint() - mainAt);
    }
    checkJob(job);
  });
  report.runtime_version = `v8 ${process.versions.v8} (node ${process.version})`;
  report.peak_rss_kib = peakRssKib();
  report.cpu_migrations = cpuMigrations();
  printLine(REPORT_PREFIX + reportJson(report));
}

/**
 * The job of `worker JOB` (`argv`), and its text; null, with `usage` or the reason on stderr,
 * where there is none or it cannot be read (the worker then exits 2, as the Rust workers do).
 */
export function jobOfArgs(argv, usage) {
  const [command, text] = argv;
  if (command !== 'worker' || text === undefined || argv.length !== 2) {
    process.stderr.write(`usage: ${usage} (started by \`runner run\`)\n`);
    return null;
  }
  try {
    return { job: parseJob(text), text };
  } catch (e) {
    process.stderr.write(`error: bad worker job: ${e.message}\n`);
    return null;
  }
}

/** `worker JOB`. */
async function main(argv) {
  const mainAt = process.hrtime.bigint();
  const given = jobOfArgs(argv, 'node [v8 flags] runner/v8/worker.mjs worker JOB');
  if (given === null) return 2;
  await serve(given.job, mainAt);
  return 0;
}

/**
 * Exits with `code` after one idle turn of the event loop (10 ms). Node.js 24's `process.exit()`
 * joins V8's worker threads while a concurrent Maglev or Sparkplug job (compiling this harness's
 * JavaScript) may be waiting for a garbage collection that only the main thread can do: the
 * process then hangs at exit, its report already written (nodejs/node#54918, open; seen here in
 * the release node-24 every few dozen processes). Idle, the main thread serves that collection
 * and the job ends. Nothing measured waits on this: the report is out.
 */
async function exitWhenIdle(code) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.exit(code);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await exitWhenIdle(await main(process.argv.slice(2)));
}
