/**
 * Entry point of a wasm helper thread: instantiate the threaded kernels over the shared memory it was given,
 * move its shadow stack to its own region, then serve kernel requests until told to quit.
 */
import { workerData } from 'node:worker_threads';
import { instantiateKernels, serveHelper } from '../../../numeric/wasm/index.js';

const { module, memory, ctrl, stackTop } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: number;
  stackTop: number;
};
const inst = instantiateKernels(module, memory);
if (inst.stackPointer) inst.stackPointer.value = stackTop;
serveHelper(inst.kernels, memory, ctrl);
