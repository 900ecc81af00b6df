/**
 * A drawing pad that turns strokes into sklearn-digits features: the pad is a 32×32 bitmap (as in the original
 * NIST preprocessing), and each feature counts the set pixels of one 4×4 block, giving 8×8 values in 0..16.
 */
const GRID = 32;

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | undefined;
  private readonly bitmap = new Uint8Array(GRID * GRID);

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: (features: Float32Array, final: boolean) => void,
  ) {
    this.ctx = canvas.getContext('2d')!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.last = this.cell(e);
      this.stroke(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.cell(e);
      this.stroke(this.last ?? p, p);
      this.last = p;
    });
    const end = (): void => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = undefined;
      this.onChange(this.features(), true);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  private cell(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * GRID, y: ((e.clientY - r.top) / r.height) * GRID };
  }

  /** Set every bitmap pixel within the pen radius of the segment a→b. */
  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) * 2));
    const pen = 1.6;
    for (let s = 0; s <= steps; s++) {
      const cx = a.x + ((b.x - a.x) * s) / steps,
        cy = a.y + ((b.y - a.y) * s) / steps;
      for (let y = Math.floor(cy - pen); y <= cy + pen; y++) {
        for (let x = Math.floor(cx - pen); x <= cx + pen; x++) {
          if (x < 0 || y < 0 || x >= GRID || y >= GRID) continue;
          if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= pen) this.bitmap[y * GRID + x] = 1;
        }
      }
    }
    this.render();
    this.onChange(this.features(), false);
  }

  /** 64 features, 0..16: set pixels per 4×4 block. */
  features(): Float32Array {
    const f = new Float32Array(64);
    for (let y = 0; y < GRID; y++)
      for (let x = 0; x < GRID; x++) f[(y >> 2) * 8 + (x >> 2)]! += this.bitmap[y * GRID + x]!;
    return f;
  }

  /** Show given features (e.g. a sample from the data set) as 8×8 grey blocks. */
  show(features: ArrayLike<number>): void {
    this.bitmap.fill(0);
    // re-create a plausible bitmap: fill each 4×4 block with round(v) pixels
    for (let b = 0; b < 64; b++) {
      const n = Math.round(features[b]!);
      const bx = (b % 8) * 4,
        by = Math.floor(b / 8) * 4;
      for (let i = 0; i < n && i < 16; i++) this.bitmap[(by + (i >> 2)) * GRID + bx + (i & 3)] = 1;
    }
    this.render(features);
  }

  clear(): void {
    this.bitmap.fill(0);
    this.render();
  }

  private render(blocks?: ArrayLike<number>): void {
    const { ctx, canvas } = this;
    const s = canvas.width / GRID;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (blocks) {
      const bs = canvas.width / 8;
      for (let b = 0; b < 64; b++) {
        const v = Math.max(0, Math.min(16, blocks[b]!));
        const g = Math.round(255 - (v / 16) * 255);
        ctx.fillStyle = `rgb(${g},${g},${g})`;
        ctx.fillRect((b % 8) * bs, Math.floor(b / 8) * bs, bs, bs);
      }
      return;
    }
    ctx.fillStyle = '#111';
    for (let y = 0; y < GRID; y++)
      for (let x = 0; x < GRID; x++) if (this.bitmap[y * GRID + x]) ctx.fillRect(x * s, y * s, s, s);
  }
}
