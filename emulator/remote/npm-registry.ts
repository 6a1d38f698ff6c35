// The NPMJS preset's upstream (issue 12): npm's own configured registry, never a host written in the code. The
// environment's `npm_config_registry` first (what `npm run` and npx export), else one `npm config get registry`
// (a child process, run once on first use, with a timeout). Neither: a clear error naming both.
import { execFile } from 'node:child_process';

export interface NpmRegistryOptions {
  env?: NodeJS.ProcessEnv;
  /** how long `npm config get registry` may take (default 10 s) */
  timeoutMs?: number;
  /** the npm binary (default `npm` on PATH) */
  npm?: string;
}

/** An http(s) URL without its trailing slash; undefined for anything else. */
function asRegistry(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v || v === 'undefined' || v === 'null') return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  } catch {
    return undefined;
  }
  return v.replace(/\/+$/, '');
}

/** The registry named by `npm_config_registry` (any case), if it is an http(s) URL. */
export function registryFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === 'npm_config_registry') return asRegistry(v);
  return undefined;
}

/**
 * A resolver for the NPMJS preset: lazy, cached once it succeeds (a failure is retried on the next call, so
 * installing npm later helps without a restart).
 */
export function npmjsRegistry(opts: NpmRegistryOptions = {}): () => Promise<string> {
  let found: Promise<string> | undefined;
  return () => {
    const fromEnv = registryFromEnv(opts.env ?? process.env);
    if (fromEnv) return Promise.resolve(fromEnv);
    found ??= ask(opts).catch((err: unknown) => {
      found = undefined;
      throw err;
    });
    return found;
  };
}

function ask(opts: NpmRegistryOptions): Promise<string> {
  const timeout = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    execFile(opts.npm ?? 'npm', ['config', 'get', 'registry'], { timeout, windowsHide: true, env: { ...(opts.env ?? process.env), NO_UPDATE_NOTIFIER: '1' } }, (err, stdout) => {
      const registry = err ? undefined : asRegistry(String(stdout));
      if (registry) {
        resolve(registry);
        return;
      }
      const why = err ? ((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'npm is not on PATH' : err.killed ? `it did not answer within ${timeout} ms` : err.message.split('\n')[0]) : `it printed "${String(stdout).trim().slice(0, 200)}", not an http(s) URL`;
      reject(new Error(`the NPMJS preset needs npm's configured registry: npm_config_registry is not set and \`npm config get registry\` failed (${why}); set npm_config_registry or use npmRepository.customRepository.uri`));
    });
  });
}
