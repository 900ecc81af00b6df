/* Vector activations in f32x4, accurate to ~1e-7 absolute (checked against Math.* by the conformance suite). */
#ifndef ELMSCALE_ACT_H
#define ELMSCALE_ACT_H
#include "common.h"

#define S(x) wasm_f32x4_splat(x)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

/*
 * Why these are written the way they are: V8 lowers f32x4.min/max (NaN-propagating) and i32x4.trunc_sat_f32x4 to
 * long instruction sequences on x64, and evaluating both branches of a piecewise tanh doubles the work. pmin/pmax are
 * single minps/maxps, and rounding by adding 1.5·2^23 leaves the integer in the low mantissa bits, so the exponent
 * can be built without a float→int conversion. Measured on 1024 tanh: 3.4 µs before, see bench/kernels.
 */
#define MAGIC 12582912.0f /* 1.5 · 2^23 */
#define MAGIC_BITS 0x4B400000

/* exp: round x/ln2 to n by the magic constant, Cody–Waite reduction by ln 2, Cephes expf polynomial, times 2^n. */
INLINE f32x4 v_exp(f32x4 x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, S(-87.3f)), S(88.3f));
  f32x4 big = ADD(MUL(x, S(1.44269504088896341f)), S(MAGIC));
  f32x4 fx = SUB(big, S(MAGIC));
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
  v128_t n = wasm_i32x4_sub(big, wasm_i32x4_splat(MAGIC_BITS));
  v128_t e = wasm_i32x4_shl(wasm_i32x4_add(n, wasm_i32x4_splat(127)), 23);
  return MUL(y, e);
}

/*
 * tanh = 1 − 2/(e^{2x} + 1) with x clamped to ±9 (tanh(9) rounds to 1 in f32). Near 0 this loses relative, not
 * absolute, precision (error ≲ 1e-7 absolute everywhere), which is what a hidden layer needs; one exp and one
 * division per vector instead of a polynomial branch plus an exp branch.
 */
INLINE f32x4 v_tanh(f32x4 x) {
  f32x4 c = wasm_f32x4_pmin(wasm_f32x4_pmax(x, S(-9.0f)), S(9.0f));
  f32x4 e = v_exp(ADD(c, c));
  return SUB(S(1.0f), wasm_f32x4_div(S(2.0f), ADD(e, S(1.0f))));
}

INLINE f32x4 v_sigmoid(f32x4 x) { return wasm_f32x4_div(S(1.0f), ADD(S(1.0f), v_exp(wasm_f32x4_neg(x)))); }

INLINE f32x4 v_relu(f32x4 x) { return wasm_v128_and(x, wasm_f32x4_gt(x, S(0.0f))); }

/* sin: reduce by π in three parts (Cephes constants ×4), odd Taylor polynomial to r^13, sign by parity. */
INLINE f32x4 v_sin(f32x4 x) {
  f32x4 big = ADD(MUL(x, S(0.31830988618379067f)), S(MAGIC));
  f32x4 n = SUB(big, S(MAGIC));
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
  v128_t odd = wasm_i32x4_shl(big, 31); /* the lowest mantissa bit of big is n's parity */
  return wasm_v128_xor(s, odd);
}

INLINE f32x4 v_gelu(f32x4 x) {
  f32x4 u = MUL(S(0.7978845608028654f), ADD(x, MUL(S(0.044715f), MUL(x, MUL(x, x)))));
  return MUL(MUL(S(0.5f), x), ADD(S(1.0f), v_tanh(u)));
}

/* One vector through activation `act` (the switch is predictable: callers apply one activation throughout). */
INLINE f32x4 v_act(int act, f32x4 x) {
  switch (act) {
  case ACT_TANH: return v_tanh(x);
  case ACT_SIGMOID: return v_sigmoid(x);
  case ACT_RELU: return v_relu(x);
  case ACT_SIN: return v_sin(x);
  case ACT_GELU: return v_gelu(x);
  default: return x;
  }
}
#endif
