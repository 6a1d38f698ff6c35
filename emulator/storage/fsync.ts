// Durability helpers: fsync a file's data, and fsync a directory so that a rename or unlink in it survives
// a power cut (POSIX makes directory entries durable only through the directory). Nothing else.
import { open } from 'node:fs/promises';

/** fsync of a file that is not open (data and metadata). */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * fsync of a directory, making the renames and unlinks done in it durable. Platforms that cannot open a
 * directory for fsync (Windows answers EISDIR/EPERM) make those durable themselves, so that is not an error.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (err) {
    if (isUnsupported(err)) return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!isUnsupported(err)) throw err;
  } finally {
    await handle.close();
  }
}

function isUnsupported(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EBADF' || code === 'ENOTSUP';
}
