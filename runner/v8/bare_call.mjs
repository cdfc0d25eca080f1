// The floor a worker's bare call is held to: V8's own call of the consumer's `ping` from
// JavaScript in a minimal program (no harness, no worker protocol, no transport), timed as the
// worker times its call floor: batches of dependent calls, one clock read per batch; prints the
// median ns per call. runner/bare_call.sh runs it beside the other runtimes', with the compiler's
// V8 flags.
//
// node [V8 flags] bare_call.mjs CONSUMER.wasm   (a `bare` consumer with its own memory and logging
// off, which imports nothing)

import { readFileSync } from 'node:fs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node [V8 flags] bare_call.mjs CONSUMER.wasm');
  process.exit(2);
}
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {});
const ping = instance.exports.ping;
const [warmup, samples, batch] = [100_000, 50, 2000];
let x = 0;
for (let i = 0; i < warmup; i++) x = ping(x);
const perCall = [];
for (let s = 0; s < samples; s++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) x = ping(x);
  perCall.push(Number(process.hrtime.bigint() - start) / batch);
}
if (x < 0) console.error(x);
perCall.sort((a, b) => a - b);
console.log(perCall[samples >> 1].toFixed(1));
