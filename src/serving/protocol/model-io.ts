import type { Model } from '../../models/model.js';
import type { MetadataTensor, ModelMetadata } from './types.js';

/** The tensors a served model exposes. Classifiers: probabilities, class index and label; regressors: predictions. */
export interface ModelIO {
  input: MetadataTensor;
  outputs: MetadataTensor[];
  inputDim: number;
  outputDim: number;
  task: Model['task'];
  labels?: readonly string[];
}

export const INPUT_NAME = 'input';

export function modelIO(model: Model): ModelIO {
  const d = model.inputDim,
    m = model.outputDim;
  const outputs: MetadataTensor[] =
    model.task === 'classification'
      ? [
          { name: 'probabilities', datatype: 'FP32', shape: [-1, m] },
          { name: 'class', datatype: 'INT64', shape: [-1] },
          { name: 'label', datatype: 'BYTES', shape: [-1] },
        ]
      : [{ name: 'predictions', datatype: 'FP32', shape: [-1, m] }];
  const io: ModelIO = {
    input: { name: INPUT_NAME, datatype: 'FP32', shape: [-1, d] },
    outputs,
    inputDim: d,
    outputDim: m,
    task: model.task,
  };
  if (model.labels) io.labels = model.labels;
  return io;
}

export function modelMetadata(name: string, versions: string[], model: Model, io: ModelIO): ModelMetadata {
  return {
    name,
    versions,
    platform: `elmscale_${model.kind}`,
    inputs: [io.input],
    outputs: io.outputs,
    parameters: { task: model.task, flops_per_row: model.flopsPerRow },
  };
}
