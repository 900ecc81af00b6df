/**
 * The public `ModelCodecs`: the artifact codecs of every model kind elmscale writes. models/ knows only its own kinds
 * (elm, os-elm, kernel-elm) and must not import strategies/ (dependency rule), so the entry point composes the two:
 * a user decoding any artifact the CLI wrote — int8, router, moe included — gets it with `new ModelCodecs()`.
 */
import { ModelCodecs as CoreModelCodecs } from './models/artifact/codecs.js';
import { registerStrategyCodecs } from './strategies/codecs.js';

/** Artifact codecs for elm, os-elm, kernel-elm and the strategy kinds (elm-int8, router, moe). */
export class ModelCodecs extends CoreModelCodecs {
  constructor() {
    super();
    registerStrategyCodecs(this);
  }
}
