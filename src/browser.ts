/**
 * elmscale for browsers: the platform-free API plus the browser adapter — the wasm SIMD kernels fetched and
 * compiled asynchronously (JS fallback), artifacts from URLs (content-addressed, verified), IndexedDB storage,
 * downloads, and training in a Web Worker. Bundled standalone as dist/browser/elmscale.js beside elmscale.wasm.
 */
export * from './index.js';
export * from './adapters/browser/index.js';
