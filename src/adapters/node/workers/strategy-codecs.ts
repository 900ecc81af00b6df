/**
 * The codecs module inference workers load (`workerCodecsModule`) so they can decode every kind the CLI serves:
 * ELMs plus the strategy kinds (elm-int8, router, moe). Exports createCodecs() as the worker expects.
 */
import { ModelCodecs } from '../../../models/artifact/codecs.js';
import { registerStrategyCodecs } from '../../../strategies/codecs.js';

export function createCodecs(): ModelCodecs {
  return registerStrategyCodecs(new ModelCodecs());
}

/** URL of this module, for ServerOptions.workerCodecsModule / PoolOptions.codecsModule. */
export const STRATEGY_CODECS_MODULE = new URL('./strategy-codecs.js', import.meta.url).href;
