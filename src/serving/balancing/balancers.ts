/** What a balancer sees of each worker. */
export interface WorkerLoad {
  readonly outstanding: number;
  readonly alive: boolean;
}

/** A balancer is a plain function (as piscina's): pick the index of the worker for the next task, or -1. */
export type Balancer = (workers: readonly WorkerLoad[]) => number;

/** The worker with the fewest outstanding tasks (ties: lowest index). The default. */
export function leastOutstanding(): Balancer {
  return (ws) => {
    let best = -1;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.alive && (best < 0 || w.outstanding < ws[best]!.outstanding)) best = i;
    }
    return best;
  };
}

/** Each live worker in turn. */
export function roundRobin(): Balancer {
  let next = 0;
  return (ws) => {
    for (let k = 0; k < ws.length; k++) {
      const i = (next + k) % ws.length;
      if (ws[i]!.alive) {
        next = i + 1;
        return i;
      }
    }
    return -1;
  };
}

/** Two random live workers, the less loaded wins (Mitzenmacher): near least-loaded at O(1) cost. */
export function powerOfTwoChoices(random: () => number = Math.random): Balancer {
  return (ws) => {
    const alive: number[] = [];
    for (let i = 0; i < ws.length; i++) if (ws[i]!.alive) alive.push(i);
    if (alive.length === 0) return -1;
    if (alive.length === 1) return alive[0]!;
    const n = alive.length;
    const i = Math.floor(random() * n) % n;
    let j = Math.floor(random() * (n - 1)) % (n - 1);
    if (j >= i) j++;
    const a = alive[i]!,
      b = alive[j]!;
    return ws[b]!.outstanding < ws[a]!.outstanding ? b : a;
  };
}

export const BALANCERS = {
  'least-outstanding': leastOutstanding,
  'round-robin': roundRobin,
  'power-of-two': powerOfTwoChoices,
} as const;

export type BalancerName = keyof typeof BALANCERS;

export function balancerByName(name: string): Balancer | undefined {
  return Object.prototype.hasOwnProperty.call(BALANCERS, name) ? BALANCERS[name as BalancerName]() : undefined;
}
