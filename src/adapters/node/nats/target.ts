import { ElmError } from '../../../core/errors.js';

/**
 * Where and how to connect: `--cluster <url>` (one URL or a comma-separated list, credentials optionally in the URL:
 * nats://TOKEN@host:4222 or nats://USER:PASS@host:4222), explicit flags, or the environment:
 *   ELMSCALE_NATS_TOKEN, ELMSCALE_NATS_USER + ELMSCALE_NATS_PASSWORD, ELMSCALE_NATS_CREDS (a .creds file path).
 * Precedence: explicit options, then the URL, then the environment. Secrets never appear in anything printed:
 * every URL that is shown or thrown goes through redactUrl().
 */
export interface ClusterTarget {
  servers: string | string[];
  token?: string;
  user?: string;
  pass?: string;
  /** Path of a NATS .creds file (JWT + nkey seed). */
  credsFile?: string;
}

export interface ResolvedTarget {
  /** Server URLs without credentials. */
  servers: string[];
  token?: string;
  user?: string;
  pass?: string;
  credsFile?: string;
  /** Every secret value, so messages can be scrubbed of them. */
  secrets: string[];
}

const WITH_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)?([^@/\s]*)@(.*)$/i;

/** Remove credentials (user info) from one URL or a comma-separated list: nats://***@host:4222. */
export function redactUrl(url: string): string {
  return url
    .split(',')
    .map((part) => {
      const t = part.trim();
      const m = WITH_USERINFO.exec(t);
      return m ? `${m[1] ?? ''}***@${m[3]}` : t;
    })
    .join(',');
}

/** Replace every secret occurring in `text` by ***, and redact URL user info. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^@/\s,]*@/gi, '$1***@');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function resolveTarget(target: string | ClusterTarget, env: Env = {}): ResolvedTarget {
  const t: ClusterTarget = typeof target === 'string' ? { servers: target } : target;
  const list = (Array.isArray(t.servers) ? t.servers : t.servers.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'no NATS server URL given (--cluster <url>)');
  let urlToken: string | undefined;
  let urlUser: string | undefined;
  let urlPass: string | undefined;
  const servers = list.map((s) => {
    const m = WITH_USERINFO.exec(s);
    if (!m) return s;
    const info = m[2];
    const colon = info.indexOf(':');
    if (colon < 0) urlToken = decode(info);
    else {
      urlUser = decode(info.slice(0, colon));
      urlPass = decode(info.slice(colon + 1));
    }
    return `${m[1] ?? ''}${m[3]}`;
  });
  for (const s of servers) {
    if (!/^((nats|tls|ws|wss):\/\/)?[^\s/]+(:\d+)?\/?$/i.test(s))
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `not a NATS server URL: ${redactUrl(s)}`);
  }
  const out: ResolvedTarget = { servers, secrets: [] };
  // one source supplies the credentials, as a whole: explicit options, else the URL, else the environment
  if (t.token !== undefined) out.token = t.token;
  else if (t.user !== undefined) Object.assign(out, { user: t.user, pass: t.pass ?? '' });
  else if (urlToken !== undefined) out.token = urlToken;
  else if (urlUser !== undefined) Object.assign(out, { user: urlUser, pass: urlPass ?? '' });
  else if (env.ELMSCALE_NATS_TOKEN) out.token = env.ELMSCALE_NATS_TOKEN;
  else if (env.ELMSCALE_NATS_USER)
    Object.assign(out, { user: env.ELMSCALE_NATS_USER, pass: env.ELMSCALE_NATS_PASSWORD ?? '' });
  const creds = t.credsFile ?? env.ELMSCALE_NATS_CREDS;
  if (creds) out.credsFile = creds;
  out.secrets = [out.token, out.pass].filter((s): s is string => typeof s === 'string' && s.length > 0);
  return out;
}
