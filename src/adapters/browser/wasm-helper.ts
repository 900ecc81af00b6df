/**
 * A wasm helper thread in the browser (a module Web Worker): instantiate the threaded kernels over the shared
 * memory it is sent, move its shadow stack to its own region, then serve kernel requests until told to quit.
 * The browser twin of src/adapters/node/threads/wasm-helper.ts; started by threads.ts from the training worker.
 */
import { instantiateKernels, serveHelper } from '../../numeric/wasm/index.js';

interface HelperInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: number;
  stackTop: number;
}

const scope = self as unknown as { onmessage: ((ev: MessageEvent<HelperInit>) => void) | null };
scope.onmessage = (ev) => {
  const { module, memory, ctrl, stackTop } = ev.data;
  scope.onmessage = null;
  // Synchronous instantiation is allowed off the main thread; serveHelper then blocks this worker in Atomics.wait.
  const inst = instantiateKernels(module, memory);
  if (inst.stackPointer) inst.stackPointer.value = stackTop;
  serveHelper(inst.kernels, memory, ctrl);
};
