#!/usr/bin/env node
// Entry point of `ar-emulator` (npx, npm start, npm run emulator). Runs the compiled CLI (dist/, built by
// `npm install` or `npm run build`). In a development checkout whose sources are newer than dist/, it runs
// the TypeScript sources through tsx (a devDependency) so an edited checkout never runs stale code; an
// installed package has only dist/ and needs nothing else.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'emulator', 'cli.js');
const sources = join(root, 'emulator');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const useBuild = existsSync(built) && (!existsSync(sources) || statSync(built).mtimeMs >= newestSource(sources));
async function loadTsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

let cli;
const tsx = useBuild ? undefined : await loadTsx();
if (tsx) {
  tsx.register();
  cli = await import(pathToFileURL(join(sources, 'cli.ts')).href);
} else if (existsSync(built)) {
  if (!useBuild) process.stderr.write('[ar-emulator] the sources are newer than dist/ and tsx is not installed: running dist/ (npm run build updates it)\n');
  cli = await import(pathToFileURL(built).href);
} else {
  process.stderr.write('[ar-emulator] not built: run `npm run build` (or `npm install`, which builds)\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
