// Node's WASI preview 1 for the `wasi` and `emscripten` environments (environment.mjs loads this
// module only for them): one environment per guest, the files they write, and removing them.
// Node.js's own, as platform.mjs is: a host other than Node.js has no WASI here.

import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

/** Loads node:wasi without its one-time "ExperimentalWarning: WASI" on stderr. */
async function loadWasi() {
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
    emit.call(process, warning, ...rest);
  };
  try {
    return (await import('node:wasi')).WASI;
  } finally {
    process.emitWarning = emit;
  }
}

/**
 * The pair's WASI environments, one per guest (`producer`, `consumer`), each seeing one empty
 * directory of `scratch` as `/`, no arguments, no environment variables, stdin /dev/null, and
 * stdout and stderr in two files of `scratch` (both guests share them); `written()` says how many
 * bytes each file holds, `drop()` closes and removes them.
 */
export async function createWasi(scratch) {
  const WASI = await loadWasi();
  const root = path.join(scratch, `wasi-root-${process.pid}`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const stdoutPath = path.join(scratch, `wasi-stdout-${process.pid}`);
  const stderrPath = path.join(scratch, `wasi-stderr-${process.pid}`);
  const stdin = fs.openSync('/dev/null', 'r');
  const stdout = fs.openSync(stdoutPath, 'w+');
  const stderr = fs.openSync(stderrPath, 'w+');
  const env = () => new WASI({
    version: 'preview1', args: [], env: {}, preopens: { '/': root }, stdin, stdout, stderr, returnOnExit: true,
  });
  return {
    producer: env(),
    consumer: env(),
    written: () => ({ stdout: fs.fstatSync(stdout).size, stderr: fs.fstatSync(stderr).size }),
    drop() {
      for (const fd of [stdin, stdout, stderr]) {
        try { fs.closeSync(fd); } catch { /* already closed */ }
      }
      for (const p of [root, stdoutPath, stderrPath]) fs.rmSync(p, { recursive: true, force: true });
    },
  };
}
