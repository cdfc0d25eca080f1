// What the Chromium worker does without a browser: the page's server (routes, isolation headers),
// the DevTools pipe's framing, how the page's events end a cell (its report, an exception, a page
// that loads but never starts, a crash, a browser that exits), the report it completes (the u64
// checksum exact), and V8's complaint about a flag. A real browser runs the cells in
// runner/tests/chromium.rs (the merged module's in merged.test.mjs, chains in chain.test.mjs).
// `node --test runner/chromium/`.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cdp } from './cdp.mjs';
import { ISOLATION, route, startServer } from './server.mjs';
import { completed, pageOutcome } from './worker.mjs';
import { flagError } from './browser.mjs';
import { BEGIN_LINE, REPORT_PREFIX, emptyReport, reportJson } from '../v8/report.mjs';
import { refusal } from '../v8/job.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const JOB = { text: '{"job": 1}', guests: { producer: '/g/p.wasm', consumer: '/g/c.wasm' } };

test('the server serves the page, its modules, the job and the two guests, and nothing else', () => {
  assert.equal(route(ROOT, JOB, '/')[0], path.join(ROOT, 'runner/chromium/page.html'));
  assert.equal(route(ROOT, JOB, '/v8/measure.mjs')[0], path.join(ROOT, 'runner/v8/measure.mjs'));
  assert.equal(route(ROOT, JOB, '/chromium/platform.mjs')[0], path.join(ROOT, 'runner/chromium/platform.mjs'));
  assert.equal(route(ROOT, JOB, '/job')[0].toString(), JOB.text);
  assert.deepEqual(route(ROOT, JOB, '/guests/consumer'), ['/g/c.wasm', 'application/wasm']);
  for (const other of ['/v8/../../etc/passwd.mjs', '/v8/x.js', '/guests/other', '/runner/v8/job.mjs', '/etc/passwd']) {
    assert.equal(route(ROOT, JOB, other), null, other);
  }
  assert.equal(route(ROOT, { ...JOB, guests: null }, '/guests/producer'), null);
  // The merged module, where the job names one (transport `merged`).
  assert.equal(route(ROOT, JOB, '/guests/merged'), null);
  const merged = { ...JOB, guests: { ...JOB.guests, merged: '/g/merged.wasm' } };
  assert.deepEqual(route(ROOT, merged, '/guests/merged'), ['/g/merged.wasm', 'application/wasm']);
  assert.equal(route(ROOT, merged, '/guests/merged.js'), null);
  // A chain's relays, by their index in the job's list (a pair's job names none).
  const chain = { ...JOB, guests: { ...JOB.guests, relays: ['/g/relay-1.wasm', '/g/relay-2.wasm'] } };
  assert.deepEqual(route(ROOT, chain, '/guests/relays/0'), ['/g/relay-1.wasm', 'application/wasm']);
  assert.deepEqual(route(ROOT, chain, '/guests/relays/1'), ['/g/relay-2.wasm', 'application/wasm']);
  for (const other of ['/guests/relays/2', '/guests/relays/01', '/guests/relays/-1', '/guests/relays/length', '/guests/relays']) {
    assert.equal(route(ROOT, chain, other), null, other);
  }
  assert.equal(route(ROOT, JOB, '/guests/relays/0'), null);
  assert.equal(route(ROOT, { ...JOB, guests: null }, '/guests/relays/0'), null);
});

test('every response is cross-origin isolated, a missing one too', async () => {
  const server = await startServer(ROOT, JOB);
  try {
    for (const [where, status] of [['', 200], ['v8/report.mjs', 200], ['guests/producer', 404], ['nothing', 404]]) {
      const response = await fetch(server.url + where);
      assert.equal(response.status, status, where);
      for (const [header, value] of Object.entries(ISOLATION)) assert.equal(response.headers.get(header), value, where);
    }
    assert.match(await (await fetch(server.url)).text(), /importmap[\s\S]*"\/v8\/platform.mjs": "\/chromium\/platform.mjs"/);
  } finally {
    server.close();
  }
});

test('the pipe carries NUL-ended JSON either way, split anywhere, and says when it closed', async () => {
  const [toBrowser, fromBrowser] = [new PassThrough(), new PassThrough()];
  const cdp = new Cdp(toBrowser, fromBrowser);
  const events = [];
  cdp.on((e) => events.push(e.method));
  const answered = cdp.send('Browser.getVersion');
  const failed = cdp.send('Target.attachToTarget', { targetId: 'x' }, 'S');
  const sent = toBrowser.read().toString().split('\0');
  assert.deepEqual(sent.slice(0, 2).map((m) => JSON.parse(m)), [
    { id: 1, method: 'Browser.getVersion', params: {} },
    { id: 2, method: 'Target.attachToTarget', params: { targetId: 'x' }, sessionId: 'S' },
  ]);
  const replies = '{"method":"Page.loadEventFired","params":{}}\0{"id":1,"result":{"product":"Chrome/1"}}\0' +
    '{"id":2,"error":{"message":"No target with given id found"}}\0';
  fromBrowser.write(replies.slice(0, 17));
  fromBrowser.write(replies.slice(17));
  assert.deepEqual(await answered, { product: 'Chrome/1' });
  await assert.rejects(failed, /Target.attachToTarget: No target with given id found/);
  assert.deepEqual(events, ['Page.loadEventFired']);
  const never = cdp.send('Browser.close');
  fromBrowser.end();
  await assert.rejects(never, /closed its pipe before answering Browser.close/);
});

/** A browser whose events the test sends: `emit(method, params)` to the page's session. */
function fakeBrowser() {
  const bus = new EventEmitter();
  let exit;
  return {
    cdp: { on: (listener) => bus.on('event', listener) },
    exited: new Promise((resolve) => { exit = resolve; }),
    stderr: () => 'some stderr',
    emit: (method, params, sessionId = 'S') => bus.emit('event', { method, params, sessionId }),
    exit,
  };
}

const line = (payload) => ({ name: 'wasmatrixLine', payload });

test("the page's report ends the cell; its first line says it started", async () => {
  const browser = fakeBrowser();
  let begun = 0;
  const outcome = pageOutcome(browser, 'S', () => begun++, 10);
  browser.emit('Runtime.bindingCalled', line(BEGIN_LINE));
  browser.emit('Runtime.bindingCalled', line(`${REPORT_PREFIX}{}`), 'another session');
  browser.emit('Page.loadEventFired', {});
  browser.emit('Runtime.bindingCalled', line(`${REPORT_PREFIX}{"checksum":1}`));
  assert.equal(await outcome, `${REPORT_PREFIX}{"checksum":1}`);
  assert.equal(begun, 1);
});

test('a page that throws, never starts, crashes or loses its browser ends the cell with the reason, never a hang', async () => {
  const cases = [
    [(b) => b.emit('Runtime.exceptionThrown', { exceptionDetails: { text: 'Uncaught', exception: { description: 'TypeError: x is not a function' } } }),
      /the page threw: TypeError: x is not a function/],
    [(b) => {
      b.emit('Log.entryAdded', { entry: { level: 'error', text: 'Failed to load resource: 404', url: 'http://127.0.0.1/chromium/page.mjs' } });
      b.emit('Page.loadEventFired', {});
    }, /the page loaded but did not start its cell: Failed to load resource: 404 \(http:\/\/127.0.0.1\/chromium\/page.mjs\)/],
    [(b) => b.emit('Inspector.targetCrashed', {}), /the page's renderer crashed/],
    [(b) => b.emit('Target.detachedFromTarget', { sessionId: 'S', reason: 'target_closed' }, undefined), /detached the page \(target_closed\)/],
    [(b) => b.exit('exit status 1'), /the browser ended \(exit status 1\) before the page reported: some stderr/],
  ];
  for (const [happen, reason] of cases) {
    const browser = fakeBrowser();
    const outcome = pageOutcome(browser, 'S', () => {}, 10);
    happen(browser);
    await assert.rejects(outcome, reason);
  }
});

test("the completed report keeps the page's u64 checksum exact and adds what only the driver knows", () => {
  const page = { ...emptyReport(), checksum: 18446744073709551615n, compile_ns: 5000 };
  const report = completed(REPORT_PREFIX + reportJson(page), { main_at_ns: 7, runtime_version: 'chromium 156 (v8 15.6)' });
  assert.equal(report.checksum, 18446744073709551615n);
  assert.equal(report.compile_ns, 5000);
  assert.equal(report.main_at_ns, 7);
  assert.match(reportJson(report), /"checksum":18446744073709551615,/);
});

test("V8's complaint about a flag it does not know is found in the browser's stderr", () => {
  const stderr = '[1:2:ERROR:dbus] no bus\nError: unrecognized flag --wasm-bogus\nThe remaining arguments were ignored: --liftoff\n';
  assert.equal(flagError(stderr), 'Error: unrecognized flag --wasm-bogus');
  assert.equal(flagError('[1:2:ERROR:dbus] no bus\n'), null);
});

test('a page runs chromium cells of both compilers and transports under bare, and says why not the rest', () => {
  const cell = { compiler: 'liftoff', engine: 'jit', environment: 'bare', transport: 'shared', codec: 'raw',
    profile: 'release', logging: 'on', allocator: 'default', runtime: 'chromium', call: 'import' };
  assert.equal(refusal(cell, 'chromium'), null);
  assert.equal(refusal({ ...cell, compiler: 'turbofan', transport: 'copy', call: 'host' }, 'chromium'), null);
  assert.match(refusal({ ...cell, runtime: 'v8' }, 'chromium'), /the Chromium page runs runtime chromium cells, not v8/);
  assert.match(refusal(cell, 'v8'), /the V8 worker runs runtime v8 cells, not chromium/);
  assert.match(refusal({ ...cell, environment: 'wasi' }, 'chromium'), /only the bare environment/);
  assert.match(refusal({ ...cell, engine: 'artifact' }, 'chromium'), /no way to load compiled code/);
  assert.match(refusal({ ...cell, transport: 'component' }, 'chromium'), /no Component Model/);
  assert.equal(refusal({ ...cell, transport: 'merged', logging: 'off' }, 'chromium'), null);
  assert.match(refusal({ ...cell, transport: 'merged', logging: 'off', runtime: 'v8' }, 'v8'), /Node.js 20's V8 11.3 has no multi-memory/);
  // Chains: copy and shared, logging off (the runner's reasons otherwise, before the page's own).
  assert.equal(refusal({ ...cell, modules: '8', logging: 'off' }, 'chromium'), null);
  assert.match(refusal({ ...cell, modules: '4' }, 'chromium'), /chain of more than two modules runs with logging off only/);
  assert.match(refusal({ ...cell, modules: '4', environment: 'wasi' }, 'chromium'), /chain of more than two modules runs in the bare/);
});
