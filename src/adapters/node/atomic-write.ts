import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ElmError } from '../../core/errors.js';

/**
 * Write a file so that a crash, a full disk or a failed write never leaves it half-written or destroys the previous
 * version: write a temporary file beside it, flush it to disk, then rename it over the target (atomic on POSIX
 * within one file system). `data` may be produced in parts; a part that throws aborts the write with the old file
 * intact and the temporary file removed.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<string | Uint8Array>,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let ok = false;
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      const parts = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for (const p of parts) await fh.writeFile(p);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    ok = true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ElmError(
      'ELM_ERR_IO',
      `cannot write ${basename(path)}${code ? ` (${code})` : ''}: ${(e as Error).message.replace(/'[^']*'/g, "'…'")}`,
      code ? { errno: code } : undefined,
      e,
    );
  } finally {
    if (!ok) await rm(tmp, { force: true }).catch(() => undefined);
  }
}
