// A chain of more than two modules (the `modules` axis; wasmatrix-core's `transport::Chain`,
// Wasmer's runner/wasmer/src/chain.rs): the producer, n − 2 relays, the consumer. A request goes hop
// by hop: carried to relay j (under `copy` into the buffer relay j allocated with its
// `request_buffer`; under `shared`, where every guest imports one memory at its own place in it,
// not at all), read by relay j's `relay(ptr, len)`, which hands back the range to forward (0: it
// could not read it), and after the last relay carried to the consumer as a pair carries it. The
// reply goes from the consumer straight back to the producer, as in a pair. Under `call = import`
// the producer's `env.deliver` walks the same chain (`makeChainRoute`); relays import nothing but
// the shared memory (chains run in the bare environment, logging off). After the timed round
// trips, when the traffic is read, every relay's `relay_digest` must be relay 1's.
//
// The pair's hot path (pair.mjs, transport.mjs) stays as it is: a chain has its own round trip
// and its own carries here, and shares the rest of a pair's calls (`pairCalls`).

import { Failure } from './report.mjs';
import { MemoryView, halves, wide } from './memory.mjs';
import { compileGuest } from './guests.mjs';
import { instantiateGuest } from './environment.mjs';
import { relayed } from './calls.mjs';
import { SHARED_CONSUMER_BASE, checkSharedLayout, createSharedMemory, heapBase } from './transport.mjs';
import { exportsOf, pairCalls, pairGuests, refused } from './pair.mjs';

/** Where relay `j` (from 1) starts its data and stack in the shared memory (abi.rs `shared_relay_base`). */
export const sharedRelayBase = (j) => SHARED_CONSUMER_BASE * (j + 1);

const hex = (n) => `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;

/**
 * Refuses a chain's guests whose data and stacks overlap in the shared memory, from each one's end
 * (`__heap_base`): the pair's check, then each relay above the guest below it (the consumer, then
 * relay j − 1) and reaching above its own base (abi.rs `check_shared_chain`).
 */
export function checkSharedChain(producerEnd, consumerEnd, relayEnds) {
  checkSharedLayout(producerEnd, consumerEnd);
  relayEnds.forEach((end, k) => {
    const j = k + 1;
    const [below, base] = [k === 0 ? consumerEnd : relayEnds[k - 1], sharedRelayBase(j)];
    if (below > base || end <= base) {
      throw new Failure('Error', `guests overlap in the shared memory: relay ${j} spans ${hex(base)}..${hex(end)}, ` +
        `the guest below it ends at ${hex(below)}; rebuild the guests`);
    }
  });
}

/**
 * Reads and compiles a chain's relays (`job.guests.relays`, one per relay, in order from the
 * producer's side), each distinct file once (under `copy` one file serves every relay):
 * `{ relays: [{ bytes, module }], relayOf }`, `relayOf[j − 1]` the module relay j instantiates.
 */
export function compileRelays(cell, guests, repeat) {
  const count = Number(cell.modules);
  const files = guests.relays ?? [];
  if (!Number.isInteger(count) || count < 3) throw new Failure('Error', `modules = ${cell.modules} is not a chain`);
  if (files.length !== count - 2) {
    throw new Failure('Error', `a chain of ${count} modules has ${count - 2} relays, but the job names ${files.length} ` +
      'relay files');
  }
  const distinct = [...new Set(files)];
  return {
    relays: distinct.map((file) => compileGuest(file, `relay ${files.indexOf(file) + 1}`, repeat)),
    relayOf: files.map((file) => distinct.indexOf(file)),
  };
}

/** Relay `j`'s exports the chain calls (`memory` and `request_buffer` under `copy` too). */
function relayExports(instance, j, copy) {
  const exports = exportsOf(instance, `relay ${j}`, copy ? ['relay', 'relay_digest', 'request_buffer'] : ['relay', 'relay_digest']);
  if (copy && !(exports.memory instanceof WebAssembly.Memory)) throw new Failure('Error', `relay ${j} exports no memory`);
  return exports;
}

/** Relay `j` (from 1) could not read a request (`relay_refused`). */
const relayRefused = (j) => new Failure('Error', `relay ${j} could not read the request (its error_message says why)`);

/**
 * A chain's checks after the timed round trips (`Chain::settle`; merged.mjs's merged chains too):
 * every relay read the same records as relay 1, its `relay_digest` says. Nothing for a pair.
 */
export function settle(relays) {
  if (relays.length === 0) return;
  const first = relays[0].relay_digest();
  relays.forEach((relay, k) => {
    const digest = k === 0 ? first : relay.relay_digest();
    if (digest !== first) {
      throw new Failure('Error', `relay ${k + 1} read other records than relay 1 (digest ${hex(digest)}, relay 1's ` +
        `${hex(first)})`);
    }
  });
}

/**
 * One hop of `copy`: from the sender's memory (`from`, a MemoryView) into a buffer the receiver
 * allocated (`allocate`, its `request_buffer` or `reply_buffer`), asked again only for a larger
 * message, as transport.mjs's `linkCopy` carries a pair's (which keeps its own closures: the
 * pair's hot path). `carry(ptr, len)` returns where the bytes are in the receiver's memory.
 */
function copyHop(from, to, allocate) {
  let [at, capacity, copied] = [0, 0, 0];
  return {
    carry(ptr, len) {
      if (capacity < len) {
        at = allocate(len) >>> 0;
        capacity = len;
      }
      const source = from.get();
      if (ptr + len > source.length) throw new Failure('Error', 'guest handed over bytes outside its memory');
      const into = to.get();
      if (at + len > into.length) throw new Failure('Error', 'receiver\'s buffer lies outside its memory');
      into.set(source.subarray(ptr, ptr + len), at);
      copied += len;
      return at;
    },
    copied: () => copied,
  };
}

/**
 * The link of a chain under `copy`, over its instances (`producer`, `relays` in order, `consumer`,
 * each `{ exports }`): every guest's own memory (`memories`, the producer's first and the
 * consumer's last), `forward(ptr, len)`, which walks the request from the producer's memory
 * through every relay into the consumer's and leaves where it is there in `at` (`{ ptr, len }`:
 * a relay forwards the range it returns), `toProducer`, the reply's carry, `copied()`, the bytes
 * every hop copied, and `settle()`.
 */
export function copyChainLink(producer, relays, consumer) {
  const own = (instance, role) => {
    const m = instance.exports.memory;
    if (!(m instanceof WebAssembly.Memory)) throw new Failure('Error', `the ${role} exports no memory`);
    return new MemoryView(m);
  };
  const [producerView, consumerView] = [own(producer, 'producer'), own(consumer, 'consumer')];
  const fns = relays.map((instance, k) => relayExports(instance, k + 1, true));
  const views = [producerView, ...fns.map((f) => new MemoryView(f.memory)), consumerView];
  const receivers = [...fns, exportsOf(consumer, 'consumer', ['request_buffer'])];
  // Hop h carries from guest h to guest h + 1 of the producer, the relays, the consumer.
  const hops = receivers.map((r, h) => copyHop(views[h], views[h + 1], r.request_buffer));
  const back = copyHop(consumerView, producerView, exportsOf(producer, 'producer', ['reply_buffer']).reply_buffer);
  const carries = hops.map((hop) => hop.carry);
  const passes = fns.map((f) => f.relay);
  const [last, n] = [carries[carries.length - 1], passes.length];
  const at = { ptr: 0, len: 0 };
  return {
    producer, consumer, memories: views.map((v) => v.memory), producerView, consumerView, at,
    forward(ptr, len) {
      for (let j = 0; j < n; j++) {
        const packed = passes[j](carries[j](ptr, len), len);
        if (packed === 0n) throw relayRefused(j + 1);
        wide[0] = packed;
        ptr = halves[1];
        len = halves[0];
      }
      at.ptr = last(ptr, len);
      at.len = len;
    },
    toProducer: back.carry,
    copied: () => hops.reduce((sum, hop) => sum + hop.copied(), back.copied()),
    settle: () => settle(fns),
  };
}

/**
 * The link of a chain under `shared`, as `copyChainLink`'s: one `memory` every guest imports, so
 * `forward` only has each relay read the request where it is, and the reply stays where the
 * consumer wrote it (`toProducer` is null); the guests' layouts are checked not to overlap.
 */
export function sharedChainLink(memory, producer, relays, consumer) {
  const fns = relays.map((instance, k) => relayExports(instance, k + 1, false));
  checkSharedChain(heapBase(producer, 'producer'), heapBase(consumer, 'consumer'),
    relays.map((instance, k) => heapBase(instance, `relay ${k + 1}`)));
  const view = new MemoryView(memory);
  const passes = fns.map((f) => f.relay);
  const n = passes.length;
  const at = { ptr: 0, len: 0 };
  return {
    producer, consumer, memories: [memory], producerView: view, consumerView: view, at,
    forward(ptr, len) {
      for (let j = 0; j < n; j++) {
        const packed = passes[j](ptr, len);
        if (packed === 0n) throw relayRefused(j + 1);
        wide[0] = packed;
        ptr = halves[1];
        len = halves[0];
      }
      at.ptr = ptr;
      at.len = len;
    },
    toProducer: null,
    copied: () => 0,
    settle: () => settle(fns),
  };
}

/**
 * Instantiates a chain's guests from `modules` (`{ producer, consumer, relays, relayOf }`) in
 * `host`, in the order producer, relays, consumer, and links them as `transport` says (`shared`:
 * one memory of what every import accepts, within `cap` pages).
 */
export function linkChain(host, modules, transport, cap) {
  const shared = transport === 'shared'
    ? createSharedMemory([['producer', modules.producer], ['consumer', modules.consumer],
      ...modules.relayOf.map((which, k) => [`relay ${k + 1}`, modules.relays[which]])], cap)
    : null;
  const producer = instantiateGuest(host, modules.producer.module, 'producer', shared);
  const relays = modules.relayOf.map((which, k) => instantiateGuest(host, modules.relays[which].module, `relay ${k + 1}`, shared));
  const consumer = instantiateGuest(host, modules.consumer.module, 'consumer', shared);
  return shared ? sharedChainLink(shared, producer, relays, consumer) : copyChainLink(producer, relays, consumer);
}

/**
 * The route of a chain under `call = import` (calls.mjs `makeRoute`'s, over a chain): `deliver`,
 * the producer's `env.deliver(ptr, len) -> i64`, counts the request, walks it through the chain,
 * has the consumer answer, counts the reply, carries it back (under `copy`) and returns where the
 * producer reads it (0n: the consumer refused). `bind` hands it the consumer and the link.
 */
export function makeChainRoute() {
  let consume = null;
  let link = null;
  let at = null;
  let toProducer = null;
  let requestBytes = 0;
  let replyBytes = 0;
  // copy: the last packed reply handed back, kept while the reply buffer and length stay the same,
  // so most round trips make no BigInt (as `makeRoute`).
  let lastAt = -1;
  let lastLen = -1;
  let lastPacked = 0n;
  const deliver = (ptr, len) => {
    try {
      len >>>= 0;
      requestBytes += len;
      link.forward(ptr >>> 0, len);
      const reply = consume(at.ptr, at.len);
      if (reply === 0n) return 0n;
      wide[0] = reply;
      const replyLen = halves[0];
      replyBytes += replyLen;
      if (toProducer === null) return reply; // shared: the producer reads it in place
      const back = toProducer(halves[1], replyLen);
      if (back !== lastAt || replyLen !== lastLen) {
        halves[1] = back;
        halves[0] = replyLen;
        lastPacked = wide[0];
        lastAt = back;
        lastLen = replyLen;
      }
      return lastPacked;
    } catch (e) {
      throw relayed(e);
    }
  };
  return {
    deliver,
    bind(consumerExports, chainLink) {
      consume = consumerExports.consume;
      link = chainLink;
      at = chainLink.at;
      toProducer = chainLink.toProducer;
    },
    traffic: () => ({ request_bytes: requestBytes, reply_bytes: replyBytes }),
  };
}

/**
 * The chain's guests as a pair (pair.mjs `makePair`'s calls): its own round trip, produce, walk
 * the chain, consume, carry the reply back, check it (or under `call = import`, `route` given, the
 * producer's `round_trip`, whose `env.deliver` walks it); the decode benchmark's request staged
 * through the chain, as a round trip's; the relays' digests checked when the traffic is read.
 */
export function makeChainPair(host, link, route) {
  const guests = pairGuests(link, Boolean(route));
  const { p, c, consumerSays, producerSays } = guests;
  route?.bind(c, link);
  const { produce, check_reply: checkReply, round_trip: producerRoundTrip } = p;
  const { consume } = c;
  const { at, forward, toProducer } = link;
  let requestBytes = 0;
  let replyBytes = 0;

  /** The producer encodes record `i`; returns [ptr, len] where the consumer reads it, through the relays. */
  const deliverRequest = (i) => {
    const packed = produce(i);
    if (packed === 0n) throw new Failure('Error', 'producer returned no request');
    wide[0] = packed;
    forward(halves[1], halves[0]);
    return [at.ptr, at.len];
  };

  const roundTrip = route
    ? (i) => {
      const outcome = producerRoundTrip(i);
      if (outcome !== 0) throw refused(guests, i, outcome);
    }
    : (i) => {
      const request = produce(i);
      if (request === 0n) throw new Failure('Error', 'producer returned no request');
      wide[0] = request;
      const len = halves[0];
      requestBytes += len;
      forward(halves[1], len);
      const reply = consume(at.ptr, at.len);
      if (reply === 0n) throw new Failure('Error', `consumer refused record ${i}: ${consumerSays()}`);
      wide[0] = reply;
      const replyLen = halves[0];
      replyBytes += replyLen;
      const back = toProducer === null ? halves[1] : toProducer(halves[1], replyLen);
      if (checkReply(back, replyLen) !== 0) {
        throw new Failure('Error', `producer refused the reply to record ${i}: ${producerSays()}`);
      }
    };

  const carried = route ? route.traffic : () => ({ request_bytes: requestBytes, reply_bytes: replyBytes });
  const pair = pairCalls(host, link, guests, roundTrip, deliverRequest, carried);
  // Read once, after the timed round trips, as the Rust workers' `count_traffic`: the relays'
  // digests are checked there, outside any timed region.
  return {
    ...pair,
    traffic() {
      link.settle();
      return pair.traffic();
    },
  };
}
