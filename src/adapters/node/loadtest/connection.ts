import { connect, type Socket } from 'node:net';

/** Called once per request: HTTP status (0 on a transport error) and the error if any. */
export type OnResponse = (status: number, err?: Error) => void;

const CRLF2 = Buffer.from('\r\n\r\n');

/** Pre-serialise an HTTP/1.1 request (the hot loop only writes these bytes). */
export function requestBytes(
  method: string,
  path: string,
  host: string,
  body?: string,
  contentType = 'application/json',
): Buffer {
  const b = body === undefined ? undefined : Buffer.from(body);
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n` +
    (b ? `Content-Type: ${contentType}\r\nContent-Length: ${b.length}\r\n` : '') +
    '\r\n';
  return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}

/**
 * One keep-alive HTTP/1.1 connection over a raw socket with a minimal response parser (status line,
 * Content-Length or chunked bodies, Connection: close). One request in flight at a time, no pipelining; the body is
 * skipped, not decoded. This is the generator's hot path: a request is one socket write of prebuilt bytes.
 */
export class RawConnection {
  private socket: Socket | undefined;
  private buf: Buffer | undefined;
  private pending: OnResponse | undefined;
  private closeAfter = false;
  private connecting: Promise<void> | undefined;
  busy = false;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** Open the socket (idempotent). */
  open(): Promise<void> {
    if (this.socket && !this.socket.destroyed && !this.connecting) return Promise.resolve();
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<void>((resolve, reject) => {
      const s = connect({ host: this.host, port: this.port, noDelay: true });
      this.socket = s;
      this.buf = undefined;
      s.on('data', (d: Buffer) => {
        if (s === this.socket) this.onData(d);
      });
      s.on('error', (e) => {
        if (s === this.socket) this.fail(e);
      });
      s.on('close', () => {
        if (s === this.socket) this.fail(new Error('connection closed'));
      });
      s.once('connect', () => {
        this.connecting = undefined;
        resolve();
      });
      s.once('error', (e) => {
        if (s !== this.socket && this.socket !== undefined) return;
        this.connecting = undefined;
        reject(e);
      });
    });
    return this.connecting;
  }

  /** Send one prebuilt request; `cb` is called exactly once. */
  send(req: Buffer, cb: OnResponse): void {
    this.busy = true;
    this.pending = cb;
    const s = this.socket;
    if (!s || s.destroyed || this.connecting) {
      this.open().then(
        () => this.socket!.write(req),
        (e: Error) => this.finish(0, e),
      );
      return;
    }
    s.write(req);
  }

  /** Abort the request in flight (timeout): the socket is dropped and reopened on the next send. */
  abort(err: Error): void {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
    this.finish(0, err);
  }

  close(): void {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
  }

  private fail(e: Error): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.buf = undefined;
    if (this.pending) this.finish(0, e);
  }

  private finish(status: number, err?: Error): void {
    const cb = this.pending;
    this.pending = undefined;
    this.busy = false;
    this.buf = undefined;
    if (this.closeAfter) {
      this.closeAfter = false;
      this.close();
    }
    cb?.(status, err);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    const b = this.buf;
    const end = b.indexOf(CRLF2);
    if (end < 0) return;
    const head = b.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const lower = head.toLowerCase();
    this.closeAfter = /\r\nconnection:\s*close/.test(lower);
    const bodyStart = end + 4;
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (cl) {
      if (b.length - bodyStart < Number(cl[1])) return; // wait for the rest of the body
      this.finish(status);
      return;
    }
    if (/\r\ntransfer-encoding:\s*chunked/.test(lower)) {
      if (!chunkedComplete(b, bodyStart)) return;
      this.finish(status);
      return;
    }
    // No length: a 204/304 or a body delimited by close (treat as complete now).
    this.finish(status);
  }
}

/** Whether a chunked body starting at `at` has reached its terminating zero-length chunk. */
export function chunkedComplete(b: Buffer, at: number): boolean {
  let i = at;
  for (;;) {
    const eol = b.indexOf('\r\n', i, 'latin1');
    if (eol < 0) return false;
    const size = parseInt(b.toString('latin1', i, eol).split(';')[0], 16);
    if (!Number.isFinite(size)) return true; // malformed: do not hang
    if (size === 0) return b.indexOf(CRLF2, eol) >= 0 || b.length >= eol + 4;
    i = eol + 2 + size + 2;
    if (i > b.length) return false;
  }
}
