import { ElmError } from '../core/errors.js';
import type { Backend } from './backend.js';
import { createJsBackend } from './js/index.js';

/**
 * Backend selection as an instance, not a module global: a composition root registers what its platform can load
 * (the node adapter adds wasm + threads, the browser adapter adds wasm) and picks the best, or the forced name.
 */
export class BackendRegistry {
  private readonly factories = new Map<string, () => Backend>();
  private readonly cache = new Map<string, Backend>();
  private readonly priority = new Map<string, number>();

  constructor() {
    this.register('js', createJsBackend, 0);
  }

  /** Register a factory; higher priority is preferred when no name is forced. */
  register(name: string, factory: () => Backend, priority: number): void {
    this.factories.set(name, factory);
    this.cache.delete(name);
    this.priority.set(name, priority);
  }

  /** Registered names, most preferred first. */
  names(): string[] {
    return [...this.priority.keys()].sort((a, b) => this.priority.get(b)! - this.priority.get(a)!);
  }

  /** The named backend, or the best one that loads. A forced name that fails to load is an error. */
  get(name?: string): Backend {
    if (name) return this.load(name);
    for (const n of this.names()) {
      try {
        return this.load(n);
      } catch {
        // fall through to the next backend: the reference always loads
      }
    }
    return this.load('js');
  }

  private load(name: string): Backend {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const f = this.factories.get(name);
    if (!f) {
      throw new ElmError(
        'ELM_ERR_BACKEND_UNAVAILABLE',
        `unknown backend "${name}" (known: ${this.names().join(', ')})`,
      );
    }
    let b: Backend;
    try {
      b = f();
    } catch (e) {
      throw new ElmError('ELM_ERR_BACKEND_UNAVAILABLE', `backend "${name}" failed to load: ${String(e)}`, undefined, e);
    }
    this.cache.set(name, b);
    return b;
  }
}
