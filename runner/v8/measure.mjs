// Measuring (runner/core/src/measure/{clock,setup}.rs, worker.rs `exercise`): the set-up timed
// phase by phase, the measured round trips, call floor and codec, and the repeated set-up.

import { READY_LINE, Failure, emptyReport } from './report.mjs';
import { clockResolutionNs, cpuTimeNs, now, peakRssKib, printLine } from './platform.mjs';
import { capPages } from './memory.mjs';
import { compileGuest } from './guests.mjs';
import { createHost, dropHost } from './environment.mjs';
import { linkCopy, linkShared } from './transport.mjs';
import { linkBindgen, loadGlue, makeBindgenPair } from './bindgen.mjs';
import { compileMerged, linkMerged } from './merged.mjs';
import { checkCallPattern, makeRoute } from './calls.mjs';
import { makePair } from './pair.mjs';
import { compileRelays, linkChain, makeChainPair, makeChainRoute } from './chain.mjs';
import { isChain } from './job.mjs';

/** The CPU time (`cpuTimeNs`) since `before`, its reading; null where the platform has no CPU clock (a page). */
export function cpuSince(before) {
  const after = cpuTimeNs();
  return before === null || after === null ? null : after - before;
}

/** Times `f` once; returns [its result, elapsed ns as a Number]. */
function time(f) {
  const start = now();
  const out = f();
  return [out, Number(now() - start)];
}

/** Async `time`, for set-up steps that load a module. */
async function timeAsync(f) {
  const start = now();
  const out = await f();
  return [out, Number(now() - start)];
}

/**
 * The shortest timed region: the clock's resolution is at most 1% of it. Node's clock counts
 * nanoseconds; a page's `performance.now()` steps by 5 µs when cross-origin isolated (platform.mjs).
 */
const leastRegionNs = () => 100 * clockResolutionNs();

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

/**
 * `measureWallClock` without `prepare`, for work whose every operation counts (the round trips: the
 * checksum covers them all): `samples` batches `op(k)` of `ops` operations each, as the job asks,
 * timed in regions of consecutive batches that each last at least `leastRegionNs` (a short last
 * region joins the one before). On a fine clock every region is one batch, as in the Rust workers;
 * on a page's, a region is as many batches as its 5 µs steps need. ns per operation per region.
 */
function measureGrouped(samples, ops, op) {
  const least = leastRegionNs();
  const regions = [];
  let [start, count] = [now(), 0];
  for (let k = 0; k < samples; k++) {
    op(k);
    count += ops;
    const ns = Number(now() - start);
    if (ns >= least) {
      regions.push([ns, count]);
      [start, count] = [now(), 0];
    }
  }
  if (count > 0) {
    const [ns, n] = regions.pop() ?? [0, 0];
    regions.push([ns + Number(now() - start), n + count]);
  }
  return regions.map(([ns, n]) => ns / n);
}

/**
 * How many times `ops` operations one region of work whose count does not matter (pings, encodes,
 * decodes) needs, so that it lasts at least `leastRegionNs`: 1 on a nanosecond clock (no probe, as
 * in the Rust workers); else found by doubling `run(n)` once the path is warm, untimed.
 */
function regionScale(ops, run) {
  const least = leastRegionNs();
  if (least <= 100) return 1;
  // Warm the path first, for 10 regions' time: its first calls run in V8's interpreter, many
  // times slower than once optimised, and would size the regions too small.
  const warmUntil = now() + BigInt(10 * least);
  while (now() < warmUntil) run(ops);
  let scale = 1;
  for (;;) {
    const start = now();
    run(ops * scale);
    if (Number(now() - start) >= least || scale >= 1 << 20) return scale;
    scale *= 2;
  }
}

/** The measured part every cell shares (`exercise_with`), filling `report` as it goes. */
export function exercise(pair, m, report) {
  const [, first] = time(() => pair.roundTrip(0));
  report.first_round_trip_ns = first;
  printLine(READY_LINE);
  // After the ready line, so that reading /proc is no part of the cold start.
  report.rss_after_setup_kib = peakRssKib();
  const nothing = () => {};

  pair.roundTrips(1, m.warmup);
  const timedFrom = 1 + m.warmup;
  report.round_trip = measureGrouped(m.samples, m.batch, (k) => pair.roundTrips(timedFrom + k * m.batch, m.batch));
  let sink = 0;
  const floorOps = m.floor_batch * regionScale(m.floor_batch, (n) => { sink ^= pair.pings(n); });
  report.call_floor = measureWallClock(m.samples, floorOps, nothing, () => { sink ^= pair.pings(floorOps); });
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
  const encodeOps = m.codec_batch * regionScale(m.codec_batch, (n) => pair.encodeBatch(0, n));
  report.encode = measureWallClock(m.samples, encodeOps, nothing, (k) => pair.encodeBatch(k, encodeOps));
  const decodeOps = m.codec_batch * regionScale(m.codec_batch, (n) => { pair.stage(0); pair.decodeBatch(n); });
  report.decode = measureWallClock(m.samples, decodeOps, (k) => pair.stage(k), () => pair.decodeBatch(decodeOps));
}

/**
 * Compiles the guests (a chain's relays too, each distinct module once), makes their environment
 * and instantiates them, timing each phase. `repeat` (the repeated set-up's count) makes each
 * guest's bytes differ by a custom section.
 */
export async function setUp(job, report, state, repeat) {
  const { cell, guests } = job;
  if (guests === null) throw new Failure('Error', 'no guest .wasm files were given for a wasm cell');
  // Transport `merged`: the one module that holds both guests (merged.mjs).
  const merged = cell.transport === 'merged';
  const [modules, compileNs] = time(() => (merged ? compileMerged(guests, repeat) : {
    producer: compileGuest(guests.producer, 'producer', repeat),
    consumer: compileGuest(guests.consumer, 'consumer', repeat),
    ...(isChain(cell) ? compileRelays(cell, guests, repeat) : {}),
  }));
  report.compile_ns = compileNs;
  // Not timed: a look at the producer's imports (the merged module has none: its round_trip says).
  if (!merged) checkCallPattern(modules.producer.module, cell.call);
  const [host, environmentNs] = await timeAsync(() => environmentOf(job));
  state.host = host;
  report.environment_ns = environmentNs;
  const [pair, instantiateNs] = time(() => instantiate(job, host, modules, state));
  report.instantiate_ns = instantiateNs;
  state.modules = modules;
  return pair;
}

/**
 * The pair's environment (`Host::new`, environment.mjs), and under transport `bindgen` a fresh
 * copy of the guests' wasm-bindgen glue (bindgen.mjs): what a pair needs before its instances.
 */
export async function environmentOf(job) {
  const host = await createHost(job.cell, job.artifacts);
  if (job.cell.transport === 'bindgen') host.glue = await loadGlue(job.guests);
  return host;
}

/**
 * Instantiates both guests from `modules` in `host`, linked as the cell's transport says (under
 * `merged`, the one module that holds both; in a chain, the relays between them, chain.mjs); their
 * memories in `state`.
 */
export function instantiate(job, host, modules, state) {
  const { cell } = job;
  if (cell.transport === 'merged') { // one instance, no imports: its own route under call = import
    const link = linkMerged(modules.merged.module);
    state.memories = link.memories;
    return makePair(host, link, cell.call === 'import' ? link.route : null);
  }
  const cap = capPages(job.measure.memory_limit_mib);
  if (isChain(cell)) { // copy or shared (job.mjs refuses the rest): a round trip of its own
    const route = cell.call === 'import' ? makeChainRoute() : null;
    host.deliver = route?.deliver ?? null;
    const link = linkChain(host, modules, cell.transport, cap);
    state.memories = link.memories;
    return makeChainPair(host, link, route);
  }
  const route = cell.call === 'import' ? makeRoute(cell.transport) : null;
  host.deliver = route?.deliver ?? null;
  if (cell.transport === 'bindgen') {
    const link = linkBindgen(host, modules);
    state.memories = link.memories;
    return makeBindgenPair(host, link);
  }
  const link = cell.transport === 'shared' ? linkShared(host, modules, cap) : linkCopy(host, modules);
  state.memories = link.memories;
  return makePair(host, link, route);
}

/**
 * Each guest memory's size in wasm pages (64 KiB) now: [producer, consumer]; under `shared` both are
 * the one; under `merged` the module's two; in a chain the ends' (its relays' lie between them).
 */
export function memoryPages(memories) {
  const pages = memories.map((m) => m.buffer.byteLength / 65536);
  return [pages[0] ?? null, pages[pages.length - 1] ?? null];
}

/**
 * The repeated set-up (wasmatrix-core's `measure::setup`, the same rule): the whole set-up again in
 * this process after the round trips, as many times as fit in `setup_budget_ms` at the first one's
 * speed, at most `setup_repeats` (none if the first took longer than the budget); each timed, then its
 * host dropped. ns per set-up, on the wall clock and in the process's CPU time: [wall, cpu] (cpu
 * empty where the platform has no CPU clock, as a page has not).
 */
export async function setUpAgain(job, first) {
  const m = job.measure;
  const firstNs = (first.compile_ns ?? 0) + (first.environment_ns ?? 0) + (first.instantiate_ns ?? 0);
  const fit = Math.floor((m.setup_budget_ms * 1e6) / Math.max(firstNs, 1));
  const n = Math.min(fit, m.setup_repeats);
  const [wall, cpu] = [[], []];
  for (let i = 0; i < n; i++) {
    const state = { host: null, memories: [] };
    const cpuBefore = cpuTimeNs();
    const [, ns] = await timeAsync(() => setUp(job, emptyReport(), state, i + 1));
    const spent = cpuSince(cpuBefore);
    if (spent !== null) cpu.push(spent); // none where the host cannot say
    dropHost(state.host);
    wall.push(ns);
  }
  return [wall, cpu];
}
