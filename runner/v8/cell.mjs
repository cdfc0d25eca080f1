// One V8 cell measured, start to end, as core's `runtime::run` and `exercise` order it: the fresh
// set-up (its CPU time too), the guests' memory sizes, the measured round trips, call floor and
// codec, the repeated set-up, then instantiation as a distribution. The worker (worker.mjs) runs
// it once it has accepted the job; a host other than Node.js runs the same sequence (platform.mjs).

import { exercise, memoryPages, setUp, setUpAgain } from './measure.mjs';
import { measureInstantiations } from './instantiations.mjs';
import { cpuTimeNs } from './platform.mjs';

/** Measures `job`'s cell into `report`; `state` keeps what a failure report and the clean-up need. */
export async function measureCell(job, report, state) {
  const cpu = cpuTimeNs();
  const pair = await setUp(job, report, state);
  report.setup_cpu_ns = cpuTimeNs() - cpu;
  [report.producer_memory_pages, report.consumer_memory_pages] = memoryPages(state.memories);
  exercise(pair, job.measure, report);
  [report.setup_warm, report.setup_warm_cpu] = await setUpAgain(job, report);
  await measureInstantiations(job, state.modules, report);
}
