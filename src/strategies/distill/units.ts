import { ElmError } from '../../core/errors.js';
import { generateHiddenWeights } from '../../models/hidden-layer.js';
import type { ELM } from '../../models/elm.js';
import type { LabeledData } from '../../models/model.js';

/**
 * Importance of each of the teacher's hidden units: ‖β_j‖ · rms(h_j) over (up to `sampleRows`) data rows — how
 * much unit j moves the outputs on typical inputs.
 */
export function unitImportance(teacher: ELM, data: LabeledData, sampleRows = 4096): Float64Array {
  const l = teacher.hidden,
    m = teacher.outputDim,
    d = data.cols;
  const n = Math.min(sampleRows, data.rows);
  const stride = Math.max(1, Math.floor(data.rows / n));
  const block = 256;
  const xb = new Float32Array(block * d),
    hb = new Float32Array(block * l);
  const sq = new Float64Array(l);
  let done = 0;
  while (done < n) {
    const nb = Math.min(block, n - done);
    for (let i = 0; i < nb; i++) {
      const r = (done + i) * stride;
      xb.set(data.x.subarray(r * d, (r + 1) * d), i * d);
    }
    teacher.hiddenLayer(xb.subarray(0, nb * d), nb, hb);
    for (let i = 0; i < nb; i++) for (let j = 0; j < l; j++) sq[j] += hb[i * l + j]! * hb[i * l + j]!;
    done += nb;
  }
  const score = new Float64Array(l);
  for (let j = 0; j < l; j++) {
    let b2 = 0;
    for (let c = 0; c < m; c++) b2 += teacher.beta[j * m + c]! ** 2;
    score[j] = Math.sqrt(b2) * Math.sqrt(sq[j]! / n);
  }
  return score;
}

/**
 * Raw hidden weights (d×k, k) of the teacher's k most important units, in the teacher's order — stored in the
 * student (ElmSpec.storedWeights) because a subset of a seed's units is not itself a seed.
 */
export function selectTeacherUnits(
  teacher: ELM,
  data: LabeledData,
  k: number,
): { w: Float32Array; b: Float32Array; units: Int32Array } {
  const l = teacher.hidden,
    d = teacher.inputDim;
  if (k > l) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `cannot keep ${k} of the teacher's ${l} hidden units`);
  const score = unitImportance(teacher, data);
  const order = Array.from({ length: l }, (_, j) => j).sort((a, b) => score[b]! - score[a]!);
  const units = Int32Array.from(order.slice(0, k)).sort();
  const cfg = teacher.spec.config;
  const raw = teacher.spec.storedWeights ?? generateHiddenWeights(cfg.seed, d, l, cfg.weightScale);
  const w = new Float32Array(d * k),
    b = new Float32Array(k);
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) w[i * k + j] = raw.w[i * l + units[j]!]!;
  for (let j = 0; j < k; j++) b[j] = raw.b[units[j]!]!;
  return { w, b, units };
}
