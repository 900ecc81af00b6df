import { ElmError } from '../../core/errors.js';
import { AdmissionLimiter } from '../admission.js';
import { SERVER_DEFAULTS } from '../config.js';
import type { ServingMetrics } from '../metrics.js';
import { InferPipeline, type InferFront } from '../pipeline.js';
import type { NonFinitePolicy } from '../protocol/request.js';
import type { InferenceService } from '../service.js';
import { Authorizer, type Scope } from './auth.js';
import { SitePolicy, type SiteOptions } from './site.js';

/** Where an artifact to load comes from: its bytes, or a path inside the server's model directory. */
export type ArtifactSource = { bytes: Uint8Array } | { path: string };

export interface LoadedArtifact {
  name: string;
  version: string;
  contentHash: string;
}

/**
 * Everything the REST routes need, whatever transport carries them: the service and its pipeline, the auth policy,
 * and the host's capabilities (artifact loading reads files on Node; the Prometheus text comes from prom-client).
 */
export interface ServingContext {
  service: InferenceService;
  pipeline: InferPipeline;
  /**
   * What REST transports call for inference: the local pipeline by default; a cluster node sets a front that
   * forwards to another node when the model is not held here (read per request, so it can be set after start).
   */
  front: InferFront;
  admission: AdmissionLimiter;
  auth: Authorizer;
  /** Which requests from browser pages are refused (cross-site, DNS rebinding). */
  site: SitePolicy;
  /** Server name reported by GET /v2. */
  name: string;
  retryAfterS: number;
  /** Largest request body, bytes (transports that buffer bodies themselves enforce it). */
  bodyLimit: number;
  loadArtifact(
    name: string,
    src: ArtifactSource,
    o?: { version?: string | undefined; makeDefault?: boolean },
  ): Promise<LoadedArtifact>;
  /** Prometheus exposition, when the host has an exporter. */
  metricsText?(): Promise<{ contentType: string; text: string }>;
}

export interface ServingContextOptions {
  service: InferenceService;
  /** Server name reported by GET /v2 (default "elmscale"). */
  name?: string;
  token?: string | undefined;
  protect?: readonly Scope[] | undefined;
  /** Cross-site policy (default: Origin checks on, Host check off — a fetch runtime may sit behind any name). */
  site?: SiteOptions;
  maxInflight?: number;
  /** Share an admission limiter (its count feeds the in-flight gauge); default one of maxInflight. */
  admission?: AdmissionLimiter;
  maxRowsPerRequest?: number;
  nonFinite?: NonFinitePolicy;
  retryAfterS?: number;
  bodyLimit?: number;
  metrics?: ServingMetrics;
  loadArtifact?: ServingContext['loadArtifact'];
  metricsText?: ServingContext['metricsText'];
}

/**
 * A serving context with the schema's defaults: admission, pipeline and auth around a service. Hosts without files
 * (a fetch runtime, a browser) get a repository that refuses loads by path or bytes unless they pass loadArtifact.
 */
export function createServingContext(o: ServingContextOptions): ServingContext {
  const d = SERVER_DEFAULTS;
  const retryAfterS = o.retryAfterS ?? d.retryAfterS;
  const admission = o.admission ?? new AdmissionLimiter(o.maxInflight ?? d.maxInflight, retryAfterS);
  const pipeline = new InferPipeline({
    service: o.service,
    admission,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    nonFinite: o.nonFinite ?? d.nonFinite,
    maxRowsPerRequest: o.maxRowsPerRequest ?? d.maxRowsPerRequest,
    retryAfterS,
  });
  return {
    service: o.service,
    pipeline,
    front: pipeline,
    admission,
    auth: new Authorizer({ token: o.token, protect: o.protect }),
    site: new SitePolicy(o.site),
    name: o.name ?? d.name,
    retryAfterS,
    bodyLimit: o.bodyLimit ?? d.bodyLimit,
    loadArtifact:
      o.loadArtifact ??
      (() => Promise.reject(new ElmError('ELM_ERR_UNSUPPORTED', 'this server cannot load artifacts'))),
    ...(o.metricsText ? { metricsText: o.metricsText } : {}),
  };
}
