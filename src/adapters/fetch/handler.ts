import { concatBytes } from '../../core/bytes.js';
import { ElmError } from '../../core/errors.js';
import { errorAnswer, type Answer } from '../../serving/answer.js';
import type { ServingContext } from '../../serving/rest/context.js';
import type { RouteRequest } from '../../serving/rest/route.js';
import { RestRouter, restRoutes, runRoute, unroutedAnswer } from '../../serving/rest/router.js';

export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * The serving core as a web-standard `fetch` handler, `(Request) => Promise<Response>` — the shape Deno.serve,
 * Bun.serve, Cloudflare-style workers and service workers take (hono's shape). Same routes, auth and answers as the
 * fastify transport; one shared HTTP suite runs against both.
 */
export function createFetchHandler(ctx: ServingContext): FetchHandler {
  const router = new RestRouter(restRoutes(ctx));
  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    const m = router.match(request.method, path);
    if (!m.route) return toResponse(unroutedAnswer(request.method, path, m.allow, ctx.retryAfterS), request);
    let body: Uint8Array | undefined;
    if (m.route.method === 'POST') {
      try {
        body = await readBody(request, ctx.bodyLimit);
      } catch (e) {
        return toResponse(errorAnswer(e, ctx.retryAfterS), request);
      }
    }
    const headers = request.headers;
    const req: RouteRequest = {
      params: m.params,
      query: Object.fromEntries(url.searchParams),
      header: (n) => headers.get(n) ?? undefined,
      body,
    };
    return toResponse(await runRoute(ctx, m.route, req), request);
  };
}

function toResponse(a: Answer, request: Request): Response {
  // A Uint8Array is a valid body everywhere; TypeScript's lib types want an ArrayBuffer-backed view.
  const payload = request.method === 'HEAD' ? null : (a.payload as BodyInit);
  return new Response(payload, { status: a.status, headers: a.headers });
}

const tooLarge = (limit: number): ElmError =>
  new ElmError('ELM_ERR_PAYLOAD_TOO_LARGE', `the request body exceeds ${limit} bytes`);

/** The whole body, refused as soon as it passes `limit` (by Content-Length, or while streaming without one). */
async function readBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return chunks.length === 0 ? new Uint8Array(0) : concatBytes(chunks);
}
