// The simple repository API's two serializations: PEP 503 HTML and PEP 691 JSON (api-version 1.1, PEP 700),
// with PEP 658/714 core-metadata announcements. Wire DTOs and media types only; no storage access.
// https://packaging.python.org/specifications/simple-repository-api/
import type { FileRecord } from './service/tables.js';

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
export const TEXT_HTML = 'text/html';
/** In server-preference order for a request that states none (PyPI answers HTML then). */
export const SIMPLE_TYPES = [TEXT_HTML, SIMPLE_HTML, SIMPLE_JSON] as const;
export const API_VERSION = '1.1';

export interface PypiSimpleIndex {
  meta: { 'api-version': string };
  projects: Array<{ name: string }>;
}

export interface PypiSimpleFile {
  filename: string;
  url: string;
  hashes: Record<string, string>;
  'requires-python'?: string;
  /** PEP 714: only the new key; pip 22.3-23.0 crash on a `dist-info-metadata` dict in JSON */
  'core-metadata'?: Record<string, string>;
  /** PEP 592 */
  yanked?: true | string;
  /** PEP 700 (api-version 1.1) */
  size?: number;
  'upload-time'?: string;
}

export interface PypiSimpleProject {
  meta: { 'api-version': string };
  name: string;
  files: PypiSimpleFile[];
  /** PEP 700 (api-version 1.1) */
  versions?: string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A file's URL relative to `/PROJECT/REPO/simple/NAME/`: `../../packages/NAME/FILE` (stays on the Host asked). */
export function fileUrl(project: string, filename: string): string {
  return `../../packages/${encodeURIComponent(project)}/${encodeURIComponent(filename)}`;
}

export function indexJson(projects: Array<{ name: string }>): PypiSimpleIndex {
  return { meta: { 'api-version': API_VERSION }, projects };
}

export function indexHtml(projects: Array<{ name: string; normalized: string }>): string {
  const links = projects.map((p) => `    <a href="${escapeHtml(encodeURIComponent(p.normalized))}/">${escapeHtml(p.name)}</a><br/>`).join('\n');
  return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Simple index</title>\n  </head>\n  <body>\n${links}\n  </body>\n</html>\n`;
}

/**
 * One file of a project page, whatever its source: a stored file, or (remote repositories) an upstream's link not
 * cached yet. `url` is what the page links to; hashes by PEP 691 name (`sha256`, `md5`, …).
 */
export interface SimpleFile {
  filename: string;
  url: string;
  hashes: Record<string, string>;
  requiresPython?: string;
  /** the core metadata file's hashes (PEP 658/714) */
  coreMetadata?: Record<string, string>;
  /** PEP 592: true, or the reason given */
  yanked?: true | string;
  size?: number;
  uploadTime?: string;
}

/** A stored file as a page entry, linked at this repository's file route. */
export function simpleFileOf(f: FileRecord): SimpleFile {
  return {
    filename: f.filename,
    url: fileUrl(f.project, f.filename),
    hashes: { sha256: f.sha256 },
    ...(f.requiresPython ? { requiresPython: f.requiresPython } : {}),
    ...(f.metadata ? { coreMetadata: { sha256: f.metadata.sha256 } } : {}),
    size: f.size,
    uploadTime: f.uploadTime,
  };
}

/** The hash a PEP 503 link carries in its fragment: sha256 when there is one (pip's preference), else the first. */
function fragmentHash(hashes: Record<string, string>): string | undefined {
  const name = hashes.sha256 !== undefined ? 'sha256' : Object.keys(hashes)[0];
  return name ? `${name}=${hashes[name]}` : undefined;
}

export function projectJson(name: string, files: Array<FileRecord | SimpleFile>, versions: string[]): PypiSimpleProject {
  const entries = files.map((f) => ('digest' in f ? simpleFileOf(f) : f));
  // api-version 1.1 (PEP 700) requires every file's size: an upstream page that lacks some is served as 1.0
  const complete = entries.every((f) => f.size !== undefined);
  return {
    meta: { 'api-version': complete ? API_VERSION : '1.0' },
    name,
    files: entries.map((f) => ({
      filename: f.filename,
      url: f.url,
      hashes: f.hashes,
      ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
      ...(f.coreMetadata ? { 'core-metadata': f.coreMetadata } : {}),
      ...(f.yanked !== undefined ? { yanked: f.yanked } : {}),
      ...(complete ? { size: f.size! } : {}),
      ...(complete && f.uploadTime ? { 'upload-time': f.uploadTime } : {}),
    })) as PypiSimpleFile[],
    ...(complete ? { versions } : {}),
  } as PypiSimpleProject;
}

export function projectHtml(name: string, files: Array<FileRecord | SimpleFile>): string {
  const links = files.map((x) => {
    const f = 'digest' in x ? simpleFileOf(x) : x;
    const hash = fragmentHash(f.hashes);
    const attrs = [`href="${escapeHtml(hash ? `${f.url}#${hash}` : f.url)}"`];
    if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    const meta = f.coreMetadata ? fragmentHash(f.coreMetadata) : undefined;
    if (meta) attrs.push(`data-dist-info-metadata="${escapeHtml(meta)}"`, `data-core-metadata="${escapeHtml(meta)}"`);
    if (f.yanked !== undefined) attrs.push(`data-yanked="${f.yanked === true ? '' : escapeHtml(f.yanked)}"`);
    return `    <a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br/>`;
  });
  return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Links for ${escapeHtml(name)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(name)}</h1>\n${links.join('\n')}\n  </body>\n</html>\n`;
}
