// `ar-emulator go upload`: the counterpart of `gcloud artifacts go upload`. Builds the module zip from a source
// folder as golang.org/x/mod/zip.CreateFromDir does (VCS folders, nested modules, vendored packages and irregular
// files left out), checks it with the emulator's own x/mod rules before sending, and streams it to a running
// emulator's `/upload/v1/…/goModules:create` (uploadType=media). Nothing is buffered whole.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type yazlType from 'yazl';
import { CliFailure } from './cli-client.js';
import { checkModuleVersion } from './formats/go/names.js';
import { checkZipEntries, goModModulePath, GO_ZIP_LIMITS } from './formats/go/zip-check.js';

export const GO_USAGE = 'ar-emulator go upload --module-path M --version V --source DIR --repository R [--project P] [--location L] [--token TOKEN] [--endpoint HOST:PORT]';
export const GO_HELP = '  go upload    zips a Go module from DIR (as `gcloud artifacts go upload`) and uploads it to a GO repository';

const VCS_DIRS = new Set(['.bzr', '.git', '.hg', '.svn']);

/** x/mod/zip isVendoredPackage (its historical offset kept: golang.org/issue/31562). */
function isVendoredPackage(name: string): boolean {
  let i = 0;
  if (name.startsWith('vendor/')) i = 'vendor/'.length;
  else if (name.includes('/vendor/')) i = '/vendor/'.length;
  else return false;
  return name.slice(i).includes('/');
}

/** The files CreateFromDir puts in a module zip: slash paths relative to `root`, with their sizes. */
export async function moduleFiles(root: string): Promise<Array<{ path: string; file: string; size: number }>> {
  const out: Array<{ path: string; file: string; size: number }> = [];
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const file = join(dir, name);
      const info = await lstat(file);
      const slash = relative(root, file).split(sep).join('/');
      if (info.isDirectory()) {
        if (VCS_DIRS.has(name)) continue;
        // nested modules are modules of their own
        const goMod = await lstat(join(file, 'go.mod')).catch(() => undefined);
        if (goMod && !goMod.isDirectory()) continue;
        await walk(file);
      } else if (info.isFile() && !isVendoredPackage(slash)) {
        out.push({ path: slash, file, size: info.size });
      }
    }
  };
  await walk(root);
  return out;
}

export async function goCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let values;
  try {
    if (sub !== 'upload') throw new Error(`unknown go command "${sub ?? ''}"`);
    ({ values } = parseArgs({
      args: rest,
      options: {
        'module-path': { type: 'string' }, version: { type: 'string' }, source: { type: 'string', default: '.' },
        repository: { type: 'string' }, project: { type: 'string' }, location: { type: 'string' }, token: { type: 'string' },
        endpoint: { type: 'string', default: process.env.ARTIFACT_REGISTRY_EMULATOR_HOST || 'localhost:8088' },
      },
      strict: true,
    }));
    for (const required of ['module-path', 'version', 'repository'] as const) if (!values[required]) throw new Error(`--${required} is required`);
  } catch (err) {
    process.stderr.write(`ar-emulator: ${(err as Error).message}\nusage: ${GO_USAGE}\n`);
    return 2;
  }
  try {
    const endpoint = values.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const result = await uploadModule({
      endpoint, module: values['module-path']!, version: values.version!, source: values.source, repository: values.repository!,
      ...(values.project ? { project: values.project } : {}), ...(values.location ? { location: values.location } : {}), ...(values.token ? { token: values.token } : {}),
    });
    process.stdout.write(`Uploaded ${values['module-path']}@${values.version} to ${result}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    process.stderr.write(`ar-emulator: ${err.message}\n`);
    return err.status;
  }
}

export interface GoUpload {
  endpoint: string;
  module: string;
  version: string;
  source: string;
  repository: string;
  project?: string;
  location?: string;
  token?: string;
}

/** Zips `source` as MODULE@VERSION and uploads it; returns the repository's resource name. */
export async function uploadModule(u: GoUpload): Promise<string> {
  try {
    checkModuleVersion(u.module, u.version);
  } catch (err) {
    throw new CliFailure((err as Error).message, 2);
  }
  const files = await moduleFiles(u.source).catch((err: Error) => {
    throw new CliFailure(`cannot read --source ${u.source}: ${err.message}`, 2);
  });
  const prefix = `${u.module}@${u.version}/`;
  const { problems, goMod } = checkZipEntries(files.map((f) => ({ name: prefix + f.path, size: f.size })), u.module, u.version, GO_ZIP_LIMITS);
  if (!problems.ok) throw new CliFailure(problems.error(u.module, u.version).message, 2);
  if (goMod !== undefined) {
    const declared = goModModulePath(await readFile(files[goMod]!.file, 'utf8'));
    if (declared !== u.module) throw new CliFailure(`${u.source}/go.mod declares module "${declared ?? ''}", not ${u.module}`, 2);
  }
  const info = await fetchJson(u.endpoint, '/_emulator/info').catch(() => ({}) as Record<string, string>);
  const project = u.project ?? info.defaultProject ?? 'local-project';
  const location = u.location ?? info.defaultLocation ?? 'us-central1';
  const parent = `projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/repositories/${encodeURIComponent(u.repository)}`;

  const yazl = createRequire(import.meta.url)('yazl') as typeof yazlType;
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addFile(f.file, prefix + f.path, { mode: 0o644 });
  zip.end();
  let res: Response;
  try {
    res = await fetch(`http://${u.endpoint}/upload/v1/${parent}/goModules:create?uploadType=media`, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', accept: 'application/json', ...(u.token ? { authorization: `Bearer ${u.token}` } : {}) },
      body: Readable.toWeb(zip.outputStream as Readable) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new CliFailure(`cannot reach the emulator at ${u.endpoint}: ${cause?.code ?? (err as Error).message}`, 1);
  }
  const text = await res.text();
  if (!res.ok) {
    let message: string | undefined;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
    } catch {
      message = undefined;
    }
    throw new CliFailure(message ?? `HTTP ${res.status} ${text.slice(0, 200)}`, 1);
  }
  return decodeURIComponent(parent);
}

async function fetchJson(endpoint: string, path: string): Promise<Record<string, string>> {
  const res = await fetch(`http://${endpoint}${path}`, { headers: { accept: 'application/json' } });
  return (await res.json()) as Record<string, string>;
}
