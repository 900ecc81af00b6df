import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import { runBackendConformance } from './conformance.js';

// Two threads with tiny blocks and chunks and no minimum size for splitting, so every small conformance case
// exercises the parallel split, the multi-chunk streaming and the k/m blocking edges.
runBackendConformance(() =>
  createNodeWasmBackend({
    threads: 2,
    tuning: { parallelFlops: 0, chunkBytes: 16 * 1024, mc: 16, kc: 32, nc: 48, nb: 8 },
  }),
);
