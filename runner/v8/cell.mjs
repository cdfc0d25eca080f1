// One V8 cell measured, start to end, as core's `runtime::run` and `exercise` order it: the fresh
// set-up (its CPU time too), the guests' memory sizes, the measured round trips, call floor and
// codec, the repeated set-up, then instantiation as a distribution (`measureCell`); and the cell's
// life around it (`runCell`): whatever it throws becomes the report's failure, blamed on the memory
// cap where the memories say so, and the environment is dropped. The Node.js worker (worker.mjs)
// and the browser page (runner/chromium/page.mjs) run the same sequence, each with its platform.

import { cpuSince, exercise, memoryPages, setUp, setUpAgain } from './measure.mjs';
import { measureInstantiations } from './instantiations.mjs';
import { cpuTimeNs } from './platform.mjs';
import { Failure, describe, failureKind } from './report.mjs';
import { MAX_PAGES, capPages } from './memory.mjs';
import { dropHost } from './environment.mjs';

/** Measures `job`'s cell into `report`; `state` keeps what a failure report and the clean-up need. */
export async function measureCell(job, report, state) {
  const cpu = cpuTimeNs();
  const pair = await setUp(job, report, state);
  report.setup_cpu_ns = cpuSince(cpu);
  [report.producer_memory_pages, report.consumer_memory_pages] = memoryPages(state.memories);
  exercise(pair, job.measure, report);
  [report.setup_warm, report.setup_warm_cpu] = await setUpAgain(job, report);
  await measureInstantiations(job, state.modules, report);
}

/**
 * A failure after a guest memory came near the cap is blamed on the cap (`blame_the_cap`): V8 does
 * not tell the host that a guest's `memory.grow` failed, so this is judged from the memories'
 * sizes afterwards: a failed growth (a guest's allocator then traps) leaves a memory over half
 * the cap when it was asked to double, as Rust's collections do.
 */
export function blameTheCap(failure, memories, mib) {
  const cap = capPages(mib);
  if (failure.kind === 'OutOfMemory' || cap >= MAX_PAGES) return failure;
  const near = memories.some((m) => m.buffer.byteLength / 65536 > cap / 2);
  if (!near) return failure;
  return new Failure('OutOfMemory', `a guest memory could not grow within the cap of ${mib} MiB, then: ${failure.message}`);
}

/**
 * The cell's life in its host: `before` (what the host checks and sets up first: pinning, the cap,
 * the compiler's flags), then `measureCell`; whatever either throws becomes `report.failure`, and
 * the guests' environment is dropped whatever happened. Never throws.
 */
export async function runCell(job, report, before) {
  const state = { host: null, memories: [] };
  try {
    await before();
    await measureCell(job, report, state);
  } catch (e) {
    let failure = e instanceof Failure ? e : new Failure(failureKind(e), describe(e));
    failure = blameTheCap(failure, state.memories, job.measure.memory_limit_mib);
    report.failure = [failure.kind, failure.message];
  }
  try {
    dropHost(state.host);
  } catch { /* the job's directory is the runner's to clean */ }
}
