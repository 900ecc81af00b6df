// The dependency rule from DESIGN.md, enforced here rather than in review:
//   core ← numeric ← models ← strategies ← serving ← cluster; knowledge depends on core and numeric; loadtest on
//   core only (and no layer below adapters/ and cli/ imports loadtest);
//   only adapters/ (and cli/, bench/, test/) may import node:* or touch DOM globals; nothing imports adapters;
//   only adapters/node/nats/ may import @nats-io/* (cluster/ codes against the messaging port, cluster/port.ts).
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'worker_threads', 'http', 'url', 'zlib', 'child_process'];
const above = {
  core: ['numeric', 'models', 'data', 'strategies', 'serving', 'cluster', 'knowledge', 'loadtest', 'adapters', 'cli'],
  numeric: ['models', 'data', 'strategies', 'serving', 'cluster', 'knowledge', 'loadtest', 'adapters', 'cli'],
  data: ['models', 'strategies', 'serving', 'cluster', 'knowledge', 'loadtest', 'adapters', 'cli'],
  models: ['strategies', 'serving', 'cluster', 'knowledge', 'loadtest', 'adapters', 'cli'],
  strategies: ['serving', 'cluster', 'knowledge', 'loadtest', 'adapters', 'cli'],
  knowledge: ['models', 'strategies', 'serving', 'loadtest', 'adapters', 'cli'],
  serving: ['cluster', 'knowledge', 'loadtest', 'adapters', 'cli'],
  cluster: ['loadtest', 'adapters', 'cli'],
  loadtest: ['numeric', 'models', 'data', 'strategies', 'serving', 'cluster', 'knowledge', 'adapters', 'cli'],
};
// The NATS client is one adapter's business: everything else reaches the engine through the messaging port.
const natsPattern = {
  group: ['@nats-io/*', '@nats-io/**'],
  message: 'only src/adapters/node/nats/ may import @nats-io/* (the rest uses the messaging port, src/cluster/port.ts).',
};
const domGlobals = ['window', 'document', 'navigator', 'localStorage', 'indexedDB', 'fetch', 'process', 'Buffer', 'require'];

const layerRules = Object.entries(above).map(([layer, forbidden]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: nodeBuiltins, message: `${layer}/ is platform-free: node built-ins belong in adapters/.` },
          natsPattern,
          ...forbidden.map((f) => ({
            group: [`**/${f}/*`, `**/${f}/**`, `../${f}`, `../../${f}`],
            message: `${layer}/ must not import ${f}/ (dependency rule, docs/architecture.md).`,
          })),
        ],
      },
    ],
    'no-restricted-globals': ['error', ...domGlobals],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'wasm/**', 'examples/browser/**', 'bench/results/**', '**/*.js', '!eslint.config.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
  {
    files: ['src/adapters/**/*.ts', 'src/cli/**/*.ts', 'src/*.ts'],
    ignores: ['src/adapters/node/nats/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [natsPattern] }] },
  },
  {
    files: ['src/index.ts', 'src/codecs.ts', 'src/browser.ts', 'src/serving.ts', 'src/cluster.ts', 'src/adapters/fetch/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: nodeBuiltins, message: 'platform-free entry point' }, { group: ['**/adapters/node/**'], message: 'node adapter in a platform-free entry' }, natsPattern] }],
    },
  },
);
