import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import { runBackendConformance } from './conformance.js';

runBackendConformance(() => createNodeWasmBackend({ threads: 1 }));
