import { ElmError, toErrorData } from '../core/errors.js';

/** Exit codes: documented in README.md (Command line) and docs/errors.md. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** Errors go to stderr as one line (or a JSON object with --json); usage-type codes exit 2, others 1. */
export function reportError(e: unknown, json: boolean): number {
  const data = toErrorData(e);
  if (json) process.stderr.write(JSON.stringify({ error: data }) + '\n');
  else process.stderr.write(`elmscale: ${data.code}: ${data.message}\n`);
  const usage =
    e instanceof ElmError &&
    ['ELM_ERR_INVALID_ARGUMENT', 'ELM_ERR_DATA_SPEC', 'ELM_ERR_UNKNOWN_ACTIVATION'].includes(e.code);
  return usage ? EXIT.USAGE : EXIT.FAILURE;
}

export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** Parse a numeric option strictly (commander passes strings). */
export function num(name: string, integer = false): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new ElmError(
        'ELM_ERR_INVALID_ARGUMENT',
        `--${name} expects ${integer ? 'an integer' : 'a number'}, got "${v}"`,
      );
    }
    return n;
  };
}
