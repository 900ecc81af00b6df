import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../../src/adapters/node/http/index.js';
import { isElmError } from '../../src/core/errors.js';
import { get } from './helpers.js';
import { oipHttpSuite } from './http-suite.js';

oipHttpSuite('fastify', startServer);

describe('fastify transport: startup checks and plugins', () => {
  it('is not ready without models, and refuses a non-loopback host without a token', async () => {
    const s = await startServer({ port: 0 });
    try {
      assert.equal((await get(`${s.url}/v2/health/ready`)).status, 503);
      assert.equal((await get(`${s.url}/v2/health/live`)).status, 200);
    } finally {
      await s.close();
    }
    await assert.rejects(startServer({ host: '0.0.0.0', port: 0 }), (e: unknown) =>
      isElmError(e, 'ELM_ERR_UNAUTHORIZED'),
    );
    await assert.rejects(startServer({ port: 0, workers: -1 }), (e: unknown) =>
      isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
    );
  });

  it('a port in use is a usage error that says what to do, not ELM_ERR_INTERNAL', async () => {
    const s = await startServer({ port: 0 });
    try {
      await assert.rejects(startServer({ port: s.port }), (e: unknown) => {
        assert.ok(isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'), String(e));
        assert.match(e.message, /already in use .*--port 0/);
        return true;
      });
      assert.equal((await get(`${s.url}/v2/health/live`)).status, 200, 'the first server is unharmed');
    } finally {
      await s.close();
    }
  });

  it('accepts extra route plugins', async () => {
    const s = await startServer({
      port: 0,
      plugins: [
        (app, ctx) => {
          app.get('/hello', async () => ({ models: ctx.service.registry.names().length }));
        },
      ],
    });
    try {
      assert.deepEqual((await get(`${s.url}/hello`)).json, { models: 0 });
    } finally {
      await s.close();
    }
  });
});
