/** elmscale for browsers: the platform-free API (the wasm loader for browsers is added by the edge build). */
export * from './index.js';
