/**
 * Strict decimal number parsing for data cells. `Number()` alone accepts '' (0), ' ', '0x1F', 'Infinity' and
 * '1_000'-like surprises; a data cell must be a plain decimal literal instead: [+-]digits[.digits][e[+-]digits].
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of a plain decimal literal (surrounding spaces allowed), or undefined if the text is not one. */
export function parseDecimal(text: string): number | undefined {
  // Fast path for short unsigned integers, the common case (pixels, counts, class ids).
  const n = text.length;
  if (n > 0 && n < 10) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n) return v;
  }
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  return Number(t);
}

/** True when the value survives conversion to float32 as a finite number. */
export function isFiniteF32(v: number): boolean {
  return Number.isFinite(Math.fround(v));
}
