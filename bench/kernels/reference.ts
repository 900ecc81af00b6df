/** Run the numpy + OpenBLAS reference ELM (bench/reference/numpy_elm.py) with OpenBLAS free to pick AVX-512. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './util.js';

export interface NumpyResult {
  data: string;
  hidden: number;
  rows: number;
  trainSeconds: number;
  trainCpuSeconds?: number;
  testAccuracy: number;
  predictMedianUs?: number;
  predictP99Us?: number;
}

const PYTHON = '/usr/bin/python3';

/** Results per hidden size, or undefined (with the reason printed) when python3-numpy is not available. */
export function runNumpyElm(args: string[]): NumpyResult[] | undefined {
  if (!existsSync(PYTHON)) {
    console.log('numpy reference skipped: /usr/bin/python3 not found (apt-get install python3-numpy)');
    return undefined;
  }
  const env = { ...process.env };
  // the environment pins OpenBLAS to slower AVX2 kernels; the reference gets the fastest ones
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = join(repoRoot(), 'bench', 'reference', 'numpy_elm.py');
  const r = spawnSync(PYTHON, [script, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    console.log(`numpy reference failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    return undefined;
  }
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as NumpyResult);
}
