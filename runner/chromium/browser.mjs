// Starting headless Chromium for one cell, and what the driver reads of it from outside: its own
// profile directory, the DevTools protocol on a pipe, V8's flags for the cell's compiler and the
// memory cap, pinned (with every process and thread it starts) to the job's CPU; its stderr kept
// for the failure that needs it; the renderer's peak resident set and migrations from /proc.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cdp } from './cdp.mjs';
import { procNumber } from '../v8/platform.mjs';

/**
 * Chromium's switches besides the pipe, the profile and V8's: headless, no sandbox (a sandboxed
 * renderer cannot start as root, as CI runs), and none of the browser's own background work
 * (component updates, networking, throttling of background pages), as Puppeteer's defaults.
 */
export const SWITCHES = [
  '--headless', '--no-sandbox', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
  '--disable-component-update', '--disable-background-networking', '--disable-sync', '--disable-default-apps',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
  '--metrics-recording-only',
];

/** Keeps the last `limit` bytes of a stream's text. */
function tail(stream, limit = 1 << 16) {
  const kept = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (t) => {
    kept.text = (kept.text + t).slice(-limit);
  });
  return kept;
}

/**
 * Starts `executable` on about:blank with V8's `jsFlags`, under `taskset -c pin` when pinned.
 * Returns `{cdp, stderr (its text so far), exited (a promise), close()}`.
 */
export function launch(executable, jsFlags, pin) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmatrix-chromium-'));
  const args = [...SWITCHES, `--user-data-dir=${profile}`, '--remote-debugging-pipe', `--js-flags=${jsFlags.join(' ')}`,
    'about:blank'];
  const [program, argv] = pin === null ? [executable, args] : ['taskset', ['-c', String(pin), executable, ...args]];
  const child = spawn(program, argv, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const stderr = tail(child.stderr);
  const exited = new Promise((resolve) => {
    child.on('error', (e) => resolve(`cannot start ${program}: ${e.message}`));
    child.on('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit status ${code}`));
  });
  const cdp = new Cdp(child.stdio[3], child.stdio[4]);
  // Closed as a user would close it, killed if it takes over 2 s; its profile removed once it has
  // exited (a browser still exiting writes into it). A profile left behind is only a temporary
  // directory: no failure of the cell.
  const close = async () => {
    cdp.send('Browser.close').catch(() => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    } catch { /* see above */ }
  };
  return { cdp, stderr: () => stderr.text, exited, close };
}

/** V8's complaint about a flag it does not know (it then ignores the rest of --js-flags), if stderr has one. */
export function flagError(stderr) {
  const line = stderr.split('\n').find((l) => /unrecognized flag|The remaining arguments were ignored/.test(l));
  return line === undefined ? null : line.trim();
}

/** The renderer processes' ids now (SystemInfo.getProcessInfo). */
export async function renderers(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
}

/**
 * The renderer that hosts the page, of the renderer processes now (`pids`): one that came after
 * `before` (the cross-origin-isolated page gets a process of its own), the largest resident-set
 * peak if several did (the browser may start a spare renderer too), else the largest of all.
 */
export function pageRenderer(pids, before) {
  const fresh = pids.filter((pid) => !before.has(pid));
  const peak = (pid) => procNumber(pid, 'status', 'VmHWM') ?? -1;
  const largest = (among) => among.reduce((best, pid) => (best === null || peak(pid) > peak(best) ? pid : best), null);
  return largest(fresh.length > 0 ? fresh : pids);
}

/** The renderer's resident-set peak (VmHWM, KiB) and its main thread's CPU migrations, null where unreadable. */
export function rendererFacts(pid) {
  if (pid === null) return { peak_rss_kib: null, cpu_migrations: null };
  return { peak_rss_kib: procNumber(pid, 'status', 'VmHWM'), cpu_migrations: procNumber(pid, 'sched', 'se.nr_migrations') };
}
