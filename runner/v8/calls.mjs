// The call pattern (runner/core/src/calls.rs): which one a producer was built for, read from its
// imports, and the route of `call = import`, the producer's `env.deliver` (calls.rs `deliver`).

import { Failure, describe, failureKind } from './report.mjs';
import { halves, wide } from './memory.mjs';

/** Whether a compiled module imports the function `env.deliver`: a producer built with `call-import`. */
export function importsDeliver(module) {
  return WebAssembly.Module.imports(module).some((i) => i.module === 'env' && i.name === 'deliver' && i.kind === 'function');
}

/**
 * Checks that the producer was built for the cell's call pattern (its imports say: `env.deliver`
 * only with the feature `call-import`), before it is instantiated.
 */
export function checkCallPattern(module, call) {
  const imports = importsDeliver(module);
  if (call === 'import' && !imports) {
    throw new Failure('Error', 'the producer does not import env.deliver: it was not built with the feature ' +
      'call-import, which call = import cells need');
  }
  if (call !== 'import' && imports) {
    throw new Failure('Error', 'the producer imports env.deliver: it was built with the feature call-import, ' +
      'for call = import cells only');
  }
}

/** A throw from inside `env.deliver` as it reaches the worker through the producer's frames. */
export function relayed(e) {
  if (e instanceof Failure || failureKind(e) !== 'Trap' || typeof e === 'symbol') return e;
  return new Failure('Trap', `inside env.deliver: ${describe(e)}`);
}

/**
 * The route of `call = import`: `deliver`, the producer's `env.deliver(ptr, len) -> i64` import,
 * runs the middle of a round trip as calls.rs `deliver` does and as the host's round trip does
 * between `produce` and `check_reply`: counts the request's bytes, carries it to the consumer,
 * has the consumer's `consume` answer (0n: refused, returned as is), counts the reply's bytes,
 * carries it back and returns the packed reply where the producer reads it. `deliver` exists before
 * the guests do (the producer imports it); `bind` hands it the linked guests.
 */
export function makeRoute(transport) {
  let consume = null;
  let toConsumer = null;
  let toProducer = null;
  let requestBytes = 0;
  let replyBytes = 0;
  // copy: the last packed reply handed back, kept while the reply buffer and length stay the
  // same, so most round trips make no BigInt.
  let lastAt = -1;
  let lastLen = -1;
  let lastPacked = 0n;

  const deliver = transport === 'shared'
    ? (ptr, len) => { // one memory: the consumer reads the request, the producer the reply, in place
      try {
        requestBytes += len >>> 0;
        const reply = consume(ptr, len);
        if (reply !== 0n) {
          wide[0] = reply;
          replyBytes += halves[0];
        }
        return reply;
      } catch (e) {
        throw relayed(e);
      }
    }
    : (ptr, len) => {
      try {
        len >>>= 0;
        requestBytes += len;
        const reply = consume(toConsumer(ptr >>> 0, len), len);
        if (reply === 0n) return 0n;
        wide[0] = reply;
        const replyLen = halves[0];
        replyBytes += replyLen;
        const at = toProducer(halves[1], replyLen);
        if (at !== lastAt || replyLen !== lastLen) {
          halves[1] = at;
          halves[0] = replyLen;
          lastPacked = wide[0];
          lastAt = at;
          lastLen = replyLen;
        }
        return lastPacked;
      } catch (e) {
        throw relayed(e);
      }
    };

  return {
    deliver,
    /** Hands `deliver` the linked guests: the consumer's exports and the transport's carries. */
    bind(consumerExports, link) {
      consume = consumerExports.consume;
      toConsumer = link.toConsumer;
      toProducer = link.toProducer;
    },
    /** What `deliver` carried so far. */
    traffic: () => ({ request_bytes: requestBytes, reply_bytes: replyBytes }),
  };
}
