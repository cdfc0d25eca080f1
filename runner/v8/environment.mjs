// What the guests may import (runner/wasmer/src/environment.rs): the bare log sink, or one WASI
// preview 1 environment per guest (`wasi`, `emscripten`: Node's, wasi.mjs, loaded only for them),
// instantiating a guest in it, what the guests wrote, and removing what the environment made.

import { Failure, describe, failureKind } from './report.mjs';
import { MemoryView } from './memory.mjs';

/** Emscripten's `__syscall_getcwd(buf, size)`: -ENOSYS (52 in Emscripten's errno numbering). */
function syscallGetcwd(_buf, _size) {
  return -52;
}

/**
 * The guests' environment (`Host::new`): under `bare`, the consumer's log sink; under `wasi` and
 * `emscripten`, one WASI preview 1 environment per guest, each seeing one empty directory as `/`,
 * no arguments, no environment variables, stdin /dev/null, and stdout and stderr in two files of
 * the job's private directory (both guests share them), never the worker's own stdout.
 */
export async function createHost(cell, scratch) {
  const host = {
    environment: cell.environment,
    logging: cell.logging,
    // The bare log sink: the consumer's memory and the lines so far (a growing byte buffer).
    log: { view: null, buffer: new Uint8Array(0), length: 0 },
    wasi: null,
    // `call = import`: the producer's `env.deliver` (a route's `deliver`, see `makeRoute`).
    deliver: null,
  };
  if (cell.environment === 'wasi' || cell.environment === 'emscripten') {
    host.wasi = await (await import('./wasi.mjs')).createWasi(scratch);
  }
  return host;
}

/** `env.wasmatrix_log(ptr, len)`: appends `len` bytes at `ptr` of the consumer's memory. */
function logSink(log) {
  return (ptr, len) => {
    ptr >>>= 0;
    len >>>= 0;
    if (log.view === null) throw new Failure('Trap', 'log line before the consumer\'s memory is known');
    const memory = log.view.get();
    if (ptr + len > memory.length) throw new Failure('Trap', 'log line outside the consumer\'s memory');
    if (log.length + len > log.buffer.length) { // grow as a Vec would: doubling
      const grown = new Uint8Array(Math.max(log.buffer.length * 2, log.length + len, 64));
      grown.set(log.buffer.subarray(0, log.length));
      log.buffer = grown;
    }
    log.buffer.set(memory.subarray(ptr, ptr + len), log.length);
    log.length += len;
  };
}

/** Instantiates one guest in `host` (`Host::instantiate`); `shared` is the transport's memory, if any. */
export function instantiateGuest(host, module, role, shared) {
  const wasi = host.wasi?.[role];
  const imports = wasi ? wasi.getImportObject() : {};
  const env = {};
  if (!wasi) env.wasmatrix_log = logSink(host.log);
  if (shared) env.memory = shared;
  if (host.environment === 'emscripten') env.__syscall_getcwd = syscallGetcwd;
  if (role === 'producer' && host.deliver !== null) env.deliver = host.deliver;
  imports.env = env;
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    // A memory V8 cannot make within the cap (`--wasm-max-mem-pages`) is a RangeError.
    const kind = e instanceof RangeError && /memory/i.test(e.message) ? 'OutOfMemory' : failureKind(e);
    throw new Failure(kind, `cannot instantiate the ${role}: ${describe(e)}`);
  }
  if (!wasi) {
    if (role === 'consumer') {
      const memory = shared ?? instance.exports.memory;
      if (!(memory instanceof WebAssembly.Memory)) throw new Failure('Error', `the ${role} exports no memory`);
      host.log.view = new MemoryView(memory);
    }
  } else {
    // WASI reads and writes through the guest's memory: its own, exported, or the one both guests
    // import, handed to node:wasi as the instance's `memory` export. `initialize` then calls the
    // reactor's `_initialize`, if it has one.
    const target = shared ? { exports: { ...instance.exports, memory: shared } } : instance;
    try {
      wasi.initialize(target);
    } catch (e) {
      throw new Failure(failureKind(e), `cannot initialize the ${role}'s WASI environment (or its _initialize failed): ${describe(e)}`);
    }
  }
  return instance;
}

/** What the guests wrote so far (`Host::output`): log bytes; under WASI, stdout and stderr bytes. */
export function hostOutput(host) {
  if (!host.wasi) {
    return { log_bytes: host.logging === 'on' ? host.log.length : null, stdout_bytes: null, stderr_bytes: null };
  }
  const { stdout, stderr } = host.wasi.written();
  // Under WASI the consumer logs to stdout.
  return { log_bytes: host.logging === 'on' ? stdout : null, stdout_bytes: stdout, stderr_bytes: stderr };
}

/** Closes and removes what the environment made in the job's directory. */
export function dropHost(host) {
  host?.wasi?.drop();
}
