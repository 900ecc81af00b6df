/** Per model version counters in the shape of the OIP statistics extension (times in ns). */
export interface Duration {
  count: number;
  ns: number;
}

export interface ModelStats {
  name: string;
  version: string;
  last_inference: number;
  inference_count: number;
  execution_count: number;
  inference_stats: {
    success: Duration;
    fail: Duration;
    queue: Duration;
    compute_input: Duration;
    compute_infer: Duration;
    compute_output: Duration;
    cache_hit: Duration;
    cache_miss: Duration;
  };
  batch_stats: { batch_size: number; compute_infer: Duration }[];
}

const d = (): Duration => ({ count: 0, ns: 0 });

export class StatsRecorder {
  lastInferenceMs = 0;
  inferenceCount = 0;
  executionCount = 0;
  readonly success = d();
  readonly fail = d();
  readonly queue = d();
  readonly computeInput = d();
  readonly computeInfer = d();
  readonly computeOutput = d();
  readonly cacheHit = d();
  readonly cacheMiss = d();
  private readonly batches = new Map<number, Duration>();

  batch(rows: number, us: number): void {
    this.executionCount++;
    let b = this.batches.get(rows);
    if (!b) this.batches.set(rows, (b = d()));
    b.count++;
    b.ns += Math.round(us * 1000);
  }

  toJSON(name: string, version: string): ModelStats {
    return {
      name,
      version,
      last_inference: this.lastInferenceMs,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: { ...this.success },
        fail: { ...this.fail },
        queue: { ...this.queue },
        compute_input: { ...this.computeInput },
        compute_infer: { ...this.computeInfer },
        compute_output: { ...this.computeOutput },
        cache_hit: { ...this.cacheHit },
        cache_miss: { ...this.cacheMiss },
      },
      batch_stats: [...this.batches.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([batch_size, c]) => ({ batch_size, compute_infer: { ...c } })),
    };
  }
}

export function add(x: Duration, us: number): void {
  x.count++;
  x.ns += Math.round(us * 1000);
}
