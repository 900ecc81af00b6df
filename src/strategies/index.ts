/** Model-level scaling strategies: int8 quantisation, distillation, routing (cascades) and mixtures of experts. */
export * from './composite.js';
export * from './codecs.js';
export * from './quantize/int8.js';
export * from './quantize/quantized-elm.js';
export * from './distill/distill.js';
export * from './route/confidence.js';
export * from './route/router.js';
export * from './route/calibrate.js';
export * from './moe/gate.js';
export * from './moe/kmeans.js';
export * from './moe/mixture.js';
export * from './moe/train.js';
export * from './usage-metrics.js';
