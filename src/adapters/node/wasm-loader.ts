import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ElmError } from '../../core/errors.js';

/** The built kernels: wasm/elmscale.wasm (plain memory) and wasm/elmscale-threads.wasm (shared memory). */
export type WasmFlavour = 'simd' | 'threads';

const FILES: Record<WasmFlavour, string> = { simd: 'elmscale.wasm', threads: 'elmscale-threads.wasm' };
const compiled = new Map<WasmFlavour, WebAssembly.Module>();

/** Path of a .wasm file in the package's wasm/ folder (from dist/src/adapters/node or from src/adapters/node). */
export function wasmPath(flavour: WasmFlavour): string {
  const name = FILES[flavour];
  for (const rel of [`../../../../wasm/${name}`, `../../../wasm/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new ElmError('ELM_ERR_BACKEND_UNAVAILABLE', `wasm kernels not found: wasm/${name} (run npm run build:wasm)`);
}

/** The compiled module (compiled once per process; a Module can be posted to worker threads). */
export function loadWasmModule(flavour: WasmFlavour): WebAssembly.Module {
  let m = compiled.get(flavour);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(wasmPath(flavour)));
    compiled.set(flavour, m);
  }
  return m;
}
