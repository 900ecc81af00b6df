import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { compareVersions } from '../../src/serving/registry.js';

const version = fc.oneof(
  fc.integer({ min: 0, max: 200 }).map(String),
  fc.stringMatching(/^[0-9][0-9a-z.]{0,3}$/),
  fc.constantFrom('1', '2', '10', '1a', '2.0', '02', 'v1', 'beta'),
);

it('version order is a total order: antisymmetric and transitive (it was not: "2" < "10" < "1a" < "2")', () => {
  const sign = (x: number) => Math.sign(x);
  assert.ok(compareVersions('2', '10') < 0);
  assert.ok(compareVersions('10', '1a') < 0);
  assert.ok(compareVersions('2', '1a') < 0, 'numeric versions sort below non-numeric ones');
  fc.assert(
    fc.property(version, version, version, (a, b, c) => {
      assert.equal(sign(compareVersions(a, b)), -sign(compareVersions(b, a)) || 0);
      if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) assert.ok(compareVersions(a, c) <= 0);
      if (compareVersions(a, b) === 0) assert.equal(a, b, 'only equal strings compare equal');
    }),
    { numRuns: 3000, seed: 3 },
  );
});
