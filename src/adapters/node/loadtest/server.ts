import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ElmError } from '../../../core/errors.js';

/** bin/elmscale.js, from dist/src/adapters/node/loadtest/. */
export const ELMSCALE_BIN = fileURLToPath(new URL('../../../../../bin/elmscale.js', import.meta.url));

export interface ChildServer {
  url: string;
  pid: number;
  /** Everything the server printed (for diagnosis). */
  output(): string;
  close(): Promise<void>;
}

export interface ChildServerOptions {
  /** CLI arguments after the script, e.g. ['demo', '--port', '0', '--no-cache']. */
  args: string[];
  /** Script to run with node (default: our bin/elmscale.js). */
  script?: string;
  startTimeoutMs?: number;
}

const URL_RE = /\bon (http:\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+)/;

/**
 * Start a server as a child process (so its CPU is its own and the generator does not share its event loop) and
 * wait for its banner line "... on http://127.0.0.1:PORT". Only loopback URLs are accepted.
 */
export function startChildServer(o: ChildServerOptions): Promise<ChildServer> {
  const script = o.script ?? ELMSCALE_BIN;
  const child: ChildProcess = spawn(process.execPath, [script, ...o.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  let out = '';
  let exited: Promise<void> | undefined;
  const exitP = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (!exited) {
      exited = exitP;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        t.unref();
        await exitP;
        clearTimeout(t);
      }
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(
        new ElmError(
          'ELM_ERR_MODEL_NOT_READY',
          `the server did not start within ${o.startTimeoutMs ?? 60_000} ms:\n${out.slice(-2000)}`,
        ),
      );
    }, o.startTimeoutMs ?? 60_000);
    let found = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 1 << 20) out = out.slice(-(1 << 19));
      const m = URL_RE.exec(out);
      if (m && !found) {
        found = true;
        clearTimeout(timer);
        resolve({ url: m[1], pid: child.pid!, output: () => out, close });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, sig) => {
      if (found) return;
      clearTimeout(timer);
      reject(
        new ElmError(
          'ELM_ERR_MODEL_NOT_READY',
          `the server exited (${code ?? sig}) before it was ready:\n${out.slice(-2000)}`,
        ),
      );
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new ElmError('ELM_ERR_INTERNAL', `cannot start the server: ${e.message}`, undefined, e));
    });
  });
}
