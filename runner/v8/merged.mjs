// Transport `merged` (runner/core/src/merged.rs): both guests and the adapter of
// guests/merged/adapter.wat joined by binaryen's wasm-merge into one module with two memories (the
// multi-memory feature, which Chromium's V8 and Node 24's V8 13.6 have and Node 20's V8 11.3 has
// not: job.mjs MERGED_V8).
// It imports nothing and exports the producer's functions under their own names, the consumer's
// under `consumer.` and the adapter's under `merged.`. The pair is pair.mjs's `makePair` over a
// link whose carries are the adapter's `to_consumer` and `to_producer` (`memory.copy` inside
// wasm): under `call = host` the host's round trip calls them as under `copy`; under `call =
// import` the producer's `round_trip` reaches the consumer through the adapter's `deliver`, never
// leaving wasm. The adapter counts what it carried; its counters are read when the pair's traffic
// is (once, after the timed round trips), not counted by the host.
//
// A merged chain (`modules` above 2) holds the relays too, a memory each, their exports under
// `relay<j>.`: the adapter's `to_consumer` walks the request through every relay inside wasm. A
// relay that cannot read a request makes the adapter trap, saying which in `merged.refused_by`;
// the relays' digests are checked when the traffic is read (`copied`), as chain.mjs's `settle`.

import { Failure, describe, failureKind } from './report.mjs';
import { compileGuest } from './guests.mjs';
import { MemoryView } from './memory.mjs';
import { settle } from './chain.mjs';

/** The prefix of the consumer's exports the harness calls (`consumer.consume`, ...), and its memory's name. */
export const CONSUMER = 'consumer.';
/** The prefix of the adapter's exports (`merged.to_consumer`, ...). */
export const ADAPTER = 'merged.';

const CONSUMER_CALLS = ['consume', 'ping', 'bench_decode', 'error_message'];
const ADAPTER_CALLS = ['to_consumer', 'to_producer', 'request_bytes', 'reply_bytes', 'copied_bytes'];

/** The prefix of relay `j`'s exports in a merged chain, before `j` (`relay1.relay_digest`, ...). */
export const RELAY = 'relay';

/**
 * `f` (the adapter's `to_consumer`, or the producer's `round_trip`), whose failure is relay `j`'s
 * refusal where the adapter says (`refused()`, its `merged.refused_by`) a relay could not read the
 * request.
 */
function relayed(f, refused) {
  if (typeof f !== 'function') return f; // `call = host`: no round_trip, which makePair never calls
  return (...args) => {
    try {
      return f(...args);
    } catch (e) {
      const j = refused();
      if (j > 0) throw new Failure('Error', `relay ${j} could not read the request (its error_message says why)`);
      throw e;
    }
  };
}

/** Reads and compiles the job's merged module: the modules of a merged pair, `{ merged: { bytes, module } }`. */
export function compileMerged(guests, repeat) {
  if (typeof guests.merged !== 'string') throw new Failure('Error', 'the job names no merged module for transport merged');
  return { merged: compileGuest(guests.merged, 'merged module', repeat) };
}

/** Instantiates the merged module, with no imports (it has none), and links its guests (`mergedLink`). */
export function linkMerged(module) {
  let instance;
  try {
    instance = new WebAssembly.Instance(module, {});
  } catch (e) {
    // A memory V8 cannot make within the cap (`--wasm-max-mem-pages`) is a RangeError.
    const kind = e instanceof RangeError && /memory/i.test(e.message) ? 'OutOfMemory' : failureKind(e);
    throw new Failure(kind, `cannot instantiate the merged module: ${describe(e)}`);
  }
  return mergedLink(instance.exports);
}

/**
 * The link `makePair` takes (transport.mjs's shape), over the merged module's `exports`: the
 * producer's exports as they are, the consumer's under their names without the prefix, the two
 * memories (producer's first), the adapter's carries, the bytes it copied, and `route`, the
 * `call = import` route whose traffic is the adapter's (its `deliver` is inside the module).
 */
export function mergedLink(exports) {
  const table = (prefix, names) => Object.fromEntries(names.map((name) => {
    const f = exports[prefix + name];
    if (typeof f !== 'function') throw new Failure('Error', `the merged module lacks an export the harness calls: ${prefix}${name}`);
    return [name, f];
  }));
  const view = (name) => {
    const m = exports[name];
    if (!(m instanceof WebAssembly.Memory)) throw new Failure('Error', `the merged module exports no memory \`${name}\``);
    return new MemoryView(m);
  };
  const [producerView, consumerView] = [view('memory'), view(`${CONSUMER}memory`)];
  const adapter = table(ADAPTER, ADAPTER_CALLS);
  // A chain's relays, while the module exports the next one's digest (a pair has none).
  const relays = [];
  while (typeof exports[`${RELAY}${relays.length + 1}.relay_digest`] === 'function') {
    relays.push(table(`${RELAY}${relays.length + 1}.`, ['relay_digest']));
  }
  const refused = relays.length === 0 ? null : table(ADAPTER, ['refused_by']).refused_by;
  return {
    producer: { exports: refused === null ? exports : { ...exports, round_trip: relayed(exports.round_trip, refused) } },
    consumer: { exports: table(CONSUMER, CONSUMER_CALLS) },
    memories: [producerView.memory, consumerView.memory], producerView, consumerView,
    toConsumer: refused === null ? adapter.to_consumer : relayed(adapter.to_consumer, refused),
    toProducer: adapter.to_producer,
    // The counters are i64s (BigInts); a Number holds any count a run reaches. Read once, after
    // the timed round trips, with the relays' digests.
    copied: () => {
      settle(relays);
      return Number(adapter.copied_bytes());
    },
    route: {
      bind() {},
      traffic: () => ({ request_bytes: Number(adapter.request_bytes()), reply_bytes: Number(adapter.reply_bytes()) }),
    },
  };
}
