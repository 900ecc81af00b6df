import {
  AuthorizationError,
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  PermissionViolationError,
  RequestError,
  TimeoutError,
  UserAuthenticationExpiredError,
} from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { ElmError, isElmError, type ErrorCode } from '../../../core/errors.js';
import { scrubSecrets } from './target.js';

export interface ErrorContext {
  /** What was being done, e.g. "request models.digits" or "kv registry create k". */
  op: string;
  /** A JetStream API call: "no responders" then means JetStream is unavailable, not that nobody holds a subject. */
  jetstream?: boolean;
  secrets?: readonly string[];
}

function isNoResponders(e: unknown): boolean {
  if (e instanceof NoRespondersError) return true;
  if (e instanceof RequestError) return e.isNoResponders();
  return e instanceof Error && e.cause instanceof NoRespondersError;
}

function codeFor(e: unknown, jetstream: boolean): ErrorCode {
  if (e instanceof TimeoutError || (e instanceof Error && e.cause instanceof TimeoutError)) return 'ELM_ERR_TIMEOUT';
  if (isNoResponders(e)) return jetstream ? 'ELM_ERR_CLUSTER_UNAVAILABLE' : 'ELM_ERR_NO_RESPONDERS';
  if (e instanceof JetStreamApiError) {
    if (
      e.code === JetStreamApiCodes.StreamWrongLastSequence ||
      e.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown
    )
      return 'ELM_ERR_CONFLICT';
    if (e.code === JetStreamApiCodes.JetStreamNotEnabledForAccount) return 'ELM_ERR_CLUSTER_UNAVAILABLE';
    if (e.status === 503) return 'ELM_ERR_CLUSTER_UNAVAILABLE';
    return 'ELM_ERR_INTERNAL';
  }
  if (
    e instanceof AuthorizationError ||
    e instanceof PermissionViolationError ||
    e instanceof UserAuthenticationExpiredError
  )
    return 'ELM_ERR_CLUSTER_DENIED';
  if (e instanceof ClosedConnectionError || e instanceof DrainingConnectionError || e instanceof ConnectionError)
    return 'ELM_ERR_CLUSTER_UNAVAILABLE';
  if (e instanceof RequestError) return 'ELM_ERR_CLUSTER_UNAVAILABLE'; // "connection disconnected"
  const msg = e instanceof Error ? e.message : String(e);
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|disconnect|closed|jetstream (is )?not enabled/i.test(msg))
    return 'ELM_ERR_CLUSTER_UNAVAILABLE';
  return 'ELM_ERR_INTERNAL';
}

/** Turn anything @nats-io throws into an ElmError with a stable code; secrets are scrubbed from the message. */
export function natsError(e: unknown, ctx: ErrorContext): ElmError {
  if (isElmError(e)) return e;
  const code = codeFor(e, ctx.jetstream === true);
  const raw = e instanceof Error ? e.message : String(e);
  const detail = scrubSecrets(raw, ctx.secrets ?? []);
  const what =
    code === 'ELM_ERR_TIMEOUT'
      ? 'no reply in time'
      : code === 'ELM_ERR_NO_RESPONDERS'
        ? 'no responders'
        : code === 'ELM_ERR_CONFLICT'
          ? 'conflict (the key exists or changed since the revision given)'
          : detail;
  const details: Record<string, unknown> = { op: ctx.op };
  if (e instanceof JetStreamApiError) details.apiCode = e.code;
  return new ElmError(code, `${ctx.op}: ${what}`, details, e);
}
