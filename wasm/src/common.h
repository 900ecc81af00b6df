/* Shared definitions for the elmscale wasm SIMD128 kernels (freestanding: no libc). */
#ifndef ELMSCALE_COMMON_H
#define ELMSCALE_COMMON_H
#include <wasm_simd128.h>

#define EXPORT __attribute__((visibility("default")))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t f32x4;

/* Micro-tile: MR rows of C by NR columns (NV vectors). 4 rows × 2 vectors = 8 accumulators + 2 B + splat:
 * fits the 16 SIMD registers V8 allocates on x64 (a 6-row tile spills). */
#define MR 4
#define NV 2
#define NR (NV * 4)

/* Activation codes, in the order of ACTIVATIONS in src/core/types.ts. */
enum { ACT_TANH = 0, ACT_SIGMOID = 1, ACT_RELU = 2, ACT_SIN = 3, ACT_GELU = 4, ACT_IDENTITY = 5 };

INLINE int imin(int a, int b) { return a < b ? a : b; }
INLINE int imax(int a, int b) { return a > b ? a : b; }

void act_apply_v(int act, float *x, int len);
#endif
