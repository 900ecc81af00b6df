/** Edge deployment on the Node side: CDN-style artifact routes, the demo page, and static exports. */
export { edgePlugin, registerEdgeRoutes, type EdgeOptions, type EdgeHandle } from './routes.js';
export { ArtifactStore, negotiateEncoding, type Encoding } from './artifact-store.js';
export { defaultAssetsDir, loadAssets } from './assets.js';
export { exportStatic, type ExportOptions, type ExportResult } from './export.js';
