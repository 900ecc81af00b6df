/**
 * Artifacts in the browser: fetch an `.elm` from a URL (content-addressed URLs are immutable, so the HTTP cache
 * serves repeat loads), verify it against the hash in its URL, and decode it with the shared codecs.
 */
import { ElmError } from '../../core/errors.js';
import { ModelCodecs, type LoadedModel } from '../../models/artifact/codecs.js';
import { registerStrategyCodecs } from '../../strategies/codecs.js';
import type { Backend } from '../../numeric/backend.js';

export interface FetchedArtifact {
  bytes: Uint8Array;
  /** The URL the bytes came from after redirects (`/artifacts/{contentHash}` on an elmscale server). */
  url: string;
}

const HASH_IN_URL = /\/artifacts\/([0-9a-f]{64})(?:\.elm)?(?:[?#]|$)/;

/** The content hash a content-addressed URL names, if it names one. */
export function hashFromUrl(url: string): string | undefined {
  return HASH_IN_URL.exec(url)?.[1];
}

/** GET an artifact (following the model → content-hash redirect). */
export async function fetchArtifact(url: string | URL, init?: RequestInit): Promise<FetchedArtifact> {
  const res = await fetch(url, init);
  if (!res.ok) {
    throw new ElmError(
      res.status === 404 ? 'ELM_ERR_MODEL_NOT_FOUND' : 'ELM_ERR_DATA_NOT_FOUND',
      `GET ${String(url)}: HTTP ${res.status}`,
      { status: res.status },
    );
  }
  return { bytes: new Uint8Array(await res.arrayBuffer()), url: res.url || String(url) };
}

export interface LoadOptions {
  backend: Backend;
  /** Default: every kind elmscale writes (strategies included). */
  codecs?: ModelCodecs;
}

/** Decode artifact bytes; when the bytes came from a content-addressed URL, check they are what it names. */
export function decodeArtifact(bytes: Uint8Array, opts: LoadOptions, url?: string): LoadedModel {
  const loaded = (opts.codecs ?? registerStrategyCodecs(new ModelCodecs())).decode(bytes, { backend: opts.backend });
  const expected = url ? hashFromUrl(url) : undefined;
  if (expected && expected !== loaded.contentHash) {
    loaded.model.dispose();
    throw new ElmError('ELM_ERR_ARTIFACT_CHECKSUM', `artifact from ${url} hashes to ${loaded.contentHash}`, {
      expected,
      actual: loaded.contentHash,
    });
  }
  return loaded;
}

/** Fetch and decode a model: `loadModel('/v2/models/digits/artifact', { backend })`. */
export async function loadModel(
  source: string | URL | Uint8Array | ArrayBuffer,
  opts: LoadOptions,
): Promise<LoadedModel & { url?: string }> {
  if (source instanceof Uint8Array) return decodeArtifact(source, opts);
  if (source instanceof ArrayBuffer) return decodeArtifact(new Uint8Array(source), opts);
  const { bytes, url } = await fetchArtifact(source);
  return { ...decodeArtifact(bytes, opts, url), url };
}
