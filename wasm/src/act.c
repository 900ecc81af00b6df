/* Activations applied in place over arrays (the vector functions live in act.h). */
#include "act.h"

#define LOOP(F)                                                                                                   \
  for (; i + 4 <= len; i += 4) wasm_v128_store(x + i, F(wasm_v128_load(x + i)));                                  \
  if (i < len) {                                                                                                  \
    int r = len - i;                                                                                              \
    f32x4 v = F(wasm_f32x4_make(x[i], r > 1 ? x[i + 1] : 0.0f, r > 2 ? x[i + 2] : 0.0f, 0.0f));                   \
    x[i] = wasm_f32x4_extract_lane(v, 0);                                                                         \
    if (r > 1) x[i + 1] = wasm_f32x4_extract_lane(v, 1);                                                          \
    if (r > 2) x[i + 2] = wasm_f32x4_extract_lane(v, 2);                                                          \
  }

void act_apply_v(int act, float *x, int len) {
  int i = 0;
  switch (act) {
  case ACT_TANH: LOOP(v_tanh); break;
  case ACT_SIGMOID: LOOP(v_sigmoid); break;
  case ACT_RELU: LOOP(v_relu); break;
  case ACT_SIN: LOOP(v_sin); break;
  case ACT_GELU: LOOP(v_gelu); break;
  default: break;
  }
}

EXPORT void act_apply(int act, float *x, int len) { act_apply_v(act, x, len); }
