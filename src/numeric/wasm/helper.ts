import { ElmError } from '../../core/errors.js';
import { PARALLEL_KERNELS, type Kernels, type ParallelKernel } from './kernels.js';

/**
 * The helper-thread protocol over a control block in shared linear memory (platform-free: only Atomics). The main
 * thread posts "run kernel #f with these arguments", computes its own share, then blocks in join() until the helper
 * has finished. The helper is another instance of the same module over the same shared memory, started by the
 * platform adapter (worker_threads in Node, a Web Worker in a cross-origin-isolated page).
 */
export const CTRL_BYTES = 256;
const SEQ = 0; // posted request number
const DONE = 1; // last finished request number
const FN = 2; // kernel index, −1 = quit
const STATUS = 3; // 0 ok, 1 failed
const READY = 4; // 1 once the helper is listening
const ARGC = 5;
const ARGS_BYTE = 64; // f64 arguments start here
const MAX_ARGS = 20;

export interface WasmHelper {
  post(kernel: ParallelKernel, args: readonly number[]): void;
  join(): void;
  /** Ask the helper loop to return (the adapter then ends the thread). */
  quit(): void;
}

/** Main-thread side of one helper. */
export class SharedHelper implements WasmHelper {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private seq = 0;

  constructor(memory: WebAssembly.Memory, ctrl: number) {
    this.i32 = new Int32Array(memory.buffer, ctrl, ARGS_BYTE / 4);
    this.f64 = new Float64Array(memory.buffer, ctrl + ARGS_BYTE, MAX_ARGS);
  }

  /** Block until the helper reports it is listening; false on timeout. */
  waitReady(timeoutMs: number): boolean {
    const end = Date.now() + timeoutMs;
    while (Atomics.load(this.i32, READY) !== 1) {
      const left = end - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.i32, READY, 0, left);
    }
    return true;
  }

  post(kernel: ParallelKernel, args: readonly number[]): void {
    this.f64.set(args);
    this.i32[ARGC] = args.length;
    this.i32[FN] = PARALLEL_KERNELS.indexOf(kernel);
    this.i32[STATUS] = 0;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.i32, SEQ, this.seq);
    Atomics.notify(this.i32, SEQ);
  }

  join(): void {
    // spin briefly (the helper usually finishes within microseconds of us), then sleep on the futex
    for (let spin = 0; spin < 2000; spin++) if (Atomics.load(this.i32, DONE) === this.seq) break;
    for (;;) {
      const done = Atomics.load(this.i32, DONE);
      if (done === this.seq) break;
      Atomics.wait(this.i32, DONE, done, 1000);
    }
    if (this.i32[STATUS] !== 0) throw new ElmError('ELM_ERR_INTERNAL', 'a wasm helper thread failed to run its kernel');
  }

  quit(): void {
    this.i32[FN] = -1;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.i32, SEQ, this.seq);
    Atomics.notify(this.i32, SEQ);
  }
}

/** Helper-thread side: announce readiness, then run posted kernels until told to quit. Blocks its thread. */
export function serveHelper(kernels: Kernels, memory: WebAssembly.Memory, ctrl: number): void {
  const i32 = new Int32Array(memory.buffer, ctrl, ARGS_BYTE / 4);
  const f64 = new Float64Array(memory.buffer, ctrl + ARGS_BYTE, MAX_ARGS);
  const fns = PARALLEL_KERNELS.map((name) => kernels[name] as (...a: number[]) => unknown);
  let seen = Atomics.load(i32, SEQ);
  Atomics.store(i32, READY, 1);
  Atomics.notify(i32, READY);
  for (;;) {
    Atomics.wait(i32, SEQ, seen);
    const seq = Atomics.load(i32, SEQ);
    if (seq === seen) continue;
    seen = seq;
    const fn = i32[FN]!;
    if (fn < 0) return;
    try {
      const argc = i32[ARGC]!;
      const args: number[] = [];
      for (let i = 0; i < argc; i++) args.push(f64[i]!);
      fns[fn]!(...args);
    } catch {
      i32[STATUS] = 1;
    }
    Atomics.store(i32, DONE, seq);
    Atomics.notify(i32, DONE);
  }
}
