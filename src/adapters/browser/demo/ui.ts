/** Small DOM helpers of the demo page. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

export function setText(id: string, text: string, cls?: string): void {
  const el = $(id);
  el.textContent = text;
  if (cls !== undefined) el.className = `lat ${cls}`;
}

export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

/** One row per class: label, a bar, the probability. */
export function renderBars(id: string, probs: ArrayLike<number>, labels: readonly string[]): void {
  const el = $(id);
  el.replaceChildren();
  for (let i = 0; i < probs.length; i++) {
    const name = document.createElement('span');
    name.textContent = labels[i] ?? String(i);
    const track = document.createElement('span');
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${Math.max(0.5, probs[i]! * 100)}%`;
    track.append(bar);
    const v = document.createElement('span');
    v.textContent = probs[i]!.toFixed(3);
    el.append(name, track, v);
  }
}

export function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}
