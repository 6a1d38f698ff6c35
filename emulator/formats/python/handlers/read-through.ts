// The reads of every repository mode: the project page a client gets (a standard repository's files; a remote's
// upstream page merged with its cache; a virtual's winning member's page) and where a file comes from. File URLs
// are always relative to the repository the client asked (`../../packages/NAME/FILE`), never a member's or the
// upstream's, so pip downloads through this emulator.
import type { Readable } from 'node:stream';
import { EmulatorError } from '../../../core/errors.js';
import { clip } from '../../../core/names.js';
import { normalizeVersion, parseFilename, pep440 } from '../names.js';
import type { UpstreamPage } from '../remote-wire.js';
import type { PythonTarget } from '../service/packages.js';
import { fileNotFound } from '../service/remote.js';
import type { FileRecord } from '../service/tables.js';
import { fileUrl, simpleFileOf, type SimpleFile } from '../wire.js';
import type { PythonDeps } from './deps.js';

export interface ServedPage {
  name: string;
  files: SimpleFile[];
  versions: string[];
  /** the upstream failed and the cache answered */
  stale: boolean;
}

const noProject = (project: string) => new EmulatorError('NOT_FOUND', `No project named '${clip(project)}' in this repository.`);

function versionsOf(files: SimpleFile[]): string[] {
  const set = new Set<string>();
  for (const f of files) {
    const p = parseFilename(f.filename);
    const v = p ? normalizeVersion(p.version) : undefined;
    if (v) set.add(v);
  }
  return [...set].sort((a, b) => pep440().compare(a, b));
}

function standardPage(d: PythonDeps, t: PythonTarget, project: string): ServedPage {
  const record = d.packages.project(t, project);
  if (!record) throw noProject(project);
  return { name: record.name, files: d.packages.filesOf(t, project).map(simpleFileOf), versions: d.packages.versions(t, project).map((v) => v.version), stale: false };
}

/** A remote repository's page: the upstream's links (cached files with their stored hashes), then cached files the upstream no longer lists. */
function remotePage(d: PythonDeps, t: PythonTarget, project: string, page: UpstreamPage | undefined, stale: boolean): ServedPage {
  const cached = d.packages.filesOf(t, project);
  const record = d.packages.project(t, project);
  if (!page && cached.length === 0) throw noProject(project);
  const byName = new Map(cached.map((f) => [f.filename, f]));
  const files: SimpleFile[] = [];
  const seen = new Set<string>();
  for (const link of page?.files ?? []) {
    if (seen.has(link.filename)) continue;
    seen.add(link.filename);
    const c = byName.get(link.filename);
    // a file once cached never changes: its stored hashes win over what the upstream says now
    if (c) files.push({ ...simpleFileOf(c), ...(link.yanked !== undefined ? { yanked: link.yanked } : {}) });
    else {
      files.push({
        filename: link.filename, url: fileUrl(project, link.filename), hashes: link.hashes,
        ...(link.requiresPython ? { requiresPython: link.requiresPython } : {}),
        ...(link.coreMetadata ? { coreMetadata: link.coreMetadata } : {}),
        ...(link.yanked !== undefined ? { yanked: link.yanked } : {}),
        ...(link.size !== undefined ? { size: link.size } : {}),
        ...(link.uploadTime ? { uploadTime: link.uploadTime } : {}),
      });
    }
  }
  for (const c of cached) if (!seen.has(c.filename)) files.push(simpleFileOf(c));
  return { name: page?.name && page.name !== project ? page.name : (record?.name ?? page?.name ?? project), files, versions: versionsOf(files), stale };
}

/** The page of `project` in `t`, whatever its mode. */
export async function readThroughPage(d: PythonDeps, t: PythonTarget, project: string): Promise<ServedPage> {
  if (t.record.mode === 'REMOTE_REPOSITORY') {
    if (!d.remote) return standardPage(d, t, project);
    const up = await d.remote.page(t, project);
    return remotePage(d, t, project, up.page, up.stale);
  }
  if (t.record.mode === 'VIRTUAL_REPOSITORY') {
    const won = await d.virtual.resolve(t, project);
    if (won.upstream) return remotePage(d, won.target, project, won.upstream.page, won.upstream.stale);
    return standardPage(d, won.target, project);
  }
  return standardPage(d, t, project);
}

export type FileSource = { target: PythonTarget; record: FileRecord } | { target: PythonTarget; record?: undefined; stream: Readable; length?: number };

/** Where `filename` of `project` in `t` comes from (a virtual repository: the member that answers for the project). */
export async function readThroughFile(d: PythonDeps, t: PythonTarget, project: string, filename: string): Promise<FileSource> {
  let target = t;
  if (t.record.mode === 'VIRTUAL_REPOSITORY') target = (await d.virtual.resolve(t, project)).target;
  if (target.record.mode === 'REMOTE_REPOSITORY' && d.remote) return { target, ...(await d.remote.file(target, project, filename)) };
  const record = d.packages.file(target, filename);
  if (!record || record.project !== project) throw fileNotFound(filename);
  return { target, record };
}

/** The core metadata of `filename` (PEP 658): the stored copy, or (remote, not cached yet) the upstream's, verified. */
export async function readThroughMetadata(d: PythonDeps, t: PythonTarget, project: string, filename: string): Promise<{ record?: FileRecord; body?: Buffer }> {
  let target = t;
  if (t.record.mode === 'VIRTUAL_REPOSITORY') target = (await d.virtual.resolve(t, project)).target;
  const record = d.packages.file(target, filename);
  if (record && record.project === project) {
    if (!record.metadata) throw fileNotFound(`${filename}.metadata`);
    return { record };
  }
  if (target.record.mode === 'REMOTE_REPOSITORY' && d.remote) return { body: await d.remote.coreMetadata(target, project, filename) };
  throw fileNotFound(`${filename}.metadata`);
}
