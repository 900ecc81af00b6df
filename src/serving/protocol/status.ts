import type { ErrorCode } from '../../core/errors.js';

/** HTTP status for each error code, following the mapping recommended for OIP servers (docs/serving.md). */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'ELM_ERR_MODEL_NOT_FOUND':
      return 404;
    case 'ELM_ERR_MODEL_NOT_READY':
    case 'ELM_ERR_OVERLOADED':
    case 'ELM_ERR_CLUSTER_UNAVAILABLE':
    case 'ELM_ERR_NO_RESPONDERS':
      return 503;
    case 'ELM_ERR_PAYLOAD_TOO_LARGE':
      return 413;
    case 'ELM_ERR_TIMEOUT':
      return 504;
    case 'ELM_ERR_UNAUTHORIZED':
      return 401;
    case 'ELM_ERR_FORBIDDEN_PATH':
    case 'ELM_ERR_CROSS_SITE':
      return 403;
    case 'ELM_ERR_METHOD_NOT_ALLOWED':
      return 405;
    case 'ELM_ERR_UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'ELM_ERR_MODEL_EXISTS':
    case 'ELM_ERR_CONFLICT':
      return 409;
    case 'ELM_ERR_UNSUPPORTED':
      return 501;
    case 'ELM_ERR_ARTIFACT_MAGIC':
    case 'ELM_ERR_ARTIFACT_VERSION':
    case 'ELM_ERR_ARTIFACT_TRUNCATED':
    case 'ELM_ERR_ARTIFACT_CHECKSUM':
    case 'ELM_ERR_ARTIFACT_HEADER':
    case 'ELM_ERR_ARTIFACT_MEMBER_MISSING':
      return 422;
    case 'ELM_ERR_IO':
    case 'ELM_ERR_INTERNAL':
    case 'ELM_ERR_WORKER_FAILED':
    case 'ELM_ERR_BACKEND_UNAVAILABLE':
    case 'ELM_ERR_NOT_POSITIVE_DEFINITE':
    case 'ELM_ERR_CLUSTER_DENIED':
      return 500;
    default:
      return 400;
  }
}
