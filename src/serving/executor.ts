import { ElmError } from '../core/errors.js';
import type { Model } from '../models/model.js';
import type { UsageSnapshot } from '../strategies/composite.js';
import { warmUp } from './warm-up.js';

/** A model as handed to an executor: the decoded model, plus its artifact bytes when it came from one. */
export interface ServedModel {
  model: Model;
  bytes?: Uint8Array;
}

/**
 * Where batches run: inline on the caller's thread, or on a worker pool (adapters/node/workers). One batch per
 * run() call; `concurrency` batches may run at once.
 */
export interface Executor {
  readonly name: string;
  readonly concurrency: number;
  load(key: string, m: ServedModel): Promise<void>;
  unload(key: string): Promise<void>;
  run(key: string, x: Float32Array, rows: number): Promise<Float32Array>;
  close(): Promise<void>;
  /**
   * Usage counters of a composite model when it runs elsewhere (workers): the main thread's copy sees no traffic.
   * Absent or undefined = read the model's own usage().
   */
  usage?(key: string): UsageSnapshot | undefined;
}

/**
 * Runs predict() synchronously on the calling thread. For tiny models on few cores this is the fastest executor:
 * no message passing, and the batcher still merges requests that arrive in the same event-loop turn.
 */
export class InlineExecutor implements Executor {
  readonly name = 'inline';
  readonly concurrency = 1;
  private readonly models = new Map<string, Model>();

  async load(key: string, m: ServedModel): Promise<void> {
    warmUp(m.model); // as the worker pool does
    this.models.set(key, m.model);
  }

  async unload(key: string): Promise<void> {
    this.models.delete(key);
  }

  run(key: string, x: Float32Array, rows: number): Promise<Float32Array> {
    const model = this.models.get(key);
    if (!model) return Promise.reject(new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model ${key} is not loaded`));
    try {
      return Promise.resolve(model.predict(x, rows));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async close(): Promise<void> {
    this.models.clear();
  }
}
