/* Vector activations in f32x4, accurate to ~1e-7 absolute (checked against Math.* by the conformance suite). */
#include "common.h"

#define S(x) wasm_f32x4_splat(x)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

/* exp: Cody–Waite reduction by ln 2, Cephes expf polynomial, scale by 2^n through the exponent bits. */
INLINE f32x4 v_exp(f32x4 x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, S(-87.3f)), S(88.3f));
  f32x4 fx = wasm_f32x4_nearest(MUL(x, S(1.44269504088896341f)));
  x = SUB(x, MUL(fx, S(0.693359375f)));
  x = SUB(x, MUL(fx, S(-2.12194440e-4f)));
  f32x4 z = MUL(x, x);
  f32x4 y = S(1.9875691500E-4f);
  y = ADD(MUL(y, x), S(1.3981999507E-3f));
  y = ADD(MUL(y, x), S(8.3334519073E-3f));
  y = ADD(MUL(y, x), S(4.1665795894E-2f));
  y = ADD(MUL(y, x), S(1.6666665459E-1f));
  y = ADD(MUL(y, x), S(5.0000001201E-1f));
  y = ADD(ADD(MUL(y, z), x), S(1.0f));
  v128_t e = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(fx), wasm_i32x4_splat(127)), 23);
  return MUL(y, e);
}

/* tanh: Cephes odd polynomial for |x| < 0.625, 1 − 2/(e^{2|x|}+1) beyond, sign restored. */
INLINE f32x4 v_tanh(f32x4 x) {
  f32x4 ax = wasm_f32x4_abs(x);
  f32x4 sign = wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000));
  f32x4 z = MUL(x, x);
  f32x4 p = S(-5.70498872745E-3f);
  p = ADD(MUL(p, z), S(2.06390887954E-2f));
  p = ADD(MUL(p, z), S(-5.37397155531E-2f));
  p = ADD(MUL(p, z), S(1.33314422036E-1f));
  p = ADD(MUL(p, z), S(-3.33332819422E-1f));
  f32x4 small = ADD(MUL(MUL(p, z), x), x);
  f32x4 e = v_exp(MUL(wasm_f32x4_min(ax, S(9.0f)), S(2.0f)));
  f32x4 big = SUB(S(1.0f), wasm_f32x4_div(S(2.0f), ADD(e, S(1.0f))));
  big = wasm_v128_or(big, sign);
  return wasm_v128_bitselect(small, big, wasm_f32x4_lt(ax, S(0.625f)));
}

INLINE f32x4 v_sigmoid(f32x4 x) { return wasm_f32x4_div(S(1.0f), ADD(S(1.0f), v_exp(wasm_f32x4_neg(x)))); }

INLINE f32x4 v_relu(f32x4 x) { return wasm_v128_and(x, wasm_f32x4_gt(x, S(0.0f))); }

/* sin: reduce by π in three parts (Cephes constants ×4), odd Taylor polynomial to r^13, sign by parity. */
INLINE f32x4 v_sin(f32x4 x) {
  f32x4 n = wasm_f32x4_nearest(MUL(x, S(0.31830988618379067f)));
  f32x4 r = SUB(x, MUL(n, S(3.140625f)));
  r = SUB(r, MUL(n, S(9.67502593994140625E-4f)));
  r = SUB(r, MUL(n, S(1.509957990978376432E-7f)));
  f32x4 z = MUL(r, r);
  f32x4 p = S(1.0f / 6227020800.0f);
  p = ADD(MUL(p, z), S(-1.0f / 39916800.0f));
  p = ADD(MUL(p, z), S(1.0f / 362880.0f));
  p = ADD(MUL(p, z), S(-1.0f / 5040.0f));
  p = ADD(MUL(p, z), S(1.0f / 120.0f));
  p = ADD(MUL(p, z), S(-1.0f / 6.0f));
  f32x4 s = ADD(MUL(MUL(p, z), r), r);
  v128_t odd = wasm_i32x4_shl(wasm_i32x4_trunc_sat_f32x4(n), 31);
  return wasm_v128_xor(s, odd);
}

INLINE f32x4 v_gelu(f32x4 x) {
  f32x4 u = MUL(S(0.7978845608028654f), ADD(x, MUL(S(0.044715f), MUL(x, MUL(x, x)))));
  return MUL(MUL(S(0.5f), x), ADD(S(1.0f), v_tanh(u)));
}

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
