// Runs the compiled CLI (dist/emulator/cli.js), as bin/ar-emulator.mjs does when dist/ is current, but
// without its freshness check, so the figure is the build's alone. dist/emulator/cli.js only exports
// main(): run directly with `node`, it exits without doing anything.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'emulator', 'cli.js');
const cli = await import(pathToFileURL(built).href);
process.exitCode = await cli.main(process.argv.slice(2));
