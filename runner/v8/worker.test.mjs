// What the V8 worker does without guests: reading jobs and their cells, which cells it runs, writing the report (its
// u64 checksum by hand), reading a module's memory import limits, telling a producer's call
// pattern from its imports, and `env.deliver` over stand-in guests. `node --test runner/v8/`.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import {
  ARTIFACT_UNSUPPORTED, MERGED_ENVIRONMENT, MERGED_LOGGING, MERGED_V8, V8_FLAGS, missingFlags, parseJob, refusal,
} from './job.mjs';
import { Failure, emptyReport, reportJson, u64Json } from './report.mjs';
import { importedMemoryLimits, readLeb, withRepeatSection } from './guests.mjs';
import { capPages } from './memory.mjs';
import { SHARED_CONSUMER_BASE, checkSharedLayout, sharedMemoryPages } from './transport.mjs';
import { checkCallPattern, importsDeliver, makeRoute } from './calls.mjs';
import { batches } from './instantiations.mjs';
import { mergedLink } from './merged.mjs';
import { makePair } from './pair.mjs';

/** A cell as the runner's job carries it (serde's `Cell`: one field per axis, each value its name). */
const CELL = Object.freeze({
  compiler: 'turbofan', engine: 'jit', environment: 'bare', transport: 'shared', codec: 'raw',
  profile: 'release', logging: 'off', allocator: 'default', runtime: 'v8', call: 'import',
});

/** A job's JSON with `cell`, the rest as the runner writes it. */
const jobText = (cell, rest = {}) => JSON.stringify({
  cell, measure: { warmup: 1, samples: 2, batch: 3, timeout_s: 60 }, guests: null, artifacts: '/x', phase: 'Measure',
  ...rest,
});

test('the cell is read field by field, as the runner sends it', () => {
  assert.deepEqual(parseJob(jobText(CELL)).cell, CELL);
  // The axes the worker does not read, and values it has never heard of there, pass through.
  const other = { ...CELL, codec: 'test-only', profile: 'tiny', allocator: 'bump', payload: '1k' };
  assert.deepEqual(parseJob(jobText(other)).cell, other);
});

test('a cell that is not one field per axis is refused', () => {
  assert.throws(() => parseJob(jobText('turbofan/jit/bare/shared/raw/release/off/default/v8/import')),
    /job.cell is not an object with one field per axis/);
  assert.throws(() => parseJob(jobText(null)), /not an object/);
  const { call: _, ...noCall } = CELL;
  assert.throws(() => parseJob(jobText(noCall)), /job.cell.call is not a value's name/);
  assert.throws(() => parseJob(jobText({ ...CELL, transport: 7 })), /job.cell.transport/);
});

test('the worker says which cells V8 does not run', () => {
  assert.equal(refusal(CELL), null);
  for (const [field, value] of [['compiler', 'liftoff'], ['environment', 'wasi'], ['environment', 'emscripten'],
    ['transport', 'copy'], ['transport', 'bindgen'], ['logging', 'on'], ['call', 'host']]) {
    assert.equal(refusal({ ...CELL, [field]: value }), null, `${field} = ${value}`);
  }
  const refused = (change) => refusal({ ...CELL, ...change });
  assert.match(refused({ runtime: 'wasmtime' }), /runs runtime v8 cells, not wasmtime/);
  assert.match(refused({ compiler: 'cranelift' }), /liftoff and turbofan, not cranelift/);
  assert.equal(refused({ engine: 'artifact' }), ARTIFACT_UNSUPPORTED);
  assert.match(refused({ engine: 'native' }), /the native engine does not run under V8/);
  assert.match(refused({ transport: 'component' }), /no Component Model/);
  assert.match(refused({ transport: 'composed' }), /no Component Model/);
  assert.match(refused({ codec: 'wit' }), /no Component Model/);
  assert.match(refused({ transport: 'pigeon' }), /transports are copy, shared, bindgen and merged, not pigeon/);
  assert.match(refused({ environment: 'emscripten-legacy' }), /emscripten-legacy cells do not run/);
  assert.match(refused({ environment: 'browser' }), /bare, wasi and emscripten, not browser/);
  assert.match(refused({ logging: 'verbose' }), /on or off, not verbose/);
  assert.match(refused({ call: 'callback' }), /host and import, not callback/);
});

test('merged cells run in a page, bare and without logging; Node\'s V8 says why not, as the runner does', () => {
  const page = { ...CELL, runtime: 'chromium', transport: 'merged' };
  for (const call of ['host', 'import']) assert.equal(refusal({ ...page, call }, 'chromium'), null, call);
  assert.equal(refusal({ ...CELL, transport: 'merged' }), MERGED_V8);
  assert.equal(refusal({ ...page, environment: 'wasi' }, 'chromium'), MERGED_ENVIRONMENT);
  assert.equal(refusal({ ...page, logging: 'on' }, 'chromium'), MERGED_LOGGING);
  // The reasons are runner/core/src/cell/reasons.rs's, word for word.
  const rust = fs.readFileSync(new URL('../core/src/cell/reasons.rs', import.meta.url), 'utf8');
  for (const [name, text] of Object.entries({ MERGED_V8, MERGED_ENVIRONMENT, MERGED_LOGGING })) {
    const literal = new RegExp(`const ${name}: &str =\\s*"((?:[^"\\\\]|\\\\[\\s\\S])*)";`).exec(rust);
    assert.ok(literal, name);
    assert.equal(literal[1].replace(/\\\n\s*/g, '').replace(/\\"/g, '"'), text, name);
  }
  const job = parseJob(jobText(page, { guests: { producer: 'p.wasm', consumer: 'c.wasm', merged: 'm.wasm' } }));
  assert.equal(job.guests.merged, 'm.wasm');
  assert.throws(() => parseJob(jobText(page, { guests: { producer: 'p', consumer: 'c', merged: 7 } })), /merged is not a path/);
});

test('a job gets serde\'s defaults and is checked', () => {
  const job = parseJob(jobText(CELL, { guests: { producer: 'p.wasm', consumer: 'c.wasm' }, artifacts: '/tmp/x' }));
  assert.equal(job.mechanism, 'wall_clock');
  assert.equal(job.pin, null);
  assert.equal(job.measure.floor_batch, 1000);
  assert.equal(job.measure.codec_batch, 100);
  assert.equal(job.measure.memory_limit_mib, 4096);
  assert.deepEqual([job.measure.instantiations, job.measure.instantiate_batch], [20, 5]);
  assert.throws(() => parseJob('{"cell":'), SyntaxError);
  assert.throws(() => parseJob(jobText(CELL, { phase: 'Run' })), /phase/);
  assert.throws(() => parseJob(jobText(CELL, { measure: { warmup: -1, samples: 2, batch: 3, timeout_s: 60 } })),
    /warmup/);
});

test('a u64 is written exactly, an i64 as its two\'s complement', () => {
  assert.equal(u64Json(0n), '0');
  assert.equal(u64Json(4513935158355177872n), '4513935158355177872');
  assert.equal(u64Json(-1n), '18446744073709551615');
  assert.equal(u64Json(-(2n ** 63n)), '9223372036854775808');
  assert.equal(u64Json((2n ** 53n) + 1n), '9007199254740993'); // a JS number would say ...992
});

test('the report keeps the Rust field names and writes the checksum by hand', () => {
  const report = { ...emptyReport(), checksum: -2n, round_trip: [1.5, 2], failure: ['Trap', 'unreachable'] };
  const text = reportJson(report);
  assert.match(text, /"checksum":18446744073709551614,/);
  const parsed = JSON.parse(text.replace(/"checksum":\d+/, '"checksum":0'));
  assert.deepEqual(Object.keys(parsed), Object.keys(emptyReport()));
  assert.deepEqual(parsed.round_trip, [1.5, 2]);
  assert.deepEqual(parsed.failure, ['Trap', 'unreachable']);
  assert.match(reportJson(emptyReport()), /"checksum":null,/);
});

test('LEB128', () => {
  assert.deepEqual(readLeb(Uint8Array.of(0x00), 0), [0, 1]);
  assert.deepEqual(readLeb(Uint8Array.of(0xe5, 0x8e, 0x26), 0), [624485, 3]);
  assert.deepEqual(readLeb(Uint8Array.of(0x80, 0x80, 0x04), 0), [65536, 3]);
  assert.deepEqual(readLeb(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), 0), [2 ** 32 - 1, 5]);
  assert.throws(() => readLeb(Uint8Array.of(0x80), 0), /truncated/);
});

/** A module with a type section, a function import, and `env.memory` with `limits` bytes. */
function moduleImportingMemory(limits) {
  const name = (s) => [s.length, ...Buffer.from(s)];
  const imports = [
    2, // two imports
    ...name('env'), ...name('wasmatrix_log'), 0x00, 0x00, // function of type 0
    ...name('env'), ...name('memory'), 0x02, ...limits,
  ];
  const types = [1, 0x60, 2, 0x7f, 0x7f, 0]; // (i32, i32) -> ()
  return Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, types.length, ...types, 2, imports.length, ...imports);
}

test('the memory import\'s limits are read from the import section', () => {
  const bounded = moduleImportingMemory([0x01, 17, 0x80, 0x02]); // min 17, max 256
  assert.ok(WebAssembly.validate(bounded));
  assert.deepEqual(importedMemoryLimits(bounded), { minimum: 17, maximum: 256, shared: false, memory64: false });
  const open = moduleImportingMemory([0x00, 0x80, 0x01]); // min 128, no max
  assert.ok(WebAssembly.validate(open));
  assert.deepEqual(importedMemoryLimits(open), { minimum: 128, maximum: null, shared: false, memory64: false });
  assert.equal(importedMemoryLimits(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)), null);
  assert.throws(() => importedMemoryLimits(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), /magic/);
});

test('the shared memory takes what both guests accept, within the cap', () => {
  const l = (minimum, maximum) => ({ minimum, maximum });
  assert.deepEqual(sharedMemoryPages(l(17, null), l(40, null)), l(40, null));
  assert.deepEqual(sharedMemoryPages(l(17, 100), l(40, null)), l(40, 100));
  assert.deepEqual(sharedMemoryPages(l(17, 100), l(40, 80)), l(40, 80));
  assert.equal(capPages(64), 1024);
  assert.equal(capPages(4096), 65536);
  assert.equal(capPages(1 << 30), 65536);
});

test('overlapping guests are refused', () => {
  checkSharedLayout(0x11_0000, SHARED_CONSUMER_BASE + 0x1_0000);
  assert.throws(() => checkSharedLayout(SHARED_CONSUMER_BASE + 1, SHARED_CONSUMER_BASE + 0x1_0000), /overlap/);
  assert.throws(() => checkSharedLayout(0x11_0000, SHARED_CONSUMER_BASE), /overlap/);
});

test('each compiler\'s V8 flags are required', () => {
  assert.deepEqual(missingFlags('turbofan', V8_FLAGS.turbofan), []);
  assert.deepEqual(missingFlags('turbofan', ['--no-liftoff']), ['--no-wasm-lazy-compilation']);
  assert.deepEqual(missingFlags('liftoff', ['--liftoff', '--no-wasm-tier-up']),
    ['--no-wasm-dynamic-tiering', '--no-wasm-lazy-compilation']);
});

/** A module importing the functions `imports` (`[module, name]`), each of type (i32, i32) -> i64. */
function moduleImportingFunctions(imports) {
  const name = (s) => [s.length, ...Buffer.from(s)];
  const section = [imports.length, ...imports.flatMap(([m, n]) => [...name(m), ...name(n), 0x00, 0x00])];
  const types = [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7e];
  return new WebAssembly.Module(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, types.length, ...types,
    2, section.length, ...section));
}

test('a producer\'s imports say its call pattern: env.deliver only under import', () => {
  const importBuild = moduleImportingFunctions([['env', 'wasmatrix_log'], ['env', 'deliver']]);
  const hostBuild = moduleImportingFunctions([['env', 'wasmatrix_log'], ['other', 'deliver']]);
  assert.equal(importsDeliver(importBuild), true);
  assert.equal(importsDeliver(hostBuild), false);
  checkCallPattern(importBuild, 'import');
  checkCallPattern(hostBuild, 'host');
  assert.throws(() => checkCallPattern(hostBuild, 'import'), /does not import env.deliver: it was not built with the feature call-import/);
  assert.throws(() => checkCallPattern(importBuild, 'host'), /imports env.deliver: it was built with the feature call-import/);
});

const pack = (ptr, len) => (BigInt(ptr) << 32n) | BigInt(len);

test('env.deliver over the shared memory hands the consumer\'s reply back as it is', () => {
  const route = makeRoute('shared');
  const seen = [];
  const consume = (ptr, len) => {
    seen.push([ptr, len]);
    return ptr === 5 ? 0n : pack(0x20_0000 + ptr, 20);
  };
  route.bind({ consume }, { toConsumer: null, toProducer: null });
  assert.equal(route.deliver(16, 300), pack(0x20_0010, 20));
  assert.equal(route.deliver(5, 40), 0n); // refused: no reply bytes
  assert.deepEqual(seen, [[16, 300], [5, 40]]);
  assert.deepEqual(route.traffic(), { request_bytes: 340, reply_bytes: 20 });
});

test('env.deliver over copy carries the request in and the reply back, as the host\'s round trip does', () => {
  const route = makeRoute('copy');
  const calls = [];
  const link = {
    toConsumer: (ptr, len) => { calls.push(['toConsumer', ptr, len]); return 0x1000; },
    toProducer: (ptr, len) => { calls.push(['toProducer', ptr, len]); return len > 24 ? 0x9000 : 0x8000; },
  };
  const consume = (ptr, len) => {
    calls.push(['consume', ptr, len]);
    return len === 7 ? 0n : pack(0x4000, len === 100 ? 30 : 20);
  };
  route.bind({ consume }, link);
  // An i32 pointer above 2 GiB arrives negative; it is read unsigned.
  assert.equal(route.deliver(-0x8000_0000, 50), pack(0x8000, 20));
  assert.equal(route.deliver(64, 50), pack(0x8000, 20));
  assert.equal(route.deliver(64, 100), pack(0x9000, 30)); // a larger reply: another buffer
  assert.equal(route.deliver(64, 7), 0n); // refused: nothing carried back
  assert.deepEqual(calls.slice(0, 3), [['toConsumer', 0x8000_0000, 50], ['consume', 0x1000, 50], ['toProducer', 0x4000, 20]]);
  assert.deepEqual(calls.slice(-2), [['toConsumer', 64, 7], ['consume', 0x1000, 7]]);
  assert.deepEqual(route.traffic(), { request_bytes: 207, reply_bytes: 70 });
});

test('a trap inside env.deliver is reported as one; the worker\'s own failures keep their kind', () => {
  const route = makeRoute('shared');
  let thrown;
  route.bind({ consume: () => { throw thrown; } }, { toConsumer: null, toProducer: null });
  thrown = new WebAssembly.RuntimeError('unreachable');
  assert.throws(() => route.deliver(0, 1), (e) => e instanceof Failure && e.kind === 'Trap' &&
    e.message === 'inside env.deliver: unreachable');
  thrown = new Failure('OutOfMemory', 'cap');
  assert.throws(() => route.deliver(0, 1), (e) => e === thrown);
});

test('a repeated set-up compiles the same code from other bytes: a custom section appended', () => {
  const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const again = withRepeatSection(empty, 7);
  assert.ok(WebAssembly.validate(again), 'still a valid module');
  assert.deepEqual(again.subarray(0, empty.length), empty, 'the module unchanged before it');
  assert.deepEqual(WebAssembly.Module.customSections(new WebAssembly.Module(again), 'wasmatrix-repeat').map(
    (s) => Buffer.from(s).toString()), ['7']);
  assert.notDeepEqual(withRepeatSection(empty, 8), again, 'each repeat its own bytes');
});

test('instantiations come in a warm-up batch, then batches of instantiate_batch, as core counts them', () => {
  assert.deepEqual(batches({ instantiations: 25, instantiate_batch: 10 }), [10, [10, 10, 5]]);
  assert.deepEqual(batches({ instantiations: 3, instantiate_batch: 10 }), [3, [3]]);
  assert.deepEqual(batches({ instantiations: 4, instantiate_batch: 0 }), [1, [1, 1, 1, 1]]);
  assert.equal(batches({ instantiations: 0, instantiate_batch: 5 }), null);
});

test('the modules that set up, call and time a pair use Node.js only through platform.mjs and wasi.mjs', () => {
  // Node's own: the worker's process life, its WASI, the platform, a minimal program, the tests.
  const nodes = new Set(['worker.mjs', 'wasi.mjs', 'platform.mjs', 'bare_call.mjs', 'worker.test.mjs']);
  const dir = new URL('.', import.meta.url);
  const shared = fs.readdirSync(dir).filter((f) => f.endsWith('.mjs') && !nodes.has(f));
  assert.ok(shared.includes('measure.mjs') && shared.includes('transport.mjs'), `${shared}`);
  for (const file of shared) {
    const code = fs.readFileSync(new URL(file, dir), 'utf8').split('\n')
      .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).map((l) => l.replace(/\/\/.*$/, '')).join('\n');
    for (const [, spec] of code.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      assert.ok(spec.startsWith('./'), `${file} imports ${spec}`);
      assert.ok(!['./worker.mjs', './bare_call.mjs'].includes(spec), `${file} imports ${spec}`);
    }
    assert.doesNotMatch(code, /\b(Buffer|process)\.|\brequire\(/, `${file} uses a Node.js global`);
  }
});

/**
 * The exports of a stand-in merged module (Node's V8 cannot compile a real one: no multi-memory):
 * two memories, each guest's messages in its own, the adapter's carries and counters; `calls`
 * records the round trip's calls in order.
 */
function mergedExports(calls) {
  const [producer, consumer] = [new WebAssembly.Memory({ initial: 1 }), new WebAssembly.Memory({ initial: 1 })];
  const counts = { request: 0n, reply: 0n, copied: 0n };
  const text = (memory, at, s) => {
    new Uint8Array(memory.buffer).set(Buffer.from(s), at);
    return pack(at, s.length);
  };
  const carry = (from, to, at) => (ptr, len) => {
    calls.push(to === consumer ? 'to_consumer' : 'to_producer');
    new Uint8Array(to.buffer).set(new Uint8Array(from.buffer, ptr, len), at);
    counts.copied += BigInt(len);
    return at;
  };
  return {
    memory: producer,
    'consumer.memory': consumer,
    produce: (i) => { calls.push('produce'); return pack(64, 10 + i); },
    check_reply: (ptr, len) => { calls.push(['check_reply', ptr, len]); return 0; },
    checksum: () => -1n,
    bench_encode: () => 0,
    error_message: () => text(producer, 900, 'producer says no'),
    round_trip: (i) => { // the adapter's `deliver` counts inside the module
      counts.request += 100n;
      if (i === 7) return 1;
      counts.reply += 20n;
      return 0;
    },
    'consumer.consume': (ptr, len) => { calls.push(['consume', ptr, len]); return pack(256, 3); },
    'consumer.ping': (x) => x + 1,
    'consumer.bench_decode': () => 0,
    'consumer.error_message': () => text(consumer, 900, 'consumer says no'),
    'merged.to_consumer': carry(producer, consumer, 128),
    'merged.to_producer': carry(consumer, producer, 512),
    'merged.request_bytes': () => counts.request,
    'merged.reply_bytes': () => counts.reply,
    'merged.copied_bytes': () => counts.copied,
  };
}

test('a merged pair: the host calls the adapter\'s carries between the guests, whose copies it counts', () => {
  const calls = [];
  const link = mergedLink(mergedExports(calls));
  const pair = makePair({ logging: 'off', wasi: null }, link, null);
  pair.roundTrips(0, 2);
  assert.deepEqual(calls.slice(0, 5), ['produce', 'to_consumer', ['consume', 128, 10], 'to_producer', ['check_reply', 512, 3]]);
  // The host counts the messages it handed over; the adapter, what it copied.
  assert.deepEqual(pair.traffic(), { request_bytes: 21, reply_bytes: 6, copied_bytes: 27 });
  assert.deepEqual(link.memories.map((m) => m.buffer.byteLength / 65536), [1, 1]);
  assert.equal(pair.output().log_bytes, null);
});

test('a merged pair under call = import: the producer\'s round_trip only, the adapter\'s counts, each guest\'s message from its memory', () => {
  const calls = [];
  const link = mergedLink(mergedExports(calls));
  const pair = makePair({ logging: 'off', wasi: null }, link, link.route);
  pair.roundTrips(0, 3);
  assert.deepEqual(calls, []);
  assert.deepEqual(pair.traffic(), { request_bytes: 300, reply_bytes: 60, copied_bytes: 0 });
  assert.throws(() => pair.roundTrip(7), /consumer refused record 7: consumer says no/);
});

test('a merged module lacking what the harness calls says which export', () => {
  const exports = mergedExports([]);
  delete exports['merged.to_producer'];
  assert.throws(() => mergedLink(exports), /the merged module lacks an export the harness calls: merged.to_producer/);
  assert.throws(() => mergedLink({ ...mergedExports([]), 'consumer.memory': undefined }), /exports no memory `consumer.memory`/);
});
