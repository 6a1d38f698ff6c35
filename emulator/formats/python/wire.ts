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
  hashes: { sha256: string };
  'requires-python'?: string;
  /** PEP 714: only the new key; pip 22.3-23.0 crash on a `dist-info-metadata` dict in JSON */
  'core-metadata'?: { sha256: string };
  size: number;
  'upload-time': string;
}

export interface PypiSimpleProject {
  meta: { 'api-version': string };
  name: string;
  files: PypiSimpleFile[];
  versions: string[];
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

export function projectJson(name: string, files: FileRecord[], versions: string[]): PypiSimpleProject {
  return {
    meta: { 'api-version': API_VERSION },
    name,
    files: files.map((f) => ({
      filename: f.filename,
      url: fileUrl(f.project, f.filename),
      hashes: { sha256: f.sha256 },
      ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
      ...(f.metadata ? { 'core-metadata': { sha256: f.metadata.sha256 } } : {}),
      size: f.size,
      'upload-time': f.uploadTime,
    })),
    versions,
  };
}

export function projectHtml(name: string, files: FileRecord[]): string {
  const links = files.map((f) => {
    const attrs = [`href="${escapeHtml(`${fileUrl(f.project, f.filename)}#sha256=${f.sha256}`)}"`];
    if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.metadata) attrs.push(`data-dist-info-metadata="sha256=${f.metadata.sha256}"`, `data-core-metadata="sha256=${f.metadata.sha256}"`);
    return `    <a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br/>`;
  });
  return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n    <title>Links for ${escapeHtml(name)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(name)}</h1>\n${links.join('\n')}\n  </body>\n</html>\n`;
}
