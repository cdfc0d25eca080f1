// What the V8 worker's measuring modules (runner/v8) take from their host, in a page: page.html's
// import map puts this module in place of runner/v8/platform.mjs, so the page runs the worker's
// own files. The clock is `performance.now()`, whose resolution Chromium coarsens to 5 µs in a
// cross-origin-isolated page (100 µs otherwise: the driver serves the page with COOP and COEP);
// it is measured here, and measure.mjs sizes its timed regions to at least 100 steps. A page has
// no CPU clock and no resident set of its own (null: the driver reads the renderer's peak from
// /proc), reads the guests' bytes fetched before the cell starts, and sends each line to the
// driver through the DevTools binding it added (`wasmatrixLine`).

/** Nanoseconds since the page's time origin, as a BigInt (monotonic within the page). */
export const now = () => BigInt(Math.round(performance.now() * 1e6));

let resolution = null;

/** The smallest step of `performance.now()` seen in a run of reads, in ns (measured once). */
export function clockResolutionNs() {
  if (resolution === null) {
    let smallest = Infinity;
    let last = performance.now();
    for (let steps = 0, reads = 0; steps < 50 && reads < 10_000_000; reads++) {
      const t = performance.now();
      if (t > last) {
        smallest = Math.min(smallest, t - last);
        last = t;
        steps++;
      }
    }
    resolution = Number.isFinite(smallest) ? Math.max(1, Math.round(smallest * 1e6)) : 1e6;
  }
  return resolution;
}

/** A page has no CPU clock (`setup_cpu_ns` stays empty). */
export const cpuTimeNs = () => null;

/** A page cannot read its process's resident set: the driver reads the renderer's peak. */
export const peakRssKib = () => null;

/** Nor the resident set now (`instantiate_rss_kib` stays empty). */
export const rssKib = () => null;

const files = new Map();

/**
 * Fetches the job's guests from the driver's server (`/guests/producer`, `/guests/consumer`,
 * `/guests/merged` where the job names a merged module, and `/guests/relays/K` for a chain's relay
 * files, each distinct file once) for `readBytes`.
 */
export async function preload(guests) {
  const wanted = ['producer', 'consumer', 'merged'].filter((r) => typeof guests[r] === 'string')
    .map((role) => [role, `/guests/${role}`, guests[role]]);
  (guests.relays ?? []).forEach((file, k) => {
    if (guests.relays.indexOf(file) === k) wanted.push([`relay ${k + 1}`, `/guests/relays/${k}`, file]);
  });
  for (const [role, url, file] of wanted) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot fetch the ${role} ${file}: HTTP ${response.status}`);
    files.set(file, new Uint8Array(await response.arrayBuffer()));
  }
}

/** A guest's bytes, fetched by `preload`. */
export function readBytes(file) {
  const bytes = files.get(file);
  if (bytes === undefined) throw new Error(`${file} was not fetched before the cell`);
  return bytes;
}

/** The URL of load `n` of a guest's wasm-bindgen glue (server.mjs serves it beside the guest). */
export const glueUrl = (role, _wasm, n) => `/guests/${role}.js?pair=${n}`;

/** Sends one line to the driver, which writes it to the worker's stdout. */
export function printLine(line) {
  if (typeof globalThis.wasmatrixLine !== 'function') throw new Error('no wasmatrixLine binding: the page runs only under runner/chromium/worker.mjs');
  globalThis.wasmatrixLine(line);
}
