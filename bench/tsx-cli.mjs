// Runs the emulator's TypeScript sources through tsx, as bin/ar-emulator.mjs does when dist/ is missing
// or stale: the startup cost of an edited checkout. (bin/ itself would pick dist/ when it is current.)
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const cli = await import(pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'emulator', 'cli.ts')).href);
process.exitCode = await cli.main(process.argv.slice(2));
