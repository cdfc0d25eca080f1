// What the V8 worker does without guests: reading jobs and cell names, writing the report (its
// u64 checksum by hand), and reading a module's memory import limits. `node --test runner/v8/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capPages, checkSharedLayout, emptyReport, importedMemoryLimits, missingFlags, parseCell, parseJob, readLeb,
  reportJson, sharedMemoryPages, u64Json, SHARED_CONSUMER_BASE, V8_FLAGS,
} from './worker.mjs';

test('a cell name is read axis by axis', () => {
  assert.deepEqual(parseCell('turbofan/jit/bare/shared/raw/release/off/default/v8'), {
    compiler: 'turbofan', engine: 'jit', environment: 'bare', transport: 'shared', codec: 'raw',
    profile: 'release', logging: 'off', allocator: 'default', runtime: 'v8',
  });
  const c = parseCell('liftoff/artifact/emscripten/copy/flatbuffers/wasm-opt/on/wee_alloc/v8');
  assert.equal(c.engine, 'artifact');
  assert.equal(c.allocator, 'wee_alloc');
});

test('older cell names end early, as Cell::parse reads them', () => {
  const c = parseCell('singlepass/jit/bare/copy/raw/release');
  assert.equal(c.logging, 'off');
  assert.equal(c.allocator, 'default');
  assert.equal(c.runtime, 'wasmer');
  assert.equal(parseCell('rustc/native/bare/copy/raw/release/off/default').runtime, 'native');
});

test('bad cell names are refused with the allowed values', () => {
  assert.throws(() => parseCell('turbo/jit/bare/shared/raw/release/off/default/v8'), /unknown compiler `turbo`; allowed: .*turbofan/);
  assert.throws(() => parseCell('turbofan/jit/bare/shared'), /missing codec/);
  assert.throws(() => parseCell('turbofan/jit/bare/shared/raw/release/off/default/v8/x'), /unexpected `x`/);
  assert.throws(() => parseCell(7), /not a string/);
});

test('a job gets serde\'s defaults and is checked', () => {
  const job = parseJob(JSON.stringify({
    cell: 'turbofan/jit/bare/shared/raw/release/off/default/v8',
    measure: { warmup: 1, samples: 2, batch: 3, timeout_s: 60 },
    guests: { producer: 'p.wasm', consumer: 'c.wasm' },
    artifacts: '/tmp/x',
    phase: 'Measure',
  }));
  assert.equal(job.mechanism, 'wall_clock');
  assert.equal(job.pin, null);
  assert.equal(job.measure.floor_batch, 1000);
  assert.equal(job.measure.codec_batch, 100);
  assert.equal(job.measure.memory_limit_mib, 4096);
  assert.throws(() => parseJob('{"cell":'), SyntaxError);
  assert.throws(() => parseJob(JSON.stringify({ cell: 'turbofan/jit/bare/shared/raw/release/off/default/v8',
    measure: { warmup: 1, samples: 2, batch: 3, timeout_s: 60 }, guests: null, artifacts: '/x', phase: 'Run' })), /phase/);
  assert.throws(() => parseJob(JSON.stringify({ cell: 'turbofan/jit/bare/shared/raw/release/off/default/v8',
    measure: { warmup: -1, samples: 2, batch: 3, timeout_s: 60 }, guests: null, artifacts: '/x', phase: 'Measure' })), /warmup/);
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
