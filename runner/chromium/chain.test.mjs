// Chains of modules in a real page and in Node's V8: a chain of four (the producer, two relays,
// the consumer) the runner built (`runner run` of a matrix with `modules = [4]` builds them) runs
// under copy and shared, both call patterns, to the pair's checksum, copying two requests more a
// round trip under copy and nothing under shared. Skipped where the guests or Chromium
// (WASMATRIX_CHROMIUM, else Debian's /usr/lib/chromium/chromium) are not there.
// `node --test runner/chromium/`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REPORT_PREFIX } from '../v8/report.mjs';
import { V8_FLAGS } from '../v8/job.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GUESTS = path.join(ROOT, 'target/wasmatrix/guests/release/default/bare/logging-off');
const CHROMIUM = process.env.WASMATRIX_CHROMIUM ?? '/usr/lib/chromium/chromium';

/** The guests' folder of `transport` and `call`, a pair's (`modules` 2) or a chain's. */
function folder(transport, call, modules) {
  const parts = [transport === 'copy' ? 'own-memory' : 'shared-memory', 'raw'];
  if (modules !== 2) parts.push(`modules-${modules}`);
  if (call === 'import') parts.push('call-import');
  return path.join(GUESTS, ...parts);
}

/** The job's guests: under copy one relay file for every relay, under shared one per place in the memory. */
function guestsOf(transport, call, modules) {
  const dir = folder(transport, call, modules);
  const relays = Array.from({ length: modules - 2 }, (_, k) => path.join(dir, transport === 'copy' ? 'relay.wasm' : `relay-${k + 1}.wasm`));
  return { producer: path.join(dir, 'producer.wasm'), consumer: path.join(dir, 'consumer.wasm'), relays };
}

/** The report of one cell run by the worker of `runtime` (`v8`: Node's, `chromium`: a page). */
function runCell(runtime, transport, call, modules) {
  const job = JSON.stringify({
    cell: { compiler: 'turbofan', engine: 'jit', environment: 'bare', transport, codec: 'raw', profile: 'release',
      logging: 'off', allocator: 'default', runtime, call, modules: String(modules) },
    measure: { warmup: 5, samples: 3, batch: 10, timeout_s: 60, instantiations: 2, setup_repeats: 2 },
    guests: guestsOf(transport, call, modules), artifacts: GUESTS, phase: 'Measure',
  });
  const args = runtime === 'chromium'
    ? [path.join(ROOT, 'runner/chromium/worker.mjs'), '--browser', CHROMIUM, 'worker', job]
    : [...V8_FLAGS.turbofan, path.join(ROOT, 'runner/v8/worker.mjs'), 'worker', job];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  const line = out.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
  // The u64 checksum as text: a JS number would round it.
  return JSON.parse(line.slice(REPORT_PREFIX.length).replace(/"checksum":(\d+)/, '"checksum":"$1"'));
}

const CASES = [['copy', 'host'], ['copy', 'import'], ['shared', 'host'], ['shared', 'import']];
const files = CASES.flatMap(([transport, call]) => {
  const g = guestsOf(transport, call, 4);
  return [g.producer, g.consumer, ...g.relays];
});
const missing = [...new Set(files)].filter((f) => !fs.existsSync(f));

for (const runtime of ['v8', 'chromium']) {
  const absent = runtime === 'chromium' && !fs.existsSync(CHROMIUM) ? [...missing, CHROMIUM] : missing;
  test(`${runtime} runs a chain of four to the pair's checksum, copying two requests more a round trip under copy`,
    { skip: absent.length > 0 && `not there: ${absent.join(', ')}` }, () => {
      const pair = runCell(runtime, 'copy', 'host', 2);
      assert.equal(pair.failure, null);
      for (const [transport, call] of CASES) {
        const chain = runCell(runtime, transport, call, 4);
        const cell = `${transport} ${call}`;
        assert.equal(chain.failure, null, cell);
        assert.equal(chain.checksum, pair.checksum, cell);
        assert.equal(chain.request_bytes_mean, pair.request_bytes_mean, cell);
        assert.equal(chain.reply_bytes_mean, pair.reply_bytes_mean, cell);
        const copied = transport === 'copy' ? pair.copied_bytes_per_round_trip + 2 * pair.request_bytes_mean : 0;
        assert.ok(Math.abs(chain.copied_bytes_per_round_trip - copied) < 1e-9, `${cell}: ${chain.copied_bytes_per_round_trip}`);
        assert.ok(chain.producer_memory_pages > 0 && chain.consumer_memory_pages > 0, cell);
        assert.ok(chain.round_trip.length > 0 && chain.decode.length > 0, cell);
        assert.equal(chain.instantiate_pair.length, 2, cell);
      }
    });
}
