// The Chrome DevTools Protocol over `--remote-debugging-pipe` (the browser reads commands on its fd
// 3 and writes replies and events on its fd 4, each message JSON ended by a NUL byte): commands
// with replies, events to listeners, and the end of the pipe. A few dozen lines, so the worker
// needs no npm driver (puppeteer-core and playwright-core speak the same protocol, with much more).

/** One connection: `send` a command (to a session, if given), `on` events, `closed` when the browser goes. */
export class Cdp {
  constructor(toBrowser, fromBrowser) {
    this.toBrowser = toBrowser;
    // Writing to a browser that has gone fails (EPIPE); `closed` and the browser's exit say so.
    toBrowser.on('error', () => {});
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let buffered = '';
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (text) => {
      buffered += text;
      let end;
      while ((end = buffered.indexOf('\0')) >= 0) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        this.receive(JSON.parse(message));
      }
    });
    this.closed = new Promise((resolve) => {
      fromBrowser.on('close', resolve);
      fromBrowser.on('error', resolve);
    }).then(() => {
      for (const { reject, method } of this.pending.values()) reject(new Error(`the browser closed its pipe before answering ${method}`));
      this.pending.clear();
    });
  }

  /** A reply goes to its command, an event to every listener. */
  receive(message) {
    if (message.id === undefined) {
      for (const listener of this.listeners) listener(message);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (waiting === undefined) return;
    this.pending.delete(message.id);
    if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`));
    else waiting.resolve(message.result);
  }

  /** Sends `method` with `params` (to `sessionId`'s target, if given); resolves to its result. */
  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    const message = sessionId === undefined ? { id, method, params } : { id, method, params, sessionId };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.toBrowser.write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Calls `listener(message)` for every event (`{method, params, sessionId}`). */
  on(listener) {
    this.listeners.push(listener);
  }
}
