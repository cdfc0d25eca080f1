// Transports: how a message gets from one guest to the other (runner/wasmer/src/transport/
// {shared,copy}.rs). `shared` links both guests to one host-made memory laid out as abi.rs says;
// `copy` carries each message from the sender's memory into the receiver's.

import { Failure, describe } from './report.mjs';
import { MAX_PAGES, MemoryView } from './memory.mjs';
import { importedMemoryLimits } from './guests.mjs';
import { instantiateGuest } from './environment.mjs';
import { exportsOf } from './pair.mjs';

/** Where the consumer's data and stack start in the shared memory (abi.rs). */
export const SHARED_CONSUMER_BASE = 2 << 20;

/** The shared memory's limits: the larger minimum, the smaller declared maximum (`shared_memory_pages`). */
export function sharedMemoryPages(producer, consumer) {
  const maxima = [producer.maximum, consumer.maximum].filter((m) => m !== null);
  return { minimum: Math.max(producer.minimum, consumer.minimum), maximum: maxima.length ? Math.min(...maxima) : null };
}

/** Refuses guests whose data and stacks overlap in the shared memory (`check_shared_layout`). */
export function checkSharedLayout(producerEnd, consumerEnd) {
  if (producerEnd > SHARED_CONSUMER_BASE || consumerEnd <= SHARED_CONSUMER_BASE) {
    const hex = (n) => `0x${n.toString(16)}`;
    throw new Failure('Error', `guests overlap in the shared memory: producer data and stack end at ${hex(producerEnd)}, ` +
      `consumer's span ${hex(SHARED_CONSUMER_BASE)}..${hex(consumerEnd)}; rebuild the guests`);
  }
}

/** The end of a guest's static data and stack: its exported i32 global `__heap_base`. */
export function heapBase(instance, role) {
  const g = instance.exports.__heap_base;
  if (!(g instanceof WebAssembly.Global) || typeof g.value !== 'number') {
    throw new Failure('Error', `the ${role} exports no i32 __heap_base, so its memory layout cannot be checked`);
  }
  return g.value >>> 0;
}

/**
 * `shared`: zero copy. One host-made memory both guests import as `env.memory`, with the larger
 * of their minimums and the smaller of their declared maximums, cut to the memory cap; the
 * guests' layouts are checked not to overlap. Only (pointer, length) crosses the host.
 */
export function linkShared(host, modules, cap) {
  const memory = createSharedMemory([['producer', modules.producer], ['consumer', modules.consumer]], cap);
  const producer = instantiateGuest(host, modules.producer.module, 'producer', memory);
  const consumer = instantiateGuest(host, modules.consumer.module, 'consumer', memory);
  checkSharedLayout(heapBase(producer, 'producer'), heapBase(consumer, 'consumer'));
  const view = new MemoryView(memory);
  return {
    producer, consumer, memories: [memory], producerView: view, consumerView: view,
    toConsumer: null, toProducer: null, copied: () => 0,
  };
}

/**
 * The memory that every guest of `guests` (`[role, { bytes }]`: a pair's two, or a chain's every
 * module) imports as `env.memory`: what all of them accept (`sharedMemoryPages` over each), cut to
 * the memory cap of `cap` pages.
 */
export function createSharedMemory(guests, cap) {
  const limits = guests.map(([role, { bytes }]) => {
    const l = importedMemoryLimits(bytes);
    if (!l) throw new Failure('Error', `the ${role} does not import env.memory: it was not built for the shared transport`);
    return l;
  });
  const { minimum, maximum } = limits.reduce(sharedMemoryPages);
  const capped = Math.min(maximum ?? MAX_PAGES, cap);
  if (minimum > capped) {
    throw new Failure('OutOfMemory', `the shared memory needs ${minimum} pages, more than the cap of ${cap} pages allows`);
  }
  let memory;
  try {
    memory = new WebAssembly.Memory({ initial: minimum, maximum: capped });
  } catch (e) {
    throw new Failure('OutOfMemory', `cannot create the shared memory (${minimum}..${capped} pages): ${describe(e)}`);
  }
  return memory;
}

/**
 * `copy`: each guest has its own memory. The host copies a message out of the sender's memory
 * into a buffer the receiver allocated once (`request_buffer` / `reply_buffer`, asked again only
 * for a larger message), and counts the bytes. One copy, memory to memory (the Rust side stages
 * through a scratch buffer because of borrowing; JS needs none).
 */
export function linkCopy(host, modules) {
  const producer = instantiateGuest(host, modules.producer.module, 'producer', null);
  const consumer = instantiateGuest(host, modules.consumer.module, 'consumer', null);
  const own = (instance, role) => {
    const m = instance.exports.memory;
    if (!(m instanceof WebAssembly.Memory)) throw new Failure('Error', `${role} exports no memory`);
    return new MemoryView(m);
  };
  const producerView = own(producer, 'producer');
  const consumerView = own(consumer, 'consumer');
  const requestBuffer = exportsOf(consumer, 'consumer', ['request_buffer']).request_buffer;
  const replyBuffer = exportsOf(producer, 'producer', ['reply_buffer']).reply_buffer;
  // The receivers' buffers: address and capacity.
  let requestPtr = 0, requestCap = 0, replyPtr = 0, replyCap = 0;
  let copied = 0;

  /** Copies `len` bytes at `ptr` of `source` into `target` at `to`. */
  const carry = (source, ptr, len, target, to) => {
    const from = source.get();
    if (ptr + len > from.length) throw new Failure('Error', 'guest handed over bytes outside its memory');
    const into = target.get();
    if (to + len > into.length) throw new Failure('Error', 'receiver\'s buffer lies outside its memory');
    into.set(from.subarray(ptr, ptr + len), to);
    copied += len;
  };
  return {
    producer, consumer, memories: [producerView.memory, consumerView.memory], producerView, consumerView,
    /** The request into the consumer's buffer; returns its address there. */
    toConsumer(ptr, len) {
      if (requestCap < len) {
        requestPtr = requestBuffer(len) >>> 0;
        requestCap = len;
      }
      carry(producerView, ptr, len, consumerView, requestPtr);
      return requestPtr;
    },
    /** The reply into the producer's buffer; returns its address there. */
    toProducer(ptr, len) {
      if (replyCap < len) {
        replyPtr = replyBuffer(len) >>> 0;
        replyCap = len;
      }
      carry(consumerView, ptr, len, producerView, replyPtr);
      return replyPtr;
    },
    copied: () => copied,
  };
}
