import { ElmError } from '../../core/errors.js';

const ALIGN = 64;
const PAGE = 65536;

/**
 * A first-fit free-list allocator over a WebAssembly.Memory, growing it on demand. Blocks are 64-byte aligned
 * (cache lines; also 8-byte alignment for Float64 views). Typed views are refreshed after every grow.
 */
export class Heap {
  f32!: Float32Array;
  f64!: Float64Array;
  i32!: Int32Array;
  u8!: Uint8Array;
  private top: number;
  private readonly free: { off: number; size: number }[] = [];
  private readonly sizes = new Map<number, number>();

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = align(base);
    this.refresh();
  }

  /** Bytes of linear memory in use or reserved by the allocator (the high-water mark). */
  get highWater(): number {
    return this.top;
  }

  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size < size) continue;
      const off = f.off;
      if (f.size === size) this.free.splice(i, 1);
      else {
        f.off += size;
        f.size -= size;
      }
      this.sizes.set(off, size);
      return off;
    }
    const off = this.top;
    this.ensure(off + size);
    this.top = off + size;
    this.sizes.set(off, size);
    return off;
  }

  release(off: number): void {
    const size = this.sizes.get(off);
    if (size === undefined) return;
    this.sizes.delete(off);
    if (off + size === this.top) {
      this.top = off;
      // swallow a free block that now touches the top
      const last = this.free[this.free.length - 1];
      if (last && last.off + last.size === this.top) {
        this.top = last.off;
        this.free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free.length && this.free[i]!.off < off) i++;
    this.free.splice(i, 0, { off, size });
    const next = this.free[i + 1];
    if (next && off + size === next.off) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.off + prev.size === off) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new ElmError(
        'ELM_ERR_INVALID_ARGUMENT',
        `wasm memory cannot grow to ${end} bytes: the operands are too large for the wasm backend`,
        { bytes: end },
        e,
      );
    }
    this.refresh();
  }

  refresh(): void {
    const buf = this.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.f64 = new Float64Array(buf, 0, buf.byteLength >> 3);
    this.i32 = new Int32Array(buf);
    this.u8 = new Uint8Array(buf);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
