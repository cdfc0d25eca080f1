// The page's server, on 127.0.0.1 at a port the system picks: page.html, the page's modules
// (runner/chromium), the V8 worker's shared modules (runner/v8), the job, its two guests, their
// wasm-bindgen glue, the merged module (transport `merged`) and a chain's relays where the job
// names them; nothing else. Every response carries COOP `same-origin` and COEP `require-corp`,
// which make the page cross-origin isolated: Chromium then coarsens `performance.now()` to 5 µs,
// not 100 µs, and SharedArrayBuffer exists.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Headers on every response. */
export const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cache-control': 'no-store',
};

const MODULE = /^\/(v8|chromium)\/([a-z_]+\.mjs)$/;

/** What `pathname` is: [file or bytes, content type], or null for not found. */
export function route(root, job, pathname) {
  if (pathname === '/') return [path.join(root, 'runner/chromium/page.html'), 'text/html; charset=utf-8'];
  if (pathname === '/job') return [Buffer.from(job.text), 'application/json'];
  // A guest, or the one module of both (`merged`, which only a merged cell's job names).
  const guest = /^\/guests\/(producer|consumer|merged)$/.exec(pathname);
  const file = guest === null ? undefined : job.guests?.[guest[1]];
  if (guest !== null) return typeof file === 'string' ? [file, 'application/wasm'] : null;
  // Relay j of a chain (`/guests/relays/0` the first: its index in the job's list).
  const relay = /^\/guests\/relays\/(0|[1-9][0-9]*)$/.exec(pathname);
  if (relay !== null) {
    const relayFile = job.guests?.relays?.[Number(relay[1])];
    return typeof relayFile === 'string' ? [relayFile, 'application/wasm'] : null;
  }
  // A guest's wasm-bindgen glue (transport `bindgen`), beside its .wasm.
  const glue = /^\/guests\/(producer|consumer)\.js$/.exec(pathname);
  if (glue !== null) {
    return job.guests === null ? null : [job.guests[glue[1]].replace(/\.wasm$/, '.js'), 'text/javascript; charset=utf-8'];
  }
  const module = MODULE.exec(pathname);
  if (module !== null) return [path.join(root, 'runner', module[1], module[2]), 'text/javascript; charset=utf-8'];
  return null;
}

/** Starts the server for `job` (`{text, guests}`); resolves to `{url, close}`. */
export async function startServer(root, job) {
  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://127.0.0.1');
    const found = route(root, job, pathname);
    let body = null;
    try {
      body = found === null ? null : Buffer.isBuffer(found[0]) ? found[0] : fs.readFileSync(found[0]);
    } catch { /* a file that is not there: not found */ }
    if (body === null) {
      response.writeHead(404, { 'content-type': 'text/plain', ...ISOLATION });
      response.end(`not found: ${pathname}`);
      return;
    }
    response.writeHead(200, { 'content-type': found[1], ...ISOLATION });
    response.end(body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}
