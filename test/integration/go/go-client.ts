// The real go command for the Go tests: a hermetic environment per test under a temp dir (its own GOPATH,
// GOMODCACHE and GOCACHE, GOTOOLCHAIN=local, GOSUMDB=off, GOFLAGS=-modcacherw, no GOPRIVATE: the clients report's
// Go tips), and module zips built with yazl laid out as `go mod download` writes them.
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type yazlType from 'yazl';
import { run, type RunResult } from '../../support/clients/run.js';

export const GO_CLIENTS = ['go'] as const;

const yazl = createRequire(import.meta.url)('yazl') as typeof yazlType;

/** The environment of one go invocation against `goproxy` (a list such as `URL` or `URL1,URL2`). */
export function goEnv(home: string, goproxy: string): Record<string, string | undefined> {
  return {
    HOME: home, GOPATH: join(home, 'gopath'), GOMODCACHE: join(home, 'gopath', 'pkg', 'mod'), GOCACHE: join(home, 'cache'),
    GOFLAGS: '-modcacherw', GOTOOLCHAIN: 'local', GOTELEMETRY: 'off', GOSUMDB: 'off', GOPROXY: goproxy,
    GOPRIVATE: undefined, GONOPROXY: undefined, GONOSUMDB: undefined, GOINSECURE: undefined, GO111MODULE: 'on', GOWORK: 'off', NETRC: undefined,
  };
}

export async function go(args: string[], opts: { home: string; goproxy: string; cwd?: string; env?: Record<string, string | undefined> }): Promise<RunResult> {
  await mkdir(opts.cwd ?? opts.home, { recursive: true });
  return run('go', args, { env: { ...goEnv(opts.home, opts.goproxy), ...(opts.env ?? {}) }, cwd: opts.cwd ?? opts.home, timeoutMs: 120_000 });
}

/** A module zip of `files` (relative path → content) under `MODULE@VERSION/`. */
export async function moduleZip(module: string, version: string, files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(files)) z.addBuffer(Buffer.from(body), `${module}@${version}/${name}`);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** The files of a tiny library module whose `Version` constant says which version it is. */
export function libraryFiles(module: string, version: string, pkg = 'hello'): Record<string, string> {
  return {
    'go.mod': `module ${module}\n\ngo 1.19\n`,
    [`${pkg}.go`]: `package ${pkg}\n\n// Version is the version this copy of the module was uploaded as.\nconst Version = "${version}"\n`,
  };
}

/** Writes `files` under `dir`. */
export async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, body] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), body);
  }
}

/** A consumer module in `dir` that prints `pkg.Version` of `module`. */
export async function writeConsumer(dir: string, module: string, pkg = 'hello'): Promise<void> {
  await writeTree(dir, {
    'go.mod': 'module example.com/consumer\n\ngo 1.19\n',
    'main.go': `package main\n\nimport (\n\t"fmt"\n\n\t${pkg} "${module}"\n)\n\nfunc main() { fmt.Println("version", ${pkg}.Version) }\n`,
  });
}

/** POSTs a module zip to goModules:create (uploadType=media), as `gcloud artifacts go upload` does. */
export function uploadZip(base: string, parent: string, zip: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/upload/v1/${parent}/goModules:create?uploadType=media`, { method: 'POST', headers: { 'content-type': 'application/zip', ...headers }, body: zip });
}
