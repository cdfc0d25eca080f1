// The guests' .wasm files: read and compiled (each repeated set-up from bytes of its own, a custom
// section appended), and the limits of the memory a module imports, read from its import section
// (WebAssembly.Module.imports gives no limits).

import { Failure, describe } from './report.mjs';
import { readBytes } from './platform.mjs';

/** An unsigned LEB128 at `bytes[at]`: `[value, next offset]` (a Number: limits fit in 2^53). */
export function readLeb(bytes, at) {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at >= bytes.length) throw new Error('truncated LEB128 in the wasm module');
    const byte = bytes[at++];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, at];
    scale *= 128;
  }
}

/**
 * The limits, in pages, of the memory a module imports as `module.name`, read from its import
 * section: `{ minimum, maximum }` (maximum `null` if undeclared), or `null` if it has no such import.
 */
export function importedMemoryLimits(bytes, module = 'env', name = 'memory') {
  const text = new TextDecoder();
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error('not a wasm module (bad magic)');
  }
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size;
    [size, at] = readLeb(bytes, at);
    const end = at + size;
    if (id !== 2) { // not the import section
      at = end;
      continue;
    }
    let count;
    [count, at] = readLeb(bytes, at);
    const str = () => {
      let len;
      [len, at] = readLeb(bytes, at);
      const s = text.decode(bytes.subarray(at, at + len));
      at += len;
      return s;
    };
    const limits = () => {
      const flags = bytes[at++];
      let minimum, maximum = null;
      [minimum, at] = readLeb(bytes, at);
      if (flags & 1) [maximum, at] = readLeb(bytes, at);
      return { minimum, maximum, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
    };
    for (let i = 0; i < count; i++) {
      const mod = str();
      const field = str();
      const kind = bytes[at++];
      switch (kind) {
        case 0: [, at] = readLeb(bytes, at); break; // function: type index
        case 1: at++; limits(); break; // table: element type, limits
        case 2: { // memory
          const l = limits();
          if (mod === module && field === name) return l;
          break;
        }
        case 3: at += 2; break; // global: value type, mutability
        case 4: at++; [, at] = readLeb(bytes, at); break; // tag: attribute, type index
        default: throw new Error(`unknown import kind ${kind} in the wasm module`);
      }
    }
    return null;
  }
  return null;
}

/** Reads and compiles one guest: `{ bytes, module }`. */
export function compileGuest(file, role, repeat) {
  let bytes;
  try {
    bytes = readBytes(file);
  } catch (e) {
    throw new Failure('Error', `cannot read guest ${file}: ${e.message}`);
  }
  if (repeat !== undefined) bytes = withRepeatSection(bytes, repeat);
  try {
    return { bytes, module: new WebAssembly.Module(bytes) };
  } catch (e) {
    throw new Failure('Error', `cannot compile the ${role} ${file}: ${describe(e)}`);
  }
}

/**
 * `bytes` with a custom section (id 0) named `wasmatrix-repeat` holding `n` appended: the same
 * code, which V8 compiles again, where the same bytes would come back from its in-process cache of
 * compiled modules (keyed by the bytes) at a fraction of a compile.
 */
export function withRepeatSection(bytes, n) {
  const leb = (v) => {
    const out = [];
    do {
      out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>>= 7;
    } while (v > 0);
    return out;
  };
  const text = (t) => [...new TextEncoder().encode(t)];
  const name = text('wasmatrix-repeat');
  const body = [...leb(name.length), ...name, ...text(String(n))];
  const section = [0, ...leb(body.length), ...body];
  const out = new Uint8Array(bytes.length + section.length);
  out.set(bytes);
  out.set(section, bytes.length);
  return out;
}
