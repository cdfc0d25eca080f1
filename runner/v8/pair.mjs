// The pair: the two instantiated guests and one round trip between them (runner/wasmer/src/
// pair.rs, the `Guests` trait of runner/core/src/guests.rs), with the calls `exercise` measures.

import { Failure } from './report.mjs';
import { halves, readText, wide } from './memory.mjs';
import { hostOutput } from './environment.mjs';

// The buffers a receiver allocates (`reply_buffer`, `request_buffer`) are the copy transport's to
// call and check (transport.mjs); the merged module's adapter calls them inside wasm.
const PRODUCER_EXPORTS = ['produce', 'check_reply', 'checksum', 'bench_encode', 'error_message'];
const CONSUMER_EXPORTS = ['consume', 'ping', 'bench_decode', 'error_message'];

/** The guest's exports the harness calls, or an Error naming the missing one. */
export function exportsOf(instance, role, names) {
  for (const name of names) {
    if (typeof instance.exports[name] !== 'function') {
      throw new Failure('Error', `${role} lacks an export the harness calls: ${name}`);
    }
  }
  return instance.exports;
}

/**
 * What every pair does with its round trip and the consumer's `ping`: `roundTrip`; `roundTrips(from,
 * n)`, round trips `from..from + n`; `pings(n)`, `n` bare calls of `ping`, each depending on the
 * last: the call floor.
 */
export function loops(roundTrip, ping) {
  return {
    roundTrip,
    roundTrips(from, n) {
      for (let i = from; i < from + n; i++) roundTrip(i);
    },
    pings(n) {
      let x = 0;
      for (let k = 0; k < n; k++) x = ping(x);
      return x;
    },
  };
}

/**
 * The producer's and the consumer's exports the harness calls (the producer's `round_trip` too
 * when `importing`: `call = import`), and what each says went wrong (its `error_message`).
 */
export function pairGuests(link, importing) {
  const p = exportsOf(link.producer, 'producer', importing ? [...PRODUCER_EXPORTS, 'round_trip'] : PRODUCER_EXPORTS);
  const c = exportsOf(link.consumer, 'consumer', CONSUMER_EXPORTS);
  return {
    p, c,
    producerSays: () => readText(link.producerView, p.error_message()),
    consumerSays: () => readText(link.consumerView, c.error_message()),
  };
}

/** Why round trip `i` failed, from the producer's `round_trip` answer (`call = import`). */
export function refused(guests, i, outcome) {
  if (outcome === 1) return new Failure('Error', `consumer refused record ${i}: ${guests.consumerSays()}`);
  if (outcome === 2) return new Failure('Error', `producer refused the reply to record ${i}: ${guests.producerSays()}`);
  return new Failure('Error', `the producer's round_trip answered ${outcome >>> 0} for record ${i}`);
}

/**
 * The instantiated guests, linked by `link`, as the `Guests` trait of guests.rs (calls.rs `Pair`).
 * The round trip is a closure over plain locals; the shared transport's has no transport calls at
 * all. Under `call = import` (`route` given) it is one call of the producer's `round_trip`, which
 * calls `route.deliver`.
 */
export function makePair(host, link, route) {
  const guests = pairGuests(link, Boolean(route));
  const { p, c, consumerSays, producerSays } = guests;
  route?.bind(c, link);
  const { produce, check_reply: checkReply } = p;
  const { consume } = c;
  const toConsumer = link.toConsumer;
  const toProducer = link.toProducer;
  let requestBytes = 0;
  let replyBytes = 0;

  /** The producer encodes record `i`; returns [ptr, len] where the consumer reads it. */
  const deliverRequest = (i) => {
    const packed = produce(i);
    if (packed === 0n) throw new Failure('Error', 'producer returned no request');
    wide[0] = packed;
    const len = halves[0];
    const ptr = toConsumer === null ? halves[1] : toConsumer(halves[1], len);
    return [ptr, len];
  };

  const producerRoundTrip = p.round_trip;

  /**
   * Round trip `i` (`Guests::round_trip`): under `import` the producer's own, through `env.deliver`;
   * under `host` the host's, with the transport's calls only where it has any.
   */
  const roundTrip = route
    ? (i) => {
      const outcome = producerRoundTrip(i);
      if (outcome !== 0) throw refused(guests, i, outcome);
    }
    : toConsumer === null
    ? (i) => {
      const request = produce(i);
      if (request === 0n) throw new Failure('Error', 'producer returned no request');
      wide[0] = request;
      const len = halves[0];
      requestBytes += len;
      const reply = consume(halves[1], len);
      if (reply === 0n) throw new Failure('Error', `consumer refused record ${i}: ${consumerSays()}`);
      wide[0] = reply;
      const replyLen = halves[0];
      replyBytes += replyLen;
      if (checkReply(halves[1], replyLen) !== 0) {
        throw new Failure('Error', `producer refused the reply to record ${i}: ${producerSays()}`);
      }
    }
    : (i) => {
      const request = produce(i);
      if (request === 0n) throw new Failure('Error', 'producer returned no request');
      wide[0] = request;
      const len = halves[0];
      const ptr = toConsumer(halves[1], len);
      requestBytes += len;
      const reply = consume(ptr, len);
      if (reply === 0n) throw new Failure('Error', `consumer refused record ${i}: ${consumerSays()}`);
      wide[0] = reply;
      const replyLen = halves[0];
      replyBytes += replyLen;
      const at = toProducer(halves[1], replyLen);
      if (checkReply(at, replyLen) !== 0) {
        throw new Failure('Error', `producer refused the reply to record ${i}: ${producerSays()}`);
      }
    };

  const carried = route ? route.traffic : () => ({ request_bytes: requestBytes, reply_bytes: replyBytes });
  return pairCalls(host, link, guests, roundTrip, deliverRequest, carried);
}

/**
 * A pair's calls around its round trip `roundTrip` (a pair's or a chain's, chain.mjs), over
 * `guests` (`pairGuests`): the loops, the checksum, the codec benchmarks (`deliverRequest(i)` puts
 * record `i` where the consumer reads it, as a round trip would: `[ptr, len]`), the traffic
 * (`carried()`, the request and reply bytes handed over so far; the link counts the copies) and
 * what the guests wrote.
 */
export function pairCalls(host, link, guests, roundTrip, deliverRequest, carried) {
  const { checksum, bench_encode: benchEncode } = guests.p;
  const { ping, bench_decode: benchDecode } = guests.c;
  // Where the request staged for the decode benchmark is, as the consumer sees it.
  let staged = null;
  return {
    ...loops(roundTrip, ping),
    /** The producer's checksum over every round trip so far, a BigInt (i64: negative above 2^63). */
    checksum: () => checksum(),
    encodeBatch(i, n) {
      benchEncode(i, n);
    },
    /** Puts record `i`, encoded, where the consumer reads requests, as a round trip would. */
    stage(i) {
      staged = deliverRequest(i);
    },
    decodeBatch(n) {
      if (staged === null) throw new Failure('Error', 'decode benchmark without a staged request');
      if (benchDecode(staged[0], staged[1], n) !== 0) {
        throw new Failure('Error', `consumer could not decode the staged request: ${guests.consumerSays()}`);
      }
    },
    traffic: () => ({ ...carried(), copied_bytes: link.copied() }),
    output: () => hostOutput(host),
  };
}
