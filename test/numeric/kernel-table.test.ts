/**
 * Kernels by name: what createBackend guarantees about the table, and how a backend that lacks an optional kernel
 * looks to callers and to the conformance suite (its planInt8 tests are reported as skipped, not passed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isElmError } from '../../src/core/errors.js';
import { createBackend, REQUIRED_KERNELS } from '../../src/numeric/backend.js';
import { createJsBackend, jsKernels } from '../../src/numeric/js/index.js';
import { runInt8PlanConformance } from './conformance-int8.js';

const minimal = createBackend('js-minimal', { ...jsKernels(), planInt8: undefined });

describe('kernel table', () => {
  it('the JS reference backend registers every kernel, optional ones included', () => {
    const js = createJsBackend();
    for (const k of REQUIRED_KERNELS) assert.ok(js.hasKernel(k));
    assert.ok(js.hasKernel('planInt8'));
    assert.equal(js.findKernel('planInt8'), js.kernels.planInt8);
  });

  it('an optional kernel a backend lacks is not registered: findKernel undefined, kernel() a coded error', () => {
    assert.equal(minimal.hasKernel('planInt8'), false);
    assert.equal(minimal.findKernel('planInt8'), undefined);
    assert.ok(!minimal.kernelNames().includes('planInt8'));
    assert.throws(
      () => minimal.kernel('planInt8'),
      (e: unknown) => isElmError(e, 'ELM_ERR_UNSUPPORTED') && /js-minimal.*planInt8/.test((e as Error).message),
    );
  });

  it('a backend without a required kernel is refused', () => {
    const { gemm: _gemm, ...rest } = jsKernels();
    assert.throws(
      () => createBackend('broken', rest as never),
      (e: unknown) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT') && /gemm/.test((e as Error).message),
    );
  });

  it('the table is frozen: a kernel is added by building a new backend', () => {
    const js = createJsBackend();
    assert.throws(() => {
      (js.kernels as Record<string, unknown>).planInt8 = undefined;
    }, TypeError);
    const extended = createBackend('js+int8', { ...minimal.kernels, planInt8: js.kernels.planInt8 });
    assert.ok(extended.hasKernel('planInt8'));
  });
});

describe('conformance on a backend without planInt8', () => {
  runInt8PlanConformance(() => minimal);
});
