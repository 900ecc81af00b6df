import { ElmError } from '../core/errors.js';
import { SERVER_SCHEMA, type OptionSpec, type ServerConfig } from './config.js';

/** Checking and resolving options against the schema (config.ts): one place for every option's validation. */

const invalid = (key: string, why: string): ElmError =>
  new ElmError('ELM_ERR_INVALID_ARGUMENT', `${key} ${why}`, { option: key });

/** Check one value against its spec and return it in its canonical form (lists and file entries normalised). */
export function checkOption(key: keyof ServerConfig, value: unknown): unknown {
  const s = SERVER_SCHEMA[key];
  if (value === undefined) return undefined;
  switch (s.kind) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw invalid(key, `must be a number, got ${show(s, value)}`);
      if (s.kind === 'int' && !Number.isInteger(value)) throw invalid(key, `must be an integer, got ${value}`);
      if (s.min !== undefined && value < s.min) throw invalid(key, `must be ≥ ${s.min}, got ${value}`);
      if (s.max !== undefined && value > s.max) throw invalid(key, `must be ≤ ${s.max}, got ${value}`);
      return value;
    }
    case 'string':
      if (typeof value !== 'string') throw invalid(key, `must be a string, got ${show(s, value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(key, `must be true or false, got ${show(s, value)}`);
      return value;
    case 'choice':
      if (typeof value !== 'string' || !s.choices!.includes(value)) {
        throw invalid(key, `must be one of ${s.choices!.join(' | ')}, got ${show(s, value)}`);
      }
      return value;
    case 'list': {
      const items =
        typeof value === 'string'
          ? value
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : value;
      if (!Array.isArray(items)) throw invalid(key, `must be a list, got ${show(s, value)}`);
      for (const x of items) {
        if (typeof x !== 'string' || (s.choices && !s.choices.includes(x))) {
          throw invalid(key, `must list values of ${s.choices?.join(', ') ?? 'text'}, got ${show(s, x)}`);
        }
      }
      return [...new Set(items as string[])];
    }
    case 'files': {
      const items = Array.isArray(value) ? value : [value];
      return items.map((x) => {
        if (typeof x === 'string' && x.length > 0) return { path: x };
        if (typeof x === 'object' && x !== null && typeof (x as { path?: unknown }).path === 'string') return x;
        throw invalid(key, `entries must be paths or {path, name?, version?}, got ${show(s, x)}`);
      });
    }
  }
}

function show(s: OptionSpec, v: unknown): string {
  return s.secret ? '(hidden)' : (JSON.stringify(v) ?? String(v));
}

/**
 * Resolve options in order of precedence — given values, then `env`, then the schema's defaults — and validate
 * every one. Unknown keys are an error (a misspelt option in a config file must not be silently ignored).
 */
export function resolveConfig(
  given: Partial<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>> = {},
  extraKeys: readonly string[] = [],
): ServerConfig {
  for (const k of Object.keys(given)) {
    if (!(k in SERVER_SCHEMA) && !extraKeys.includes(k)) {
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `unknown option "${k}"`, { option: k });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(SERVER_SCHEMA) as [keyof ServerConfig, OptionSpec][]) {
    let v = given[k];
    if (v === undefined && s.env !== undefined) {
      const e = env[s.env];
      if (e !== undefined && e.length > 0) v = e;
    }
    out[k] = v === undefined ? s.default : checkOption(k, v);
  }
  return out as unknown as ServerConfig;
}
