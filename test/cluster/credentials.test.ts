import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isElmError, toErrorData } from '../../src/core/errors.js';
import { connectCluster, redactUrl, resolveTarget, scrubSecrets } from '../../src/adapters/node/nats/index.js';
import { freePorts } from '../helpers/ports.js';
import { skipNoNats, startNats, type SingleNats } from '../helpers/nats.js';

const TOKEN = 's3cr3t-T0ken-xyz';
const te = new TextEncoder();

describe('cluster URLs and credentials', () => {
  it('redactUrl removes user info from one URL or a list, and leaves plain URLs alone', () => {
    assert.equal(redactUrl('nats://tok@127.0.0.1:4222'), 'nats://***@127.0.0.1:4222');
    assert.equal(redactUrl('nats://user:pa%40ss@127.0.0.1:4222'), 'nats://***@127.0.0.1:4222');
    assert.equal(redactUrl('u:p@127.0.0.1:4222, nats://127.0.0.1:4223'), '***@127.0.0.1:4222,nats://127.0.0.1:4223');
    assert.equal(redactUrl('nats://127.0.0.1:4222'), 'nats://127.0.0.1:4222');
    assert.equal(
      scrubSecrets(`failed for nats://x:${TOKEN}@h:1 with ${TOKEN}`, [TOKEN]),
      'failed for nats://***@h:1 with ***',
    );
  });

  it('credentials come from options, else the URL, else the environment', () => {
    const env = { ELMSCALE_NATS_TOKEN: 'env-token', ELMSCALE_NATS_CREDS: '/x.creds' };
    assert.deepEqual(resolveTarget('nats://127.0.0.1:1', env), {
      servers: ['nats://127.0.0.1:1'],
      token: 'env-token',
      credsFile: '/x.creds',
      secrets: ['env-token'],
    });
    const fromUrl = resolveTarget('nats://al%3Ace:pw@127.0.0.1:1,nats://127.0.0.1:2', env);
    assert.deepEqual(
      [fromUrl.servers, fromUrl.user, fromUrl.pass, fromUrl.token],
      [['nats://127.0.0.1:1', 'nats://127.0.0.1:2'], 'al:ce', 'pw', undefined],
    );
    const explicit = resolveTarget({ servers: ['nats://t@127.0.0.1:1'], user: 'u', pass: 'p' }, env);
    assert.deepEqual([explicit.user, explicit.pass, explicit.token], ['u', 'p', undefined]);
    const envUser = resolveTarget('127.0.0.1:1', { ELMSCALE_NATS_USER: 'eu', ELMSCALE_NATS_PASSWORD: 'ep' });
    assert.deepEqual([envUser.user, envUser.pass, envUser.secrets], ['eu', 'ep', ['ep']]);
    assert.throws(
      () => resolveTarget(' , '),
      (e: unknown) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
    );
    assert.throws(
      () => resolveTarget(`nats://${TOKEN}@127.0.0.1:1/some/path`),
      (e: unknown) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT') && !e.message.includes(TOKEN),
    );
  });

  it('nothing listening: ELM_ERR_CLUSTER_UNAVAILABLE, with the URL redacted', async () => {
    const [port] = await freePorts(1);
    await assert.rejects(connectCluster(`nats://${TOKEN}@127.0.0.1:${port}`, { env: {} }), (e: unknown) => {
      assert.ok(isElmError(e, 'ELM_ERR_CLUSTER_UNAVAILABLE'), String(e));
      assert.ok(!JSON.stringify(toErrorData(e)).includes(TOKEN), e.message);
      assert.match(e.message, /nats:\/\/127\.0\.0\.1:\d+/);
      return true;
    });
  });
});

describe('credentials against a token-protected server', { skip: skipNoNats }, () => {
  let nats: SingleNats;
  const written: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  before(async () => {
    nats = await startNats({ auth: { token: TOKEN } });
  });
  after(async () => {
    await nats?.close();
  });

  function capture(): () => void {
    const tap =
      (orig: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        written.push(String(chunk));
        return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = tap(origOut) as typeof process.stdout.write;
    process.stderr.write = tap(origErr) as typeof process.stderr.write;
    return () => {
      process.stdout.write = origOut;
      process.stderr.write = origErr;
    };
  }

  it('connects with the token from the URL, the environment or an option; never shows it', async () => {
    const restore = capture();
    try {
      const port = nats.url.split(':').pop();
      const viaUrl = await connectCluster(`nats://${TOKEN}@127.0.0.1:${port}`, { env: {} });
      const viaEnv = await connectCluster(nats.url, { env: { ELMSCALE_NATS_TOKEN: TOKEN } });
      const viaOpt = await connectCluster({ servers: nats.url, token: TOKEN }, { env: {} });
      for (const p of [viaUrl, viaEnv, viaOpt]) {
        assert.ok(!p.description.includes(TOKEN), p.description);
        await (await p.kv('creds_ok')).put('k', te.encode('v'));
        await p.close();
      }
      assert.equal(viaUrl.description, `nats://127.0.0.1:${port}`); // credentials are never part of it

      for (const bad of [`nats://wrong-token@127.0.0.1:${port}`, nats.url]) {
        await assert.rejects(connectCluster(bad, { env: {} }), (e: unknown) => {
          assert.ok(isElmError(e, 'ELM_ERR_CLUSTER_DENIED'), String(e));
          assert.ok(!JSON.stringify(toErrorData(e)).includes('wrong-token'), e.message);
          return true;
        });
      }
    } finally {
      restore();
    }
    assert.ok(!written.join('').includes(TOKEN), 'the token was printed');
  });
});
