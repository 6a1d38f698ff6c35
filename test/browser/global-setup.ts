// Compiles renderer/ and main/ once before the browser tests, so /ui and the Electron shell serve the
// current sources.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default function globalSetup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(ROOT, 'main'), join(ROOT, 'renderer')], { stdio: 'inherit' });
}
