// What the V8 worker does without guests: reading jobs and their cells, which cells it runs, writing the report (its
// u64 checksum by hand), reading a module's memory import limits, telling a producer's call
// pattern from its imports, `env.deliver` over stand-in guests, and a chain of modules over
// stand-in relays (its carries, its route, its checks). `node --test runner/v8/`.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  ARTIFACT_UNSUPPORTED, CHAIN_ENVIRONMENT, CHAIN_INSTANTIATE, CHAIN_LOGGING, CHAIN_TRANSPORT, MERGED_ENVIRONMENT,
  MERGED_LOGGING, MERGED_V8, V8_FLAGS, isChain, missingFlags, parseJob, refusal,
} from './job.mjs';
import { Failure, emptyReport, reportJson, u64Json } from './report.mjs';
import { importedMemoryLimits, readLeb, withRepeatSection } from './guests.mjs';
import { capPages } from './memory.mjs';
import { SHARED_CONSUMER_BASE, checkSharedLayout, createSharedMemory, sharedMemoryPages } from './transport.mjs';
import { checkCallPattern, importsDeliver, makeRoute } from './calls.mjs';
import { batches } from './instantiations.mjs';
import { mergedLink } from './merged.mjs';
import { makePair } from './pair.mjs';
import { halves, wide } from './memory.mjs';
import {
  checkSharedChain, compileRelays, copyChainLink, makeChainPair, makeChainRoute, sharedChainLink, sharedRelayBase,
} from './chain.mjs';

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
  assert.equal(refusal({ ...CELL, transport: 'merged', release: 'default' }), MERGED_V8);
  // Node.js 24's V8 13.6 (release node-24) has multi-memory: bare and without logging, as in a page.
  assert.equal(refusal({ ...CELL, transport: 'merged', release: 'node-24' }), null);
  assert.equal(refusal({ ...CELL, transport: 'merged', release: 'node-24', environment: 'wasi' }), MERGED_ENVIRONMENT);
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

test('chains run under copy and shared, bare and without logging, fresh; the rest say why in the runner\'s words, in its order', () => {
  const chain = { ...CELL, modules: '4' };
  for (const runtime of ['v8', 'chromium']) {
    const cell = { ...chain, runtime };
    for (const [transport, call] of [['copy', 'host'], ['copy', 'import'], ['shared', 'host'], ['shared', 'import']]) {
      assert.equal(refusal({ ...cell, transport, call }, runtime), null, `${runtime} ${transport} ${call}`);
    }
    assert.equal(refusal({ ...cell, instantiate: 'fresh' }, runtime), null);
    assert.equal(refusal({ ...cell, transport: 'bindgen' }, runtime), CHAIN_TRANSPORT);
    assert.equal(refusal({ ...cell, transport: 'bindgen', environment: 'wasi' }, runtime), CHAIN_TRANSPORT);
    assert.equal(refusal({ ...cell, environment: 'wasi', logging: 'on' }, runtime), CHAIN_ENVIRONMENT);
    assert.equal(refusal({ ...cell, logging: 'on', instantiate: 'pooled' }, runtime), CHAIN_LOGGING);
    assert.equal(refusal({ ...cell, instantiate: 'pooled' }, runtime), CHAIN_INSTANTIATE);
  }
  // A merged chain runs in a page (one module of n memories); Node's V8 has no multi-memory.
  assert.equal(refusal({ ...chain, runtime: 'chromium', transport: 'merged' }, 'chromium'), null);
  assert.equal(refusal({ ...chain, transport: 'merged' }), MERGED_V8);
  assert.equal(refusal({ ...chain, environment: 'emscripten' }), CHAIN_ENVIRONMENT);
  // A pair ("2", or no field: a job of before the axis) is none of the chain's business.
  assert.equal(refusal({ ...CELL, modules: '2', environment: 'wasi', logging: 'on' }), null);
  assert.equal(refusal({ ...CELL, environment: 'wasi', logging: 'on' }), null);
  const rust = fs.readFileSync(new URL('../core/src/cell/reasons.rs', import.meta.url), 'utf8');
  for (const [name, text] of Object.entries({ CHAIN_TRANSPORT, CHAIN_ENVIRONMENT, CHAIN_LOGGING, CHAIN_INSTANTIATE })) {
    const literal = new RegExp(`const ${name}: &str =\\s*"((?:[^"\\\\]|\\\\[\\s\\S])*)";`).exec(rust);
    assert.ok(literal, name);
    assert.equal(literal[1].replace(/\\\n\s*/g, '').replace(/\\"/g, '"'), text, name);
  }
  // ... checked in `Cell::unsupported_chain`'s order.
  const body = /fn unsupported_chain\(&self\)[\s\S]*?\n {4}\}\n/.exec(fs.readFileSync(new URL('../core/src/cell.rs', import.meta.url), 'utf8'));
  assert.ok(body, 'Cell::unsupported_chain');
  assert.deepEqual(body[0].match(/CHAIN_[A-Z]+/g), ['CHAIN_TRANSPORT', 'CHAIN_ENVIRONMENT', 'CHAIN_LOGGING', 'CHAIN_INSTANTIATE']);
});

test('a job names a chain\'s relays as an array of paths; a pair\'s none', () => {
  const guests = { producer: 'p.wasm', consumer: 'c.wasm' };
  const chain = { ...CELL, modules: '4' };
  assert.deepEqual(parseJob(jobText(CELL, { guests })).guests.relays, []);
  assert.deepEqual(parseJob(jobText(chain, { guests: { ...guests, relays: ['r.wasm', 'r.wasm'] } })).guests.relays,
    ['r.wasm', 'r.wasm']);
  assert.equal(parseJob(jobText(chain, { guests: { ...guests, relays: [] } })).cell.modules, '4');
  for (const relays of ['r.wasm', [7], [null], { 0: 'r.wasm' }]) {
    assert.throws(() => parseJob(jobText(chain, { guests: { ...guests, relays } })), /job.guests.relays is not an array of paths/);
  }
  assert.throws(() => parseJob(jobText({ ...CELL, modules: 4 })), /job.cell.modules is not a value's name: 4/);
  assert.equal(isChain(CELL), false);
  assert.equal(isChain({ ...CELL, modules: '2' }), false);
  assert.equal(isChain(chain), true);
});

test('a chain compiles each distinct relay file once, and the job must name one a relay', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmatrix-relays-'));
  try {
    const empty = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
    const [one, two] = [path.join(dir, 'relay-1.wasm'), path.join(dir, 'relay-2.wasm')];
    fs.writeFileSync(one, empty);
    fs.writeFileSync(two, empty);
    const copy = compileRelays({ modules: '4' }, { relays: [one, one] });
    assert.deepEqual([copy.relays.length, copy.relayOf], [1, [0, 0]]);
    assert.ok(copy.relays[0].module instanceof WebAssembly.Module);
    const shared = compileRelays({ modules: '8' }, { relays: [one, two, two, one, one, two] }, 3);
    assert.deepEqual([shared.relays.length, shared.relayOf], [2, [0, 1, 1, 0, 0, 1]]);
    assert.equal(shared.relays[0].bytes.length > empty.length, true, 'a repeat\'s own bytes');
    assert.throws(() => compileRelays({ modules: '4' }, { relays: [one] }),
      /a chain of 4 modules has 2 relays, but the job names 1 relay files/);
    assert.throws(() => compileRelays({ modules: 'x' }, { relays: [one] }), /modules = x is not a chain/);
    assert.throws(() => compileRelays({ modules: '3' }, { relays: [path.join(dir, 'none.wasm')] }), /cannot read guest .*none.wasm/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('the shared memory of a chain takes what every guest accepts, relays too', () => {
  const guest = (limits) => ({ bytes: moduleImportingMemory(limits) });
  const memory = createSharedMemory([['producer', guest([0x00, 17])], ['consumer', guest([0x01, 20, 0x80, 0x02])],
    ['relay 1', guest([0x00, 40])], ['relay 2', guest([0x01, 30, 100])]], 4096);
  assert.equal(memory.buffer.byteLength / 65536, 40);
  assert.throws(() => memory.grow(61), RangeError, 'the smallest maximum, relay 2\'s 100 pages');
  const bare = { bytes: Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0) };
  assert.throws(() => createSharedMemory([['producer', guest([0x00, 1])], ['relay 1', bare]], 4096),
    /the relay 1 does not import env.memory/);
  assert.throws(() => createSharedMemory([['relay 3', guest([0x00, 40])]], 32), /needs 40 pages, more than the cap of 32/);
});

test('a chain\'s guests in the shared memory lie each above the one below it (abi.rs check_shared_chain)', () => {
  const base = (j) => sharedRelayBase(j);
  assert.deepEqual([base(1), base(2), base(6)], [2 * SHARED_CONSUMER_BASE, 0x60_0000, 0xe0_0000]);
  const [p, c] = [0x11_0000, SHARED_CONSUMER_BASE + 0x11_0000];
  checkSharedChain(p, c, [base(1) + 0x11_0000, base(2) + 0x11_0000]);
  assert.throws(() => checkSharedChain(p, c, [base(1) + 0x11_0000, base(2)]), (e) => e.message ===
    'guests overlap in the shared memory: relay 2 spans 0x600000..0x600000, the guest below it ends at 0x510000; ' +
    'rebuild the guests');
  assert.throws(() => checkSharedChain(p, base(1) + 1, [base(1) + 0x11_0000]), /relay 1 spans 0x400000\.\.0x510000, the guest below it ends at 0x400001/);
  assert.throws(() => checkSharedChain(SHARED_CONSUMER_BASE + 1, c, [base(1) + 0x11_0000]), /producer data and stack end at/);
});

/** A text's bytes at `at` of `memory`, packed as a guest hands it over. */
function put(memory, at, text) {
  new Uint8Array(memory.buffer).set(Buffer.from(text), at);
  return pack(at, text.length);
}

/** The text at `ptr`..`ptr + len` of `memory`. */
const textAt = (memory, ptr, len) => Buffer.from(new Uint8Array(memory.buffer, ptr, len)).toString();

/**
 * Stand-in guests of a chain with `relays` relays, under `copy` (each its own memory, the exports
 * a copy guest has) or in `shared` (one memory, each guest's `__heap_base` where abi.rs puts it):
 * `calls` records what each guest was handed, read from the memory it reads. Relay 1 moves each
 * request 100 bytes on in its memory and forwards that range; a relay refuses `bad` requests;
 * `digests` says what each relay's `relay_digest` answers.
 */
function chainGuests(relays, calls, { shared = null, digests = [] } = {}) {
  const mem = () => shared ?? new WebAssembly.Memory({ initial: 1 });
  const global = (value) => new WebAssembly.Global({ value: 'i32' }, value);
  const producerMemory = mem();
  const producer = {
    memory: producerMemory,
    __heap_base: global(0x11_0000),
    produce: (i) => put(producerMemory, 64, i === 9 ? 'bad' : `request ${i}`.padEnd(10 + i, '.')),
    check_reply: (ptr, len) => { calls.push(['check_reply', ptr, textAt(producerMemory, ptr, len)]); return 0; },
    checksum: () => -7n,
    bench_encode: () => 0,
    error_message: () => 0n,
    reply_buffer: (len) => { calls.push(['reply_buffer', len]); return 4096; },
  };
  const relay = (j) => {
    const memory = mem();
    const own = shared ? SHARED_CONSUMER_BASE * (j + 1) : 0;
    return {
      memory,
      __heap_base: global(own + 0x11_0000),
      request_buffer: (len) => { calls.push([`relay ${j} request_buffer`, len]); return own + 256; },
      relay: (ptr, len) => {
        const text = textAt(memory, ptr, len);
        calls.push([`relay ${j}`, ptr, text]);
        if (text === 'bad') return 0n;
        return j === 1 ? put(memory, ptr + 100, text) : pack(ptr, len);
      },
      relay_digest: () => digests[j - 1] ?? 0x1234n,
    };
  };
  const consumerMemory = mem();
  const consumer = {
    memory: consumerMemory,
    __heap_base: global(SHARED_CONSUMER_BASE + 0x11_0000),
    request_buffer: (len) => { calls.push(['consumer request_buffer', len]); return 512; },
    consume: (ptr, len) => {
      const text = textAt(consumerMemory, ptr, len);
      calls.push(['consume', ptr, text]);
      return put(consumerMemory, shared ? SHARED_CONSUMER_BASE + 2048 : 2048, `ok ${text.split(' ')[1].replace(/\.+$/, '')}`);
    },
    ping: (x) => x + 1,
    bench_decode: (ptr, len) => (textAt(consumerMemory, ptr, len).startsWith('request') ? 0 : 1),
    error_message: () => 0n,
  };
  return {
    producer: { exports: producer },
    relays: Array.from({ length: relays }, (_, k) => ({ exports: relay(k + 1) })),
    consumer: { exports: consumer },
  };
}

const HOST = Object.freeze({ logging: 'off', wasi: null });

test('a copy chain carries the request into each relay and on from the range it forwards, the reply straight back', () => {
  const calls = [];
  const g = chainGuests(2, calls);
  const link = copyChainLink(g.producer, g.relays, g.consumer);
  const pair = makeChainPair(HOST, link, null);
  pair.roundTrip(0);
  assert.deepEqual(calls, [
    ['relay 1 request_buffer', 10], ['relay 1', 256, 'request 0.'],
    ['relay 2 request_buffer', 10], ['relay 2', 256, 'request 0.'], // from relay 1's range, 100 bytes on
    ['consumer request_buffer', 10], ['consume', 512, 'request 0.'],
    ['reply_buffer', 4], ['check_reply', 4096, 'ok 0'],
  ]);
  assert.equal(textAt(g.relays[0].exports.memory, 356, 10), 'request 0.');
  // Buffers are asked for again only for a larger message; each hop's copies count.
  calls.length = 0;
  pair.roundTrips(1, 2);
  assert.deepEqual(calls.filter(([what]) => what.endsWith('buffer')), [
    ['relay 1 request_buffer', 11], ['relay 2 request_buffer', 11], ['consumer request_buffer', 11],
    ['relay 1 request_buffer', 12], ['relay 2 request_buffer', 12], ['consumer request_buffer', 12],
  ]);
  assert.deepEqual(pair.traffic(), { request_bytes: 33, reply_bytes: 12, copied_bytes: 3 * 33 + 12 });
  assert.deepEqual(link.memories.length, 4);
  assert.equal(pair.checksum(), -7n);
  // The decode benchmark's request comes through the chain, as a round trip's.
  calls.length = 0;
  pair.stage(1);
  pair.decodeBatch(3);
  assert.deepEqual(calls.map(([what]) => what), ['relay 1', 'relay 2']);
  assert.throws(() => pair.roundTrip(9), (e) => e instanceof Failure && e.kind === 'Error' &&
    e.message === 'relay 1 could not read the request (its error_message says why)');
});

test('a chain under call = import: env.deliver walks the chain and hands the reply back where the producer reads it', () => {
  for (const transport of ['copy', 'shared']) {
    const calls = [];
    const shared = transport === 'shared' ? new WebAssembly.Memory({ initial: 128 }) : null;
    const g = chainGuests(3, calls, { shared });
    const route = makeChainRoute();
    const outcomes = [];
    g.producer.exports.round_trip = (i) => { // the producer's own: produce, env.deliver, check
      wide[0] = g.producer.exports.produce(i);
      const reply = route.deliver(halves[1], halves[0]);
      outcomes.push(reply);
      if (reply === 0n) return 1;
      wide[0] = reply;
      return g.producer.exports.check_reply(halves[1], halves[0]);
    };
    const link = shared ? sharedChainLink(shared, g.producer, g.relays, g.consumer) : copyChainLink(g.producer, g.relays, g.consumer);
    const pair = makeChainPair(HOST, link, route);
    pair.roundTrips(0, 3);
    const replyAt = shared ? SHARED_CONSUMER_BASE + 2048 : 4096;
    assert.deepEqual(outcomes, [pack(replyAt, 4), pack(replyAt, 4), pack(replyAt, 4)], transport);
    assert.deepEqual(calls.filter(([what]) => what === 'check_reply'), [0, 1, 2].map((i) => ['check_reply', replyAt, `ok ${i}`]));
    assert.equal(calls.filter(([what]) => /^relay \d$/.test(what)).length, 9, transport);
    assert.deepEqual(pair.traffic(), { request_bytes: 33, reply_bytes: 12, copied_bytes: shared ? 0 : 4 * 33 + 12 }, transport);
    // A relay's refusal reaches the worker through the producer's frames as it is.
    assert.throws(() => pair.roundTrip(9), /^Error: relay 1 could not read the request/);
  }
});

test('a shared chain copies nothing: each relay reads the request where it is, the reply stays where the consumer wrote it', () => {
  const calls = [];
  const memory = new WebAssembly.Memory({ initial: 128 });
  const g = chainGuests(2, calls, { shared: memory });
  const pair = makeChainPair(HOST, sharedChainLink(memory, g.producer, g.relays, g.consumer), null);
  pair.roundTrip(0);
  assert.deepEqual(calls, [['relay 1', 64, 'request 0.'], ['relay 2', 164, 'request 0.'], ['consume', 164, 'request 0.'],
    ['check_reply', SHARED_CONSUMER_BASE + 2048, 'ok 0']]);
  assert.deepEqual(pair.traffic(), { request_bytes: 10, reply_bytes: 4, copied_bytes: 0 });
  // The guests' layout is checked: a relay whose data lies below its base overlaps the consumer.
  const low = chainGuests(2, [], { shared: memory });
  low.relays[1].exports.__heap_base = new WebAssembly.Global({ value: 'i32' }, sharedRelayBase(2));
  assert.throws(() => sharedChainLink(memory, low.producer, low.relays, low.consumer), /relay 2 spans 0x600000\.\.0x600000/);
  delete low.relays[0].exports.relay_digest;
  assert.throws(() => sharedChainLink(memory, low.producer, low.relays, low.consumer),
    /relay 1 lacks an export the harness calls: relay_digest/);
});

test('after the round trips every relay must have read relay 1\'s records: its digest says', () => {
  const g = chainGuests(3, [], { digests: [0x10n, 0x10n, -2n] });
  const pair = makeChainPair(HOST, copyChainLink(g.producer, g.relays, g.consumer), null);
  pair.roundTrip(0);
  assert.throws(() => pair.traffic(), (e) => e instanceof Failure && e.message ===
    'relay 3 read other records than relay 1 (digest 0xfffffffffffffffe, relay 1\'s 0x10)');
  const copy = chainGuests(2, []);
  delete copy.relays[1].exports.request_buffer;
  assert.throws(() => copyChainLink(copy.producer, copy.relays, copy.consumer), /relay 2 lacks an export the harness calls: request_buffer/);
});
