// Transport `bindgen`: the guests as an app built with wasm-pack has them, each behind the glue
// `wasm-bindgen --target web` wrote for it (guests built with the feature `bindgen`: `Vec<u8>`
// out, `&[u8]` in). The host never touches a guest's memory: it calls the glue, which copies a
// returned vector out of the guest into a new Uint8Array (and frees it there), and copies an
// argument array into the guest (allocating it there), so each message crosses twice. The glue
// keeps one instance in its module's state, so each pair loads its own copy of both glue modules
// (`glueUrl` gives each load its own URL); that load is the pair's environment.

import { Failure, describe, failureKind } from './report.mjs';
import { glueUrl } from './platform.mjs';
import { hostOutput } from './environment.mjs';
import { loops } from './pair.mjs';

const PRODUCER_EXPORTS = ['initSync', 'produce', 'check_reply', 'checksum', 'bench_encode', 'error_message'];
const CONSUMER_EXPORTS = ['initSync', 'consume', 'ping', 'bench_decode', 'error_message'];

let loads = 0;

/** A fresh copy of each guest's glue module: `{producer, consumer}`. */
export async function loadGlue(guests) {
  const load = ++loads;
  const glue = {};
  for (const [role, names] of [['producer', PRODUCER_EXPORTS], ['consumer', CONSUMER_EXPORTS]]) {
    try {
      glue[role] = await import(glueUrl(role, guests[role], load));
    } catch (e) {
      throw new Failure('Error', `cannot load the ${role}'s wasm-bindgen glue: ${describe(e)}`);
    }
    const missing = names.filter((name) => typeof glue[role][name] !== 'function');
    if (missing.length > 0) throw new Failure('Error', `the ${role}'s glue lacks what the harness calls: ${missing.join(', ')}`);
  }
  return glue;
}

/** Instantiates both guests through their glue (`initSync` with the compiled module); their memories. */
export function linkBindgen(host, modules) {
  const memories = [];
  for (const role of ['producer', 'consumer']) {
    let exports;
    try {
      exports = host.glue[role].initSync({ module: modules[role].module });
    } catch (e) {
      const kind = e instanceof RangeError && /memory/i.test(e.message) ? 'OutOfMemory' : failureKind(e);
      throw new Failure(kind, `cannot instantiate the ${role} through its glue: ${describe(e)}`);
    }
    memories.push(exports.memory);
  }
  return { glue: host.glue, memories };
}

/** The pair through the glue, with the calls `exercise` measures (as pair.mjs's `makePair`). */
export function makeBindgenPair(host, link) {
  const { producer: p, consumer: c } = link.glue;
  let [requestBytes, replyBytes, staged] = [0, 0, null];
  const roundTrip = (i) => {
    const request = p.produce(i);
    requestBytes += request.length;
    const reply = c.consume(request);
    if (reply === undefined) throw new Failure('Error', `consumer refused record ${i}: ${c.error_message()}`);
    replyBytes += reply.length;
    if (p.check_reply(reply) !== 0) {
      throw new Failure('Error', `producer refused the reply to record ${i}: ${p.error_message()}`);
    }
  };
  return {
    ...loops(roundTrip, c.ping),
    checksum: () => p.checksum(),
    encodeBatch(i, n) {
      p.bench_encode(i, n);
    },
    stage(i) {
      staged = p.produce(i);
    },
    decodeBatch(n) {
      if (staged === null) throw new Failure('Error', 'decode benchmark without a staged request');
      if (c.bench_decode(staged, n) !== 0) {
        throw new Failure('Error', `consumer could not decode the staged request: ${c.error_message()}`);
      }
    },
    // Each message is copied twice by the glue: out of its sender, into its receiver.
    traffic: () => ({ request_bytes: requestBytes, reply_bytes: replyBytes, copied_bytes: 2 * (requestBytes + replyBytes) }),
    output: () => hostOutput(host),
  };
}
