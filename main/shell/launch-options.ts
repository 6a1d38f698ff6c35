// The desktop app's command line (`--port`, `--data-dir`, `--host`, `--project`, `--location`), parsed with the
// CLI's defaults, so `npm start -- --port 0` means the same with or without a display.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface LaunchOptions {
  port: number;
  host: string;
  dataDir: string;
  project?: string;
  location?: string;
}

export function parseLaunchOptions(argv: readonly string[], home = homedir()): LaunchOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const port = Number(get('--port') ?? 8088);
  return {
    port: Number.isInteger(port) && port >= 0 && port < 65536 ? port : 8088,
    host: get('--host') ?? '127.0.0.1',
    dataDir: get('--data-dir') ?? join(home, '.ar-emulator', 'data'),
    project: get('--project'),
    location: get('--location'),
  };
}
