import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { modelMetadata } from '../../../serving/protocol/model-io.js';
import { EXTENSIONS } from '../../../serving/protocol/types.js';
import type { ModelEntry } from '../../../serving/registry.js';
import { createInferHandler } from './infer.js';
import type { ServerContext } from './options.js';
import { sendAnswer } from './reply.js';

type Params = { name: string; version?: string };
type Req = FastifyRequest<{ Params: Params }>;

const JSON_TYPE = 'application/json';

/** Both forms of a model path: /v2/models/{name}[/versions/{version}]{suffix}. */
function modelPaths(suffix: string): string[] {
  return [`/v2/models/:name${suffix}`, `/v2/models/:name/versions/:version${suffix}`];
}

/** OIP v2 core endpoints plus statistics and the classification / binary data extensions. */
export function registerOipRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { service, options } = ctx;

  app.get('/v2/health/live', (_req, reply) => {
    reply.type(JSON_TYPE).send('{"live":true}');
  });
  app.get('/v2/health/ready', (_req, reply) => {
    const ready = service.ready();
    reply
      .code(ready ? 200 : 503)
      .type(JSON_TYPE)
      .send(ready ? '{"ready":true}' : '{"ready":false}');
  });
  app.get('/v2', (_req, reply) => {
    reply.send({ name: options.name, version: '0.1.0', extensions: [...EXTENSIONS] });
  });
  app.get('/v2/models', (_req, reply) => {
    reply.send({ models: service.registry.names() });
  });

  for (const path of modelPaths('')) {
    app.get(path, (req: Req, reply) => {
      const e = service.resolve(req.params.name, req.params.version);
      reply.send(modelMetadata(e.name, service.registry.versions(e.name), e.model, e.io));
    });
  }
  for (const path of modelPaths('/ready')) {
    app.get(path, (req: Req, reply) => {
      const e = service.resolve(req.params.name, req.params.version);
      const ready = e.state === 'ready';
      reply.code(ready ? 200 : 503).send({ name: e.name, ready });
    });
  }

  const statsHandler = (req: FastifyRequest<{ Params: Partial<Params> }>, reply: FastifyReply): void => {
    const { name, version } = req.params;
    let entries: ModelEntry[];
    if (name === undefined) entries = service.registry.entries();
    else if (version === undefined) {
      service.resolve(name);
      entries = service.registry.versions(name).map((v) => service.resolve(name, v));
    } else entries = [service.resolve(name, version)];
    reply.send({ model_stats: entries.map((e) => e.stats.toJSON(e.name, e.version)) });
  };
  app.get('/v2/models/stats', statsHandler);
  for (const path of modelPaths('/stats')) app.get(path, statsHandler);

  const handleInfer = createInferHandler(ctx);
  const infer = async (req: Req, reply: FastifyReply): Promise<FastifyReply> =>
    sendAnswer(
      reply,
      await handleInfer({
        name: req.params.name,
        version: req.params.version,
        headers: req.headers,
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
      }),
    );
  for (const path of modelPaths('/infer')) app.post(path, infer);
}
