// `node runner/chromium/worker.mjs [--browser CHROMIUM] worker JOB`: one cell of runtime `chromium`
// in its own process, speaking the worker protocol of runner/core/src/worker.rs as the V8 worker
// does. It serves a page from 127.0.0.1 (server.mjs), starts headless Chromium with V8's flags for
// the cell's compiler (browser.mjs), drives it over the DevTools protocol on a pipe (cdp.mjs), and
// relays the page's lines: the page (page.mjs) runs the V8 worker's own modules, so a cell is set
// up, called and timed by the same code in Node.js and in the browser. This process adds to the
// page's report what only it knows: when `main` began, the worker's and the browser's start
// (`worker_start_ns`, `engine_ns`: browser start to the page's first line), Chromium's and V8's
// versions, and the renderer's peak resident set and migrations.
//
// Whatever goes wrong ends in a report with the failure: a page that does not load or start, an
// uncaught exception, a crashed renderer, a browser that exits, V8 refusing a flag. The runner's
// time limit kills this process's group, Chromium with it (and Chromium exits when its pipe closes).

import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARTIFACT_UNSUPPORTED, V8_FLAGS, refusal } from '../v8/job.mjs';
import { BEGIN_LINE, REPORT_PREFIX, Failure, describe, emptyReport, failureKind, reportJson } from '../v8/report.mjs';
import { capPages } from '../v8/memory.mjs';
import { printLine } from '../v8/platform.mjs';
import { jobOfArgs, pin } from '../v8/worker.mjs';
import { startServer } from './server.mjs';
import { flagError, launch, pageRenderer, rendererFacts, renderers } from './browser.mjs';

/** How long a page that has loaded may take to send its first line before it is called dead. */
export const START_GRACE_MS = 2000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Throws the failure saying why a page does not run what the job asks, if it does not. */
function checkJob(job) {
  const refused = refusal(job.cell, 'chromium');
  if (refused !== null) throw new Failure('Error', refused);
  if (job.phase === 'Precompile') throw new Failure('Error', CHROMIUM_ARTIFACT_UNSUPPORTED);
  if (job.mechanism !== 'wall_clock') {
    throw new Failure('Error', `the Chromium worker measures only wall_clock, not ${job.mechanism}: callgrind cannot ` +
      'count a region of a page, and the browser\'s other processes would be counted');
  }
}

/**
 * The page's report line, once it comes: lines before it go to stdout (the ready line), the first
 * one (`BEGIN_LINE`) calls `begun()`. Rejects with the failure if the page cannot get there.
 */
export function pageOutcome(browser, sessionId, begun, graceMs = START_GRACE_MS) {
  const { cdp } = browser;
  const errors = [];
  const said = () => (errors.length > 0 ? errors.join('; ') : 'the page said nothing');
  return new Promise((resolve, reject) => {
    let started = false;
    const fail = (message) => reject(new Failure('Error', message));
    cdp.on(({ method, params, sessionId: from }) => {
      if (from !== sessionId && method !== 'Target.detachedFromTarget') return;
      if (method === 'Runtime.bindingCalled' && params.name === 'wasmatrixLine') {
        const line = params.payload;
        if (line === BEGIN_LINE) {
          started = true;
          begun();
        } else if (line.startsWith(REPORT_PREFIX)) {
          resolve(line);
        } else {
          printLine(line);
        }
      } else if (method === 'Runtime.exceptionThrown') {
        const details = params.exceptionDetails;
        fail(`the page threw: ${details.exception?.description ?? details.text}`);
      } else if (method === 'Log.entryAdded' && params.entry.level === 'error') {
        errors.push(`${params.entry.text}${params.entry.url ? ` (${params.entry.url})` : ''}`);
      } else if (method === 'Page.loadEventFired' && !started) {
        setTimeout(() => started || fail(`the page loaded but did not start its cell: ${said()}`), graceMs);
      } else if (method === 'Inspector.targetCrashed') {
        fail(`the page's renderer crashed: ${said()}`);
      } else if (method === 'Target.detachedFromTarget' && params.sessionId === sessionId) {
        fail(`the browser detached the page (${params.reason ?? 'no reason given'})`);
      }
    });
    browser.exited.then((status) => fail(`the browser ended (${status}) before the page reported: ${browser.stderr().slice(-2000)}`));
  });
}

/** The page's report with what only this process knows; the u64 checksum kept as its text. */
export function completed(line, facts) {
  const text = line.slice(REPORT_PREFIX.length);
  const report = { ...emptyReport(), ...JSON.parse(text), ...facts };
  const checksum = /"checksum":(\d+)/.exec(text);
  report.checksum = checksum === null ? null : BigInt(checksum[1]);
  return report;
}

/** Runs the cell in a browser; fills `report` (`main_at_ns` set) or throws the failure. */
async function drive(job, text, executable, report, mainAt) {
  checkJob(job);
  pin(job.pin);
  const server = await startServer(ROOT, { text, guests: job.guests });
  const flags = [...V8_FLAGS[job.cell.compiler], `--wasm-max-mem-pages=${capPages(job.measure.memory_limit_mib)}`];
  const launchedAt = process.hrtime.bigint();
  report.worker_start_ns = Number(launchedAt - mainAt);
  const browser = launch(executable, flags, job.pin);
  const { cdp } = browser;
  try {
    const version = await cdp.send('Browser.getVersion').catch(async (e) => {
      const status = await Promise.race([browser.exited, new Promise((r) => { setTimeout(() => r(e.message), 1000); })]);
      throw new Failure('Error', `${executable} did not start (${status}): ${browser.stderr().slice(-2000)}`);
    });
    const runtimeVersion = `chromium ${version.product.split('/').pop()} (v8 ${version.jsVersion})`;
    report.runtime_version = runtimeVersion;
    const { targetInfos } = await cdp.send('Target.getTargets');
    const page = targetInfos.find((t) => t.type === 'page');
    if (page === undefined) throw new Failure('Error', 'the browser opened no page');
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    const before = new Set(await renderers(cdp));
    let engineNs = null;
    const outcome = pageOutcome(browser, sessionId, () => { engineNs = Number(process.hrtime.bigint() - launchedAt); });
    outcome.catch(() => {}); // awaited below; a rejection before then is not unhandled
    for (const domain of ['Runtime', 'Page', 'Log', 'Inspector']) await cdp.send(`${domain}.enable`, {}, sessionId);
    await cdp.send('Runtime.addBinding', { name: 'wasmatrixLine' }, sessionId);
    await cdp.send('Page.navigate', { url: server.url }, sessionId);
    const line = await outcome;
    const facts = {
      main_at_ns: report.main_at_ns, worker_start_ns: report.worker_start_ns, engine_ns: engineNs,
      runtime_version: runtimeVersion, ...rendererFacts(pageRenderer(await renderers(cdp), before)),
    };
    Object.assign(report, completed(line, facts));
    const refused = flagError(browser.stderr());
    if (refused !== null) report.failure = ['Error', `V8 did not take the compiler's flags ${flags.join(' ')}: ${refused}`];
  } finally {
    await browser.close();
    server.close();
  }
}

/** `[--browser CHROMIUM] worker JOB`; a job that cannot be read gets exit status 2, as the other workers. */
async function main(argv) {
  const mainAt = process.hrtime.bigint();
  let executable = 'chromium';
  if (argv[0] === '--browser' && argv.length > 1) [executable, argv] = [argv[1], argv.slice(2)];
  const given = jobOfArgs(argv, 'node runner/chromium/worker.mjs [--browser CHROMIUM] worker JOB');
  if (given === null) return 2;
  const { job, text } = given;
  const report = emptyReport();
  report.main_at_ns = Number(mainAt);
  try {
    await drive(job, text, executable, report, mainAt);
  } catch (e) {
    report.failure = [failureKind(e), describe(e)];
  }
  printLine(REPORT_PREFIX + reportJson(report));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(await main(process.argv.slice(2)));
}
