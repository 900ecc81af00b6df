import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { BIN } from './cli.js';

/**
 * Child processes for real-process tests (nats-server, elmscale nodes): output captured for failure messages,
 * readiness by a line or URL (never by sleeping), kill (SIGKILL), stop (SIGSTOP) / cont (SIGCONT), close.
 * Everything still alive when the test process exits is SIGKILLed, and registered temp dirs are removed, even when
 * a test failed before its own teardown ran.
 */

const live = new Set<ChildProc>();
const tempDirs = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const p of live) p.signal('SIGKILL');
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** Remove `dir` at process exit if nothing removed it before. */
export function registerTempDir(dir: string): void {
  hookExit();
  tempDirs.add(dir);
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Name used in failure messages. */
  name?: string;
  /** Bytes of output kept (the tail), default 256 KiB. */
  keepBytes?: number;
  /** 'pipe' to write to the process with send() (default: no stdin). */
  stdin?: 'ignore' | 'pipe';
}

const LOOPBACK_URL_RE = /\b((?:http|nats):\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+)/;

export class ChildProc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  private out = '';
  private err = '';
  private readonly keep: number;
  private listeners = new Set<() => void>();
  private exitInfo: ExitInfo | undefined;
  private stopped = false;

  constructor(command: string, args: string[], o: SpawnOptions = {}) {
    hookExit();
    this.name = o.name ?? command;
    this.keep = o.keepBytes ?? 256 * 1024;
    this.child = spawn(command, args, {
      stdio: [o.stdin ?? 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...o.env },
      cwd: o.cwd,
    });
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        this.notify();
        resolve(this.exitInfo);
      });
      this.child.once('error', (e) => {
        this.err += `\n[spawn error] ${e.message}\n`;
        this.exitInfo = { code: -1, signal: null };
        live.delete(this);
        this.notify();
        resolve(this.exitInfo);
      });
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out = (this.out + d.toString()).slice(-this.keep);
      this.notify();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.err = (this.err + d.toString()).slice(-this.keep);
      this.notify();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }
  get alive(): boolean {
    return this.exitInfo === undefined;
  }
  get isStopped(): boolean {
    return this.stopped;
  }
  stdout(): string {
    return this.out;
  }
  stderr(): string {
    return this.err;
  }

  /** A failure message: what happened plus the tail of the process's output. */
  describe(what: string): string {
    const tail = (this.err + (this.out ? `\n[stdout]\n${this.out}` : '')).slice(-4000);
    const state = this.exitInfo ? ` (exited ${this.exitInfo.code ?? this.exitInfo.signal})` : '';
    return `${this.name}${state}: ${what}\n--- output tail ---\n${tail}`;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolve with the first match of `re` in stdout+stderr (searched from the start); reject on exit or timeout. */
  waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = re.exec(this.out) ?? re.exec(this.err);
        if (m) {
          done();
          resolve(m);
          return true;
        }
        if (!this.alive) {
          done();
          reject(new Error(this.describe(`exited before printing ${re}`)));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(this.describe(`did not print ${re} within ${timeoutMs} ms`)));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = () => void check();
      this.listeners.add(listener);
      check();
    });
  }

  /** The first loopback http:// or nats:// URL the process prints. */
  async waitForUrl(timeoutMs = 30_000): Promise<string> {
    return (await this.waitFor(LOOPBACK_URL_RE, timeoutMs))[1];
  }

  /** Write a line to the process's stdin (needs stdin: 'pipe'). */
  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) {
      try {
        this.child.kill(sig);
      } catch {
        // already gone
      }
    }
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<ExitInfo> {
    this.signal('SIGKILL');
    this.stopped = false;
    return this.exited;
  }

  /** SIGSTOP: the process keeps its sockets open but answers nothing. */
  stop(): void {
    this.signal('SIGSTOP');
    this.stopped = true;
  }

  /** SIGCONT after stop(). */
  cont(): void {
    this.signal('SIGCONT');
    this.stopped = false;
  }

  /** SIGTERM (after SIGCONT if stopped), SIGKILL after `graceMs`; resolves on exit. */
  async close(graceMs = 3000): Promise<ExitInfo> {
    if (!this.alive) return this.exitInfo!;
    if (this.stopped) this.cont();
    this.signal('SIGTERM');
    const t = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(t);
    return info;
  }
}

export interface ElmscaleProcOptions extends SpawnOptions {
  /** Readiness: a line to wait for, or 'url' for the first loopback URL printed (default 'url'). */
  ready?: RegExp | 'url';
  readyTimeoutMs?: number;
}

export interface ElmscaleProc {
  proc: ChildProc;
  /** The URL it printed (when ready is 'url') or the readiness match's first group (or whole match). */
  ready: string;
}

/** Spawn `node bin/elmscale.js ...args` and wait until it is ready; on failure the error carries its output. */
export async function startElmscale(args: string[], o: ElmscaleProcOptions = {}): Promise<ElmscaleProc> {
  const proc = new ChildProc(process.execPath, [BIN, ...args], { name: `elmscale ${args[0] ?? ''}`.trim(), ...o });
  try {
    const ready = o.ready ?? 'url';
    if (ready === 'url') return { proc, ready: await proc.waitForUrl(o.readyTimeoutMs) };
    const m = await proc.waitFor(ready, o.readyTimeoutMs);
    return { proc, ready: m[1] ?? m[0] };
  } catch (e) {
    await proc.kill();
    throw e;
  }
}
