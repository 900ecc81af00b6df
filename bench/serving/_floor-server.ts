/**
 * Child process of http-floor.ts: a server with only a GET /v2/health/live and a no-op POST route, on raw node:http
 * (argv[2] = "raw") or on fastify configured as elmscale's server is (every body read as one Buffer). Prints its port,
 * answers "cpu" IPC messages with process.cpuUsage().
 */
import Fastify from 'fastify';
import { createServer } from 'node:http';

const LIVE = '{"live":true}';
const kind = process.argv[2];

if (kind === 'raw') {
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': LIVE.length });
      res.end(LIVE);
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.length;
    });
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n);
      const out = `{"bytes":${body.length}}`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
      res.end(out);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.stdout.write(`${typeof a === 'object' && a ? a.port : 0}\n`);
  });
} else {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  if (kind === 'fastify-stream')
    app.addContentTypeParser('*', (_req, payload, done) => {
      const chunks: Buffer[] = [];
      let n = 0;
      payload.on('data', (c: Buffer) => {
        chunks.push(c);
        n += c.length;
      });
      payload.on('end', () => done(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n)));
    });
  else app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.get('/v2/health/live', (_q, r) => {
    r.type('application/json').send(LIVE);
  });
  app.post('/v2/models/:name/infer', (q, r) => {
    r.type('application/json').send(`{"bytes":${(q.body as Buffer).length}}`);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  process.stdout.write(`${typeof a === 'object' && a ? a.port : 0}\n`);
}
process.on('message', (m) => {
  if (m === 'cpu') process.send?.(process.cpuUsage());
});
