import type { ErrorData } from '../../core/errors.js';
import type { ElmSpec } from '../../models/elm.js';

/**
 * Messages between the main thread and inference workers. Weights travel as typed-array views of
 * SharedArrayBuffers, so every worker reads the same memory (structured clone shares, never copies, SABs).
 */
export type ModelPayload =
  | { kind: 'elm-shared'; spec: ElmSpec; w: Float32Array; b: Float32Array; beta: Float32Array }
  | { kind: 'artifact'; bytes: Uint8Array };

export type ToWorker =
  | { type: 'load'; key: string; payload: ModelPayload }
  | { type: 'unload'; key: string }
  | { type: 'run'; id: number; key: string; x: Float32Array; rows: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'loaded'; key: string; error?: ErrorData }
  | { type: 'result'; id: number; out: Float32Array; busyNs: number; usage?: WorkerUsage }
  | { type: 'error'; id: number; error: ErrorData };

/** Cumulative usage counters of a composite model (router, mixture) in one worker, sent with each result. */
export interface WorkerUsage {
  queries: number;
  flops: number;
  roles: string[];
  rows: number[];
}
