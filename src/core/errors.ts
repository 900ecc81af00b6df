/**
 * Errors are data with stable codes. Every code is listed in docs/errors.md; a test keeps the two in step.
 * Across a worker or HTTP boundary an error travels as {code, message, details} (see toErrorData / fromErrorData).
 */
export const ERROR_CODES = {
  ELM_ERR_INVALID_ARGUMENT: 'An argument or option has an invalid value.',
  ELM_ERR_SHAPE_MISMATCH: 'Array lengths or tensor shapes do not agree.',
  ELM_ERR_NON_FINITE: 'Input contains NaN or Infinity where finite numbers are required.',
  ELM_ERR_NOT_POSITIVE_DEFINITE: 'Cholesky factorisation failed: the matrix is not positive definite (raise 1/C).',
  ELM_ERR_UNKNOWN_ACTIVATION: 'The activation function name is not one elmscale knows.',
  ELM_ERR_ARTIFACT_MAGIC: 'The bytes are not an elmscale artifact (wrong magic bytes).',
  ELM_ERR_ARTIFACT_VERSION: 'The artifact was written by a newer, unsupported format version.',
  ELM_ERR_ARTIFACT_TRUNCATED: 'The artifact is shorter than its header says.',
  ELM_ERR_ARTIFACT_CHECKSUM: 'The artifact checksum does not match its contents (corrupt file).',
  ELM_ERR_ARTIFACT_HEADER: 'The artifact header is malformed or describes an inconsistent model.',
  ELM_ERR_ARTIFACT_MEMBER_MISSING: 'A composite artifact references a member model that cannot be found.',
  ELM_ERR_DATA_PARSE: 'A data file could not be parsed (ragged rows, non-numeric cells, bad format).',
  ELM_ERR_DATA_SPEC: 'A data spec (e.g. digits:train, csv:path) is not understood.',
  ELM_ERR_DATA_NOT_FOUND: 'A data file or data package could not be found.',
  ELM_ERR_BACKEND_UNAVAILABLE: 'The requested numeric backend cannot be loaded here.',
  ELM_ERR_MODEL_NOT_FOUND: 'No model with that name or version is loaded.',
  ELM_ERR_MODEL_NOT_READY: 'The model exists but is not ready to serve.',
  ELM_ERR_MODEL_EXISTS: 'A model with that name and version is already loaded.',
  ELM_ERR_BAD_REQUEST: 'The request is malformed (bad JSON, wrong datatype, bad shape, unknown input or output).',
  ELM_ERR_METHOD_NOT_ALLOWED: 'The path exists but does not take this HTTP method (the Allow header says which).',
  ELM_ERR_PAYLOAD_TOO_LARGE: 'The request body exceeds the configured size limit.',
  ELM_ERR_OVERLOADED: 'The server is at capacity; retry after the indicated delay.',
  ELM_ERR_TIMEOUT: 'The request exceeded its timeout before it was computed (or no reply came in time).',
  ELM_ERR_UNAUTHORIZED: 'The endpoint requires a valid bearer token.',
  ELM_ERR_FORBIDDEN_PATH: 'An artifact path escapes the configured model directory.',
  ELM_ERR_CROSS_SITE: 'A request from another site (Origin, or a Host that is not this server) was refused.',
  ELM_ERR_UNSUPPORTED_MEDIA_TYPE: 'The request body has a content type this endpoint does not accept.',
  ELM_ERR_UNSUPPORTED: 'The feature or datatype is not supported.',
  ELM_ERR_WORKER_FAILED: 'An inference worker crashed and the retry also failed.',
  ELM_ERR_CLUSTER_UNAVAILABLE: 'The cluster (NATS) cannot be reached, or the connection closed or is reconnecting.',
  ELM_ERR_CLUSTER_DENIED: 'The NATS server refused the credentials, or the permission for a subject.',
  ELM_ERR_NO_RESPONDERS: 'No node is subscribed to the subject (nobody holds the model); answered at once.',
  ELM_ERR_CONFLICT: 'A compare-and-set lost: the key exists, or changed since the revision given.',
  ELM_ERR_IO: 'A file could not be written or read (permissions, a full disk, a missing directory).',
  ELM_ERR_INTERNAL: 'An unexpected internal error.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class ElmError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ElmError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  toJSON(): ErrorData {
    return toErrorData(this);
  }
}

export function isElmError(e: unknown, code?: ErrorCode): e is ElmError {
  return e instanceof ElmError && (code === undefined || e.code === code);
}

/** Serialise any thrown value to plain data (for postMessage or HTTP bodies). */
export function toErrorData(e: unknown): ErrorData {
  if (e instanceof ElmError) {
    const out: ErrorData = { code: e.code, message: e.message };
    if (e.details !== undefined) out.details = e.details;
    return out;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'ELM_ERR_INTERNAL', message };
}

export function fromErrorData(d: ErrorData): ElmError {
  const code = d.code in ERROR_CODES ? d.code : 'ELM_ERR_INTERNAL';
  return new ElmError(code, d.message, d.details);
}
