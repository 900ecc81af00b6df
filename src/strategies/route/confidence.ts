/**
 * Confidence of a probability row, higher = more confident, for every measure:
 *  - 'max':     the top probability
 *  - 'margin':  top probability − runner-up
 *  - 'entropy': 1 − H(p)/log(m) (1 for a one-hot row, 0 for the uniform one)
 *  - 'logit-margin': log p₁ − log p₂, the margin between the top two RAW scores (p = softmax(scores)). ELM scores
 *    are ridge regressions onto one-hot targets (≈ [0, 1]), so their softmax is flat and probability-based
 *    measures compress the scale; the raw margin ranks rows by how far the answer is from a tie.
 */
export type ConfidenceMeasure = 'max' | 'margin' | 'entropy' | 'logit-margin';
export const CONFIDENCE_MEASURES: readonly ConfidenceMeasure[] = ['max', 'margin', 'entropy', 'logit-margin'];

export function confidenceOf(measure: ConfidenceMeasure, p: Float32Array, off: number, m: number): number {
  if (measure === 'entropy') {
    let h = 0;
    for (let j = 0; j < m; j++) {
      const v = p[off + j]!;
      if (v > 0) h -= v * Math.log(v);
    }
    return m > 1 ? 1 - h / Math.log(m) : 1;
  }
  let a = -Infinity,
    b = -Infinity;
  for (let j = 0; j < m; j++) {
    const v = p[off + j]!;
    if (v > a) {
      b = a;
      a = v;
    } else if (v > b) b = v;
  }
  if (measure === 'logit-margin') return m > 1 ? Math.log(Math.max(a, 1e-30)) - Math.log(Math.max(b, 1e-30)) : 1e30;
  return measure === 'max' ? a : a - (m > 1 ? b : 0);
}

/** Confidence of every row of a rows×m probability block. */
export function confidences(
  measure: ConfidenceMeasure,
  p: Float32Array,
  rows: number,
  m: number,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) out[r] = confidenceOf(measure, p, r * m, m);
}
