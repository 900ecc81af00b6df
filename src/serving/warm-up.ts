import type { Model } from '../models/model.js';
import { isCompositeModel } from '../strategies/composite.js';

/** Rows of the warm-up batch: enough for the backend's batch kernels (the wasm plan switches at 4 rows). */
const WARM_ROWS = 8;

/**
 * Run a model once on one zero row and once on a small batch before it takes traffic, on the thread that will serve
 * it: the first call builds the backend's plan, and V8 runs a wasm kernel unoptimised until it is hot, which would
 * otherwise land on the first users' requests and in the compute-per-query metric. The batch is 60 % non-zero
 * (fixed pattern), so sparse-input batch kernels are exercised too. Composite models' usage counters are reset:
 * the warm-up is no query.
 */
export function warmUp(model: Model): void {
  const d = model.inputDim;
  model.predict(new Float32Array(d), 1);
  const x = new Float32Array(WARM_ROWS * d);
  for (let i = 0; i < x.length; i++) if ((i * 7) % 5 < 3) x[i] = ((i % 13) - 6) / 12;
  model.predict(x, WARM_ROWS);
  if (isCompositeModel(model)) model.resetUsage();
}
