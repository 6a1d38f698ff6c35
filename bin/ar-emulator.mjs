#!/usr/bin/env node
// Entry point of `ar-emulator` (npx, npm run emulator): runs the TypeScript sources through tsx in a
// checkout, the compiled CLI (dist/) in an installed package.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'emulator', 'cli.js');
let cli;
// A checkout runs its sources (always current); an installed package runs its build.
if (!existsSync(join(root, 'emulator', 'cli.ts')) && existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'emulator', 'cli.ts')).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
