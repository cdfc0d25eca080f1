// Instantiation as a distribution (wasmatrix-core's measure/instantiations.rs, the same rule): after
// the cell's other measurements, pairs made from the modules this process compiled (each pair: its
// environment and both instances) and dropped, each timed, after one unrecorded batch; the resident
// set after every batch. Then pairs made and dropped per second by this one thread (a second would
// be a worker_threads Worker, an isolate of its own: no parallel rate yet). Dropping a pair is
// closing its environment; the instances and memories go when V8's collector takes them, which
// no figure here times.

import { dropHost } from './environment.mjs';
import { environmentOf, instantiate } from './measure.mjs';
import { now, rssKib } from './platform.mjs';

/** The warm-up batch's size and the recorded batches' sizes, as core's `batches`; null for none. */
export function batches(m) {
  const total = m.instantiations;
  const batch = Math.max(m.instantiate_batch, 1);
  if (total === 0) return null;
  const sizes = Array(Math.floor(total / batch)).fill(batch);
  if (total % batch > 0) sizes.push(total % batch);
  return [Math.min(batch, total), sizes];
}

/** One pair made from `modules` and dropped; [ns to make it, ns to drop it]. */
async function pairOnce(job, modules) {
  const start = now();
  const host = await environmentOf(job);
  instantiate(job, host, modules, { memories: [] });
  const made = now();
  dropHost(host);
  return [Number(made - start), Number(now() - made)];
}

/** Fills `report`'s instantiate_pair, teardown, instantiate_rss_kib and instantiate_serial_ns. */
export async function measureInstantiations(job, modules, report) {
  const planned = batches(job.measure);
  if (planned === null) return;
  const [warmup, sizes] = planned;
  for (let i = 0; i < warmup; i++) await pairOnce(job, modules);
  const rss = () => {
    const kib = rssKib();
    if (kib !== null) report.instantiate_rss_kib.push(kib); // none where the platform cannot say (a page)
  };
  rss();
  for (const size of sizes) {
    for (let i = 0; i < size; i++) {
      const [make, drop] = await pairOnce(job, modules);
      report.instantiate_pair.push(make);
      report.teardown.push(drop);
    }
    rss();
  }
  const start = now();
  for (let i = 0; i < job.measure.instantiations; i++) await pairOnce(job, modules);
  report.instantiate_serial_ns = Number(now() - start) / job.measure.instantiations;
}
