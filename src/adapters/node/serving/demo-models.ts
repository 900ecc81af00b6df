import { ELM } from '../../../models/elm.js';
import type { Model } from '../../../models/model.js';
import type { Backend } from '../../../numeric/backend.js';
import { loadDataSpec } from '../data-files.js';

export interface DemoModel {
  name: string;
  model: Model;
}

/**
 * The demo models, trained at startup on the embedded sklearn digits data (1437 training rows):
 * "digits" (L = 1024, the benchmark model) and "digits-small" (L = 128). Well under a second with wasm.
 */
export async function trainDemoModels(backend: Backend): Promise<DemoModel[]> {
  const data = await loadDataSpec('digits:train');
  if (data.task !== 'classification') throw new Error('digits must be a classification set');
  return [
    { name: 'digits', model: ELM.fit(data, { hidden: 1024, seed: 42 }, { backend }) },
    { name: 'digits-small', model: ELM.fit(data, { hidden: 128, seed: 7 }, { backend }) },
  ];
}
