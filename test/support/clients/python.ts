// Python clients for the integration tests: Debian's python3 (setuptools + wheel, to build a wheel and an
// sdist offline), Debian's twine, and pip inside a fresh venv. pip runs --isolated: this machine's global
// pip config adds file:// indexes and find-links that would otherwise leak in (clients/REPORT.md §6).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { run, type RunResult } from './run.js';

export const PYTHON = '/usr/bin/python3';
export const TWINE = '/usr/bin/twine';
export const PYTHON_CLIENTS = [PYTHON, TWINE] as const;

/** Environment for twine and pip: no keyring prompts, no pip config or env knobs from the machine. */
export const PY_ENV: Record<string, string | undefined> = {
  PIP_CONFIG_FILE: '/dev/null',
  PIP_FIND_LINKS: undefined,
  PIP_EXTRA_INDEX_URL: undefined,
  PIP_INDEX_URL: undefined,
  PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
  PYTHONWARNINGS: 'ignore',
};

export interface DemoDist {
  dir: string;
  wheel: string;
  sdist: string;
}

/** Builds `name==version` (one module `module` with VALUE = version) as a wheel and an sdist in `dir/dist`. */
export async function buildDemoDist(dir: string, opts: { name: string; module: string; version: string; requiresPython?: string }): Promise<DemoDist> {
  await mkdir(join(dir, opts.module), { recursive: true });
  await writeFile(join(dir, opts.module, '__init__.py'), `VALUE = ${JSON.stringify(opts.version)}\n`);
  await writeFile(
    join(dir, 'setup.py'),
    [
      'from setuptools import setup',
      `setup(name=${JSON.stringify(opts.name)}, version=${JSON.stringify(opts.version)}, packages=[${JSON.stringify(opts.module)}],`,
      `      description="A demo package for the emulator tests", python_requires=${JSON.stringify(opts.requiresPython ?? '>=3.7')})`,
      '',
    ].join('\n'),
  );
  await run(PYTHON, ['setup.py', '-q', 'sdist', 'bdist_wheel'], { cwd: dir, env: PY_ENV });
  const files = await readdir(join(dir, 'dist'));
  const wheel = files.find((f) => f.endsWith('.whl'));
  const sdist = files.find((f) => f.endsWith('.tar.gz'));
  if (!wheel || !sdist) throw new Error(`setup.py built ${files.join(', ')}`);
  return { dir, wheel: join(dir, 'dist', wheel), sdist: join(dir, 'dist', sdist) };
}

export function twineUpload(repositoryUrl: string, files: string[], opts: { user?: string; password?: string; extra?: string[] } = {}): Promise<RunResult> {
  return run(
    TWINE,
    ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', repositoryUrl, '-u', opts.user ?? 'oauth2accesstoken', '-p', opts.password ?? 'x', ...(opts.extra ?? []), ...files],
    { env: PY_ENV },
  );
}

/** A fresh venv at `dir`; returns its pip and python. */
export async function makeVenv(dir: string): Promise<{ pip: string; python: string }> {
  await run(PYTHON, ['-m', 'venv', dir], { env: PY_ENV });
  return { pip: join(dir, 'bin', 'pip'), python: join(dir, 'bin', 'python') };
}

/** `pip --isolated …` with the flags every test needs (no prompts, no version check, no cache). */
export function pip(pipPath: string, args: string[]): Promise<RunResult> {
  const [command, ...rest] = args;
  return run(pipPath, ['--isolated', command!, '--no-input', '--disable-pip-version-check', '--no-cache-dir', ...rest], { env: PY_ENV });
}

/** A zip archive with `entries` stored uncompressed (a minimal wheel for tests that run without Python). */
export function storedZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
