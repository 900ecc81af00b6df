/** Open Inference Protocol v2 (KServe / Triton / MLServer) REST bodies, as elmscale speaks them. */
export type Scalar = string | number | boolean;
export type Parameters = Record<string, Scalar>;

export type Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

export interface MetadataTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
}

export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: MetadataTensor[];
  outputs: MetadataTensor[];
  parameters?: Parameters;
}

export interface RequestInput {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Parameters;
  data?: unknown;
}

export interface RequestOutput {
  name: string;
  parameters?: Parameters;
}

export interface InferenceRequestBody {
  id?: string;
  parameters?: Parameters;
  inputs: RequestInput[];
  outputs?: RequestOutput[];
}

export interface ResponseOutput {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Parameters;
  data?: number[] | string[] | boolean[];
}

export interface InferenceResponseBody {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Parameters;
  outputs: ResponseOutput[];
}

/** The extensions elmscale implements, advertised in GET /v2. */
export const EXTENSIONS = [
  'model_repository',
  'statistics',
  'classification',
  'binary_tensor_data',
  'schedule_policy',
] as const;
