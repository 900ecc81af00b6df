/** Messages between the page and the training worker (structured-cloned; typed arrays are transferred). */
import type { ElmConfig } from '../../models/model.js';

/** Training rows sent from the page, or a digits file the worker fetches itself. */
export type TrainData =
  | {
      source: 'inline';
      x: Float32Array;
      y: Int32Array;
      rows: number;
      cols: number;
      labels: string[];
      sameUnits?: boolean;
    }
  | { source: 'digits'; url: string; subset?: 'all' | 'train' | 'test' };

export type TrainRequest =
  | {
      type: 'init';
      id: number;
      wasm?: WebAssembly.Module | string;
      prefer?: 'wasm' | 'js';
      /** Compute threads (> 1: the threaded wasm build with helper workers; needs cross-origin isolation). */
      threads?: number;
    }
  /** Fit a new model: 'elm' (batch ridge) or 'os-elm' (online; can be updated afterwards). */
  | {
      type: 'train';
      id: number;
      kind: 'elm' | 'os-elm';
      data: TrainData;
      config?: Partial<ElmConfig>;
      test?: TrainData;
    }
  /** OS-ELM: learn more rows on the worker's current online model (from 'train' or 'load'). */
  | { type: 'update'; id: number; data: TrainData; test?: TrainData }
  /** Make this artifact (an os-elm with state) the worker's current model. */
  | { type: 'load'; id: number; bytes: Uint8Array };

export interface TrainResult {
  /** The artifact, ready for the page, IndexedDB, a download or the server. */
  bytes: Uint8Array;
  contentHash: string;
  kind: string;
  rowsSeen: number;
  trainMs: number;
  /** Test accuracy when test data was given. */
  accuracy?: number;
  backend: string;
}

export type TrainResponse =
  | { type: 'ready'; id: number; backend: string; fallbackReason?: string }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; result: TrainResult }
  | { type: 'error'; id: number; error: { code: string; message: string } };
