// A guest's memory as the host reads it: the memory cap in pages, views of a memory's bytes that
// survive its growth, unpacking a guest's packed (ptr << 32 | len) i64 and reading its messages.

/** wasm32's largest memory, in 64 KiB pages. */
export const MAX_PAGES = 65536;

/** The memory cap in pages: 16 per MiB, at most wasm32's 65,536 (`limits::Capped::new`). */
export function capPages(memoryLimitMib) {
  return Math.min(memoryLimitMib * 16, MAX_PAGES);
}

// Scratch for unpacking a guest's packed (ptr << 32 | len) i64 without BigInt arithmetic: the
// BigInt is stored once and read back as two u32 halves (little-endian: low half first).
export const wide = new BigUint64Array(1);
export const halves = new Uint32Array(wide.buffer);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('the V8 worker assumes a little-endian host');

/** A view of a memory's bytes that is made again only after the memory grew (its buffer detached). */
export class MemoryView {
  constructor(memory) {
    this.memory = memory;
    this.bytes = new Uint8Array(memory.buffer);
  }

  /** The current bytes: a detached buffer has length 0, a wasm memory never does once it has a page. */
  get() {
    if (this.bytes.length === 0) this.bytes = new Uint8Array(this.memory.buffer);
    return this.bytes;
  }
}

/** A packed UTF-8 message in a guest memory, for error reports (`read_text`). */
export function readText(view, packed) {
  if (packed === 0n) return '(no message)';
  wide[0] = packed;
  const ptr = halves[1];
  const len = Math.min(halves[0], 4096);
  const bytes = view.get();
  if (ptr + len > bytes.length) return `(unreadable message: ${ptr}+${len} lies outside the memory)`;
  return new TextDecoder().decode(bytes.subarray(ptr, ptr + len));
}
