import { ElmError, isElmError, toErrorData } from '../core/errors.js';
import { errorAnswer, type Answer } from '../serving/answer.js';
import type { InferCall } from '../serving/pipeline.js';
import { inferSubject, nodeInferSubject } from './names.js';
import type { MessagingPort } from './port.js';
import type { Presence } from './presence.js';
import type { NodeRecord } from './records.js';
import { answerOf, requestHeaders } from './wire.js';

export interface ClusterClientOptions {
  /** Per attempt, ms (default 2000). A request makes at most two attempts. */
  timeoutMs?: number;
  /** Live nodes and what they hold: lets the client pick a node, and retry on a different one. */
  presence?: Presence;
  /** How long a node that timed out is skipped, ms (default 5000). */
  quarantineMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface ClusterAnswer extends Answer {
  /** The node that answered. */
  node?: string;
  /** Attempts made (1 or 2). */
  attempts: number;
}

/**
 * Inference for services that speak NATS: the OIP body in, the same answer an HTTP client would get out. Each
 * attempt has a timeout; a timed-out attempt is retried once on another holder, and the node that stalled is
 * skipped for a while, so a stopped node costs a request one timeout, not a failure. With presence the client
 * picks the holder itself (fewest requests it has outstanding, two random choices) and addresses it directly;
 * without, it uses the holders' queue group. A model nobody holds is ELM_ERR_NO_RESPONDERS at once.
 */
export class ClusterClient {
  private readonly outstanding = new Map<string, number>();
  private readonly quarantined = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly port: MessagingPort,
    private readonly o: ClusterClientOptions = {},
  ) {
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  /** Never throws: failures are coded error answers (as over HTTP). */
  async infer(call: InferCall): Promise<ClusterAnswer> {
    let first: string | undefined;
    let lastError: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const node = this.pick(call.model, call.version, first);
      try {
        const r = await this.attempt(call, node);
        return { ...r.answer, ...(r.node ? { node: r.node } : {}), attempts: attempt };
      } catch (e) {
        lastError = e;
        if (isElmError(e, 'ELM_ERR_TIMEOUT')) {
          if (node) this.quarantined.set(node, this.now() + (this.o.quarantineMs ?? 5000));
          first = node;
          continue;
        }
        // A direct subject nobody answers: that node left; the queue group may still have holders.
        if (isElmError(e, 'ELM_ERR_NO_RESPONDERS') && node) {
          this.quarantined.set(node, this.now() + (this.o.quarantineMs ?? 5000));
          first = node;
          continue;
        }
        break;
      }
    }
    const code = toErrorData(lastError).code;
    const e =
      code === 'ELM_ERR_NO_RESPONDERS'
        ? new ElmError('ELM_ERR_NO_RESPONDERS', `no node serves model "${call.model}"`, { model: call.model })
        : lastError;
    return { ...errorAnswer(e), attempts: 2 };
  }

  private async attempt(call: InferCall, node: string | undefined) {
    const subject = node ? nodeInferSubject(node, call.model) : inferSubject(call.model);
    if (node) this.outstanding.set(node, (this.outstanding.get(node) ?? 0) + 1);
    try {
      const r = await this.port.request(subject, call.body ?? new Uint8Array(0), {
        timeoutMs: this.timeoutMs,
        headers: requestHeaders(call),
      });
      return answerOf(r);
    } finally {
      if (node) this.outstanding.set(node, (this.outstanding.get(node) ?? 1) - 1);
    }
  }

  /** A holder to address directly, or undefined for the queue group. */
  private pick(model: string, version: string | undefined, not: string | undefined): string | undefined {
    const p = this.o.presence;
    if (!p) return undefined;
    const t = this.now();
    const ok = (n: NodeRecord) => n.id !== not && (this.quarantined.get(n.id) ?? 0) <= t;
    const holders = p.holders(model, version).filter(ok);
    if (holders.length === 0) return undefined;
    if (holders.length === 1) return holders[0]!.id;
    const a = holders[Math.floor(this.random() * holders.length)]!;
    let b = holders[Math.floor(this.random() * (holders.length - 1))]!;
    if (b === a) b = holders[holders.length - 1]!;
    return (this.outstanding.get(a.id) ?? 0) <= (this.outstanding.get(b.id) ?? 0) ? a.id : b.id;
  }
}
