// Removes a client's temp tree (dockerd data-root, containers storage) even when something is still mounted in it.
// Cleanup must never fail a test run, so every error here is swallowed after the fallbacks.
import { readFile, rm } from 'node:fs/promises';
import { run } from './run.js';

export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    return;
  } catch {
    // EBUSY/EPERM: a mount (netns, shm, overlay) is left below dir; unmount and retry with rm -rf.
  }
  for (const mountPoint of await mountsBelow(dir)) {
    await run('umount', ['-l', mountPoint], { timeoutMs: 30_000 }).catch(() => {});
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
  await run('rm', ['-rf', '--one-file-system', dir], { timeoutMs: 120_000 }).catch(() => {});
}

/** Mount points at or below dir, deepest first. */
async function mountsBelow(dir: string): Promise<string[]> {
  let mountinfo: string;
  try {
    mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountinfo
    .split('\n')
    .map((line) => decodeMountPath(line.split(' ')[4] ?? ''))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
