import { ElmError, type ErrorCode } from './errors.js';

/**
 * Assertions take a message *function* so hot paths never build strings unless the check fails.
 */
export function check(
  cond: boolean,
  code: ErrorCode,
  message: () => string,
  details?: () => Record<string, unknown>,
): asserts cond {
  if (!cond) throw new ElmError(code, message(), details?.());
}

export function checkShape(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new ElmError('ELM_ERR_SHAPE_MISMATCH', message());
}

export function checkArg(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', message());
}

export function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

/** First index holding NaN or ±Infinity, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

export function checkFinite(a: ArrayLike<number>, what: string): void {
  const i = firstNonFinite(a);
  if (i >= 0)
    throw new ElmError('ELM_ERR_NON_FINITE', `${what} contains a non-finite value at index ${i}`, { index: i });
}
