// What the V8 worker's measuring modules take from their host, in one module: under Node.js (this
// file) the process's monotonic clock and its resolution, its CPU time and resident set, reading a
// guest's file and writing a line to standard output. The modules that set up, call and time a
// pair (cell, measure, instantiations, environment, guests, report, memory, transport, calls,
// pair, job) use nothing of Node.js but what this module exports, so a host that is not Node.js
// runs the same files with a module of its own in this one's place: Chromium's page maps this
// file to runner/chromium/platform.mjs (worker.test.mjs checks the imports). Node's WASI (wasi.mjs,
// loaded only for `wasi` and `emscripten` cells) and the worker's process life (worker.mjs:
// pinning, the memory cap, the job from argv) stay Node's own.

import fs from 'node:fs';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/** Nanoseconds since an arbitrary point, as a BigInt (a monotonic clock). */
export const now = process.hrtime.bigint;

/** The clock's resolution in ns: process.hrtime counts nanoseconds (measure.mjs sizes its regions by it). */
export const clockResolutionNs = () => 1;

/** This process's CPU time so far, every thread's (user and system), in ns (`cpu_time_ns`). */
export function cpuTimeNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/**
 * The process's resident-set peak in KiB (`VmHWM` of /proc/self/status), as the Rust workers read
 * it; null where unreadable. Not `process.resourceUsage().maxRSS` (getrusage): a process spawned
 * with vfork starts with its parent's peak there, the runner's.
 */
export const peakRssKib = () => procNumber('self', 'status', 'VmHWM');

/**
 * The number on the `key` line of /proc/PID/FILE (`VmHWM:  1234 kB`, `se.nr_migrations : 5`), or
 * null where unreadable: this process's (`self`), or another's (the Chromium worker's renderer).
 */
export function procNumber(pid, file, key) {
  try {
    const line = fs.readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\n').find((l) => l.startsWith(key));
    const n = line === undefined ? NaN : Number(line.slice(key.length).replace(/^[\s:]+/, '').split(/\s+/)[0]);
    return Number.isSafeInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** The resident set now, KiB. */
export const rssKib = () => process.memoryUsage.rss() / 1024;

/** A file's bytes (a guest's `.wasm`); throws with the system's message where it cannot. */
export const readBytes = (file) => fs.readFileSync(file);

/**
 * The URL of load `n` of the wasm-bindgen glue beside a guest's `.wasm` (`producer.js` beside
 * `producer.wasm`): each `n` its own module, with state of its own.
 */
export const glueUrl = (_role, wasm, n) => `${pathToFileURL(wasm.replace(/\.wasm$/, '.js')).href}?pair=${n}`;

/** Writes one line to the worker's stdout, synchronously (the supervisor times the ready line). */
export function printLine(line) {
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
