import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/core/hash.js';
import { isElmError } from '../../src/core/errors.js';
import { memberArtifacts } from '../../src/strategies/codecs.js';
import { MixtureModel } from '../../src/strategies/moe/mixture.js';
import { trainMixture } from '../../src/strategies/moe/train.js';
import { RouterModel } from '../../src/strategies/route/router.js';
import { digits, strategyCodecs } from './helpers.js';

describe('composite artifacts (router, moe)', () => {
  it('router: self-contained bundle round trip; members keep their content hashes', async () => {
    const { small, large, test } = await digits();
    const codecs = strategyCodecs();
    const r = new RouterModel(small, large, { measure: 'margin', threshold: 0.05 });
    const bytes = codecs.encode(r);
    const loaded = codecs.decode(bytes);
    assert.equal(loaded.model.kind, 'router');
    const back = loaded.model as RouterModel;
    assert.deepEqual(back.policy, { measure: 'margin', threshold: 0.05 });
    assert.deepEqual(back.predict(test.x, test.rows), r.predict(test.x, test.rows));
    const list = loaded.header.members as { role: string; contentHash: string }[];
    assert.equal(list[0]!.contentHash, back.members[0]!.contentHash);
    assert.equal(sha256Hex(back.members[1]!.bytes!), list[1]!.contentHash);
    // encoding again is byte-identical apart from createdAt: member hashes are stable
    const again = codecs.decode(codecs.encode(back)).header.members as { contentHash: string }[];
    assert.deepEqual(
      again.map((m) => m.contentHash),
      list.map((m) => m.contentHash),
    );
  });

  it('external members resolve by content hash; a missing or wrong member fails with MEMBER_MISSING', async () => {
    const { small, large, test } = await digits();
    const codecs = strategyCodecs();
    const r = new RouterModel(small, large, { measure: 'max', threshold: 0.2 });
    const bytes = codecs.encode(r, { embedMembers: false } as never);
    const store = new Map(memberArtifacts(codecs, r.members).map((a) => [a.contentHash, a.bytes]));
    assert.ok(bytes.length < 4096, `external router artifact is small (${bytes.length} bytes)`);
    const ok = codecs.decode(bytes, { resolveMember: (h) => store.get(h) }).model;
    assert.deepEqual(ok.predict(test.x, 30), r.predict(test.x, 30));
    assert.throws(
      () => codecs.decode(bytes),
      (e) => isElmError(e, 'ELM_ERR_ARTIFACT_MEMBER_MISSING') && /small|large/.test(e.message),
    );
    const [h0] = [...store.keys()];
    assert.throws(
      () => codecs.decode(bytes, { resolveMember: (h) => (h === h0 ? store.get(h) : new Uint8Array([1, 2, 3])) }),
      (e) => isElmError(e, 'ELM_ERR_ARTIFACT_MEMBER_MISSING') && /do not hash/.test(e.message),
    );
  });

  it('moe: k-means and ELM gates round trip with identical predictions', async () => {
    const { train, test } = await digits();
    const codecs = strategyCodecs();
    for (const gate of ['kmeans', 'elm'] as const) {
      const moe = trainMixture(train, { experts: 3, hidden: 48, topK: 2, gate, gateHidden: 32 });
      const back = codecs.decode(codecs.encode(moe)).model as MixtureModel;
      assert.equal(back.kind, 'moe');
      assert.equal(back.topK, 2);
      assert.equal(back.gate.kind, gate);
      assert.deepEqual(back.predict(test.x, test.rows), moe.predict(test.x, test.rows));
      assert.equal(back.members.length, gate === 'elm' ? 4 : 3);
    }
  });

  it('a router over a mixture and an int8 model nests', async () => {
    const { train, test, small } = await digits();
    const codecs = strategyCodecs();
    const moe = trainMixture(train, { experts: 2, hidden: 64 });
    const r = new RouterModel(small, moe, { measure: 'max', threshold: 0.15 });
    const back = codecs.decode(codecs.encode(r)).model;
    assert.deepEqual(back.predict(test.x, 40), r.predict(test.x, 40));
  });
});
