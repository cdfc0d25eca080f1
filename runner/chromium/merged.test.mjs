// Transport `merged` in a real page: the merged module the runner built (`cargo test -p
// wasmatrix-runner --test merged` makes it) runs under both call patterns to the checksum and the
// traffic of the same guests under `copy`, with both memories' sizes. Skipped where the module or
// Chromium (WASMATRIX_CHROMIUM, else Debian's /usr/lib/chromium/chromium) is not there.
// `node --test runner/chromium/`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REPORT_PREFIX } from '../v8/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GUESTS = path.join(ROOT, 'target/wasmatrix/guests/release/default/bare/logging-off/merged/raw');
const CHROMIUM = process.env.WASMATRIX_CHROMIUM ?? '/usr/lib/chromium/chromium';

/** The report of one chromium cell of `transport` and `call`, over the guests in `dir`, run by worker.mjs. */
function runCell(transport, call, dir) {
  const guests = { producer: path.join(dir, 'producer.wasm'), consumer: path.join(dir, 'consumer.wasm') };
  if (transport === 'merged') guests.merged = path.join(dir, 'merged.wasm');
  const job = JSON.stringify({
    cell: { compiler: 'turbofan', engine: 'jit', environment: 'bare', transport, codec: 'raw', profile: 'release',
      logging: 'off', allocator: 'default', runtime: 'chromium', call },
    measure: { warmup: 5, samples: 3, batch: 10, timeout_s: 60, instantiations: 2, setup_repeats: 2 },
    guests, artifacts: dir, phase: 'Measure',
  });
  const out = execFileSync(process.execPath, [path.join(ROOT, 'runner/chromium/worker.mjs'), '--browser', CHROMIUM,
    'worker', job], { encoding: 'utf8', timeout: 120_000 });
  const line = out.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
  // The u64 checksum as text: a JS number would round it.
  return JSON.parse(line.slice(REPORT_PREFIX.length).replace(/"checksum":(\d+)/, '"checksum":"$1"'));
}

const missing = [path.join(GUESTS, 'merged.wasm'), path.join(GUESTS, 'call-import/merged.wasm'), CHROMIUM]
  .filter((f) => !fs.existsSync(f));

test('a page runs the merged module under both call patterns to copy\'s checksum and traffic',
  { skip: missing.length > 0 && `not there: ${missing.join(', ')}` }, () => {
    const copy = runCell('copy', 'host', GUESTS);
    assert.equal(copy.failure, null);
    for (const [call, dir] of [['host', GUESTS], ['import', path.join(GUESTS, 'call-import')]]) {
      const merged = runCell('merged', call, dir);
      assert.equal(merged.failure, null, call);
      assert.equal(merged.checksum, copy.checksum, call);
      for (const field of ['request_bytes_mean', 'reply_bytes_mean', 'copied_bytes_per_round_trip']) {
        assert.equal(merged[field], copy[field], `${call}: ${field}`);
      }
      assert.ok(merged.producer_memory_pages > 0 && merged.consumer_memory_pages > 0, call);
      assert.ok(merged.round_trip.length > 0, call);
      assert.equal(merged.instantiate_pair.length, 2, call);
    }
  });
