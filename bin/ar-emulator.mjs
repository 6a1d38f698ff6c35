#!/usr/bin/env node
// Entry point of `ar-emulator` (npx, npm run emulator): runs the compiled CLI when a build exists,
// otherwise the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'emulator', 'cli.js');
let cli;
if (existsSync(built) && !process.env.AR_EMULATOR_FROM_SOURCE) {
  cli = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'emulator', 'cli.ts')).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
