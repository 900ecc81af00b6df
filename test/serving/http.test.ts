import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../../src/adapters/node/http/index.js';
import { isElmError } from '../../src/core/errors.js';
import { fixtures, get } from './helpers.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
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

  it('one bad artifact in the model directory is skipped and reported; the others serve', async () => {
    const fx = await fixtures();
    const dir = await mkdtemp(join(tmpdir(), 'elmscale-baddir-'));
    try {
      await writeFile(join(dir, 'good.elm'), new ModelCodecs().encode(fx.model));
      await writeFile(join(dir, 'broken.elm'), 'not an artifact at all');
      const s = await startServer({ port: 0, modelsDir: dir });
      try {
        assert.deepEqual((await get(`${s.url}/v2/models`)).json.models, ['good']);
        assert.equal(s.skipped.length, 1);
        assert.equal(s.skipped[0]!.file, 'broken.elm');
        assert.match(s.skipped[0]!.code, /^ELM_ERR_ARTIFACT/);
      } finally {
        await s.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
