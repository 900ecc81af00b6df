import { jsonAnswer, type Answer } from '../answer.js';
import { modelMetadata } from '../protocol/model-io.js';
import { EXTENSIONS } from '../protocol/types.js';
import type { ModelEntry } from '../registry.js';
import type { ServingContext } from './context.js';
import { modelPaths, type Route, type RouteRequest } from './route.js';

const LIVE = jsonAnswer('{"live":true}');
const READY = jsonAnswer('{"ready":true}');
const NOT_READY = jsonAnswer('{"ready":false}', 503);

/** OIP v2 core endpoints plus the statistics extension and /metrics. Infer is the pipeline's. */
export function oipRoutes(ctx: ServingContext): Route[] {
  const { service } = ctx;
  const routes: Route[] = [
    { method: 'GET', path: '/v2/health/live', scope: 'health', handle: () => LIVE },
    { method: 'GET', path: '/v2/health/ready', scope: 'health', handle: () => (service.ready() ? READY : NOT_READY) },
    {
      method: 'GET',
      path: '/v2',
      scope: 'inference',
      handle: () => jsonAnswer({ name: ctx.name, version: '0.1.0', extensions: [...EXTENSIONS] }),
    },
    {
      method: 'GET',
      path: '/v2/models',
      scope: 'inference',
      handle: () => jsonAnswer({ models: service.registry.names() }),
    },
    { method: 'GET', path: '/v2/models/stats', scope: 'metrics', handle: (r) => statistics(ctx, r) },
  ];
  for (const path of modelPaths('')) {
    routes.push({
      method: 'GET',
      path,
      scope: 'inference',
      handle: (r) => {
        const e = service.resolve(r.params.name!, r.params.version);
        return jsonAnswer(modelMetadata(e.name, service.registry.versions(e.name), e.model, e.io));
      },
    });
  }
  for (const path of modelPaths('/ready')) {
    routes.push({
      method: 'GET',
      path,
      scope: 'inference',
      handle: (r) => {
        const e = service.resolve(r.params.name!, r.params.version);
        const ready = e.state === 'ready';
        return jsonAnswer({ name: e.name, ready }, ready ? 200 : 503);
      },
    });
  }
  for (const path of modelPaths('/stats')) {
    routes.push({ method: 'GET', path, scope: 'metrics', handle: (r) => statistics(ctx, r) });
  }
  for (const path of modelPaths('/infer')) {
    routes.push({
      method: 'POST',
      path,
      scope: 'inference',
      handle: (r) =>
        ctx.front.infer({
          model: r.params.name!,
          version: r.params.version,
          body: r.body,
          contentType: r.header('content-type'),
          headerLength: r.header('inference-header-content-length'),
        }),
    });
  }
  if (ctx.metricsText) {
    const text = ctx.metricsText.bind(ctx);
    routes.push({
      method: 'GET',
      path: '/metrics',
      scope: 'metrics',
      handle: async (): Promise<Answer> => {
        const m = await text();
        return { status: 200, headers: { 'content-type': m.contentType }, payload: m.text };
      },
    });
  }
  return routes;
}

function statistics(ctx: ServingContext, r: RouteRequest): Answer {
  const { service } = ctx;
  const { name, version } = r.params;
  let entries: ModelEntry[];
  if (name === undefined) entries = service.registry.entries();
  else if (version === undefined) {
    service.resolve(name);
    entries = service.registry.versions(name).map((v) => service.resolve(name, v));
  } else entries = [service.resolve(name, version)];
  return jsonAnswer({ model_stats: entries.map((e) => e.stats.toJSON(e.name, e.version)) });
}
