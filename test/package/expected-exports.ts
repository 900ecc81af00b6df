/**
 * The documented public API, one list per subpath: every name README.md and docs/*.md tell users to import or call.
 * test/package/pack.test.ts imports each subpath from the packed package and fails when a name is missing. A
 * subpath may export more (the lists are what users are promised); add a name here when a doc starts naming it.
 * `values` are checked at run time (`name in module`), `types` by compiling an `import type` against the .d.ts files.
 */
export interface SubpathApi {
  values: readonly string[];
  types: readonly string[];
}

/** `elmscale`: platform-free (no node:* import anywhere in its module graph). */
const core: SubpathApi = {
  values: [
    // core
    'ElmError',
    'Xoshiro128',
    'permutation',
    'crc32',
    'fnv1a64',
    'sha256Hex',
    // numeric
    'createJsBackend',
    'BackendRegistry',
    'activationFns',
    'createWasmContext',
    'createWasmBackend',
    // models and artifacts
    'ELM',
    'OnlineELM',
    'KernelELM',
    'defaultBackend',
    'evaluate',
    'generateHiddenWeights',
    'fitStandardizer',
    'ModelCodecs',
    'encodeContainer',
    'decodeContainer',
    'contentHashOf',
    // strategies (docs/strategies.md)
    'registerStrategyCodecs',
    'quantizeElm',
    'QuantizedELM',
    'distill',
    'buildRouter',
    'calibrateThreshold',
    'RouterModel',
    'trainMixture',
    'MixtureModel',
    'strategyMetricSamples',
    // data (docs/data.md), flat and as the `data` namespace
    'data',
    'parseDataSpec',
    'formatDataSpec',
    'parseCsv',
    'validateDataset',
    'selectRows',
    'headRows',
    'cloneDataset',
    'splitIndices',
    'remapLabels',
    'isClassification',
    'outputCount',
    'DIGITS_SPLIT_SEED',
  ],
  types: [
    'Backend',
    'DensePlan',
    'Model',
    'ElmSpec',
    'FitOptions',
    'ModelCodec',
    'LoadedModel',
    'EncodeOptions',
    'DecodeContext',
    'Evaluation',
    'Dataset',
    'WasmContext',
    'StrategyEncodeOptions',
  ],
};

/** `elmscale/serving`: the transport-neutral serving core (platform-free). */
const serving: SubpathApi = {
  values: [
    'InferenceService',
    'InlineExecutor',
    'InferPipeline',
    'AdmissionLimiter',
    'webScheduler',
    'ManualScheduler',
    'ModelRegistry',
    'LruCache',
    'ShardedLruCache',
    'dynamicBatching',
    'adaptiveBatching',
    'noBatching',
    'balancerByName',
    'parseInferRequest',
    'shapeResponse',
    'httpStatusFor',
    'SERVER_SCHEMA',
    'SERVER_DEFAULTS',
    'resolveConfig',
    'Authorizer',
    'createServingContext',
    'restRoutes',
    'RestRouter',
    'createFetchHandler',
  ],
  types: ['ServingContext', 'ResponseCache', 'InferCall', 'Answer', 'Executor', 'Scheduler', 'FetchHandler'],
};

/** `elmscale/node`: everything in `elmscale` plus files, fast backends, the server, edge, NATS. */
const node: SubpathApi = {
  values: [
    ...core.values,
    'loadDataSpec',
    'loadDigits',
    'loadMnist',
    'loadIdxFiles',
    'loadCsvFile',
    'nodeBackend',
    'createNodeBackendRegistry',
    'createNodeWasmBackend',
    'startServer',
    'buildServing',
    'listenHttp',
    'restPlugin',
    'edgePlugin',
    'exportStatic',
    'STRATEGY_CODECS_MODULE',
    'connectCluster',
    'joinCluster',
    'redactUrl',
    'scrubSecrets',
  ],
  types: [
    ...core.types,
    'ServerOptions',
    'ServerContext',
    'ServerPlugin',
    'RunningServer',
    'ServingRuntime',
    'EdgeOptions',
    'ConnectOptions',
    'MessagingPort',
    'KvBucket',
    'ObjectBucket',
  ],
};

/** `elmscale/browser`: everything in `elmscale` plus the browser adapter (docs/edge.md); a prebuilt bundle. */
const browser: SubpathApi = {
  values: [
    ...core.values,
    'loadBrowserBackend',
    'loadModel',
    'decodeArtifact',
    'fetchArtifact',
    'defaultWasmUrl',
    'IdbModelStore',
    'downloadArtifact',
    'BrowserTrainer',
    'loadThreadedBackend',
    'fetchDigits',
  ],
  types: [...core.types, 'BrowserBackend', 'TrainData', 'TrainResult'],
};

/** `elmscale/cluster`: platform-free cluster logic over the messaging port (docs/cluster.md). */
const cluster: SubpathApi = {
  values: [
    'ClusterClient',
    'ClusterRegistry',
    'Presence',
    'ClusterNode',
    'forwardingFront',
    'followBucket',
    'inferSubject',
  ],
  types: ['MessagingPort', 'KvBucket', 'ObjectBucket', 'ModelRecord', 'NodeRecord', 'ClusterAnswer', 'DeployOptions'],
};

export const EXPECTED_EXPORTS: Readonly<Record<string, SubpathApi>> = {
  elmscale: core,
  'elmscale/serving': serving,
  'elmscale/cluster': cluster,
  'elmscale/node': node,
  'elmscale/browser': browser,
};

/** Subpaths whose whole module graph must load without any Node built-in. */
export const PLATFORM_FREE = ['elmscale', 'elmscale/serving', 'elmscale/cluster', 'elmscale/browser'];
