// What a Python remote repository reads from its upstream: a project page of the simple repository API, PEP 503
// HTML (read with htmlparser2) or PEP 691 JSON, turned into one shape with absolute file URLs. Only the links this
// emulator can serve and cache are kept: a distribution file name of the project with a PEP 440 version.
// https://packaging.python.org/specifications/simple-repository-api/
import { normalizeName, normalizeVersion, parseFilename, MAX_FILENAME_LENGTH } from './names.js';
import type { SimpleFile } from './wire.js';

// Loaded at first use, not at startup: only remote repositories read HTML (an ES module: import(), not require).
let htmlparser2Module: Promise<typeof import('htmlparser2')> | undefined;
const htmlparser2 = (): Promise<typeof import('htmlparser2')> => (htmlparser2Module ??= import('htmlparser2'));

/** What is asked of an upstream: JSON preferred (it carries sizes), HTML accepted (what pip sends, too). */
export const UPSTREAM_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

/** One file an upstream page links to (`url` absolute, without the fragment): the shape a page entry has. */
export type UpstreamFile = SimpleFile;

export interface UpstreamPage {
  /** the project's display name (the JSON `name`, else the normalized name) */
  name: string;
  files: UpstreamFile[];
}

const HASH_NAME = /^(sha256|sha512|sha384|sha224|sha1|md5|blake2b_256|blake2b|sha3_256)$/;
const HEX = /^[0-9a-f]{16,128}$/;

/** `name=hex` (a link fragment or a data-dist-info-metadata value) → {name: hex}; undefined for anything else. */
function hashFragment(value: string | undefined): Record<string, string> | undefined {
  const m = value ? /^([a-z0-9_]+)=([0-9a-fA-F]+)$/.exec(value.trim()) : undefined;
  if (!m || !HASH_NAME.test(m[1]!) || !HEX.test(m[2]!.toLowerCase())) return undefined;
  return { [m[1]!]: m[2]!.toLowerCase() };
}

function hashDict(v: unknown): Record<string, string> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, h] of Object.entries(v as Record<string, unknown>)) {
    if (HASH_NAME.test(k) && typeof h === 'string' && HEX.test(h.toLowerCase())) out[k] = h.toLowerCase();
  }
  return Object.keys(out).length ? out : undefined;
}

/** A file name this emulator can serve for `project`: no path parts, a distribution of the project, a PEP 440 version. */
export function acceptableFilename(filename: string, project: string): boolean {
  if (!filename || filename.length > MAX_FILENAME_LENGTH || /[/\\\x00-\x1f\x7f]/.test(filename) || filename.startsWith('.') || filename.includes('..')) return false;
  const parsed = parseFilename(filename);
  return parsed !== undefined && normalizeName(parsed.project) === project && normalizeVersion(parsed.version) !== undefined;
}

function absolute(href: string, base: string): { url: string; fragment: string } | undefined {
  try {
    const u = new URL(href, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const fragment = u.hash.replace(/^#/, '');
    u.hash = '';
    return { url: u.toString(), fragment };
  } catch {
    return undefined;
  }
}

/** The file name a URL ends in (percent-decoded), or undefined. */
function lastSegment(url: string): string | undefined {
  const path = new URL(url).pathname;
  try {
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  } catch {
    return undefined;
  }
}

/** A PEP 503 HTML page: every `<a href>` with its data-* attributes; the file name is the link's last path segment. */
export async function parseHtmlPage(html: string, pageUrl: string, project: string): Promise<UpstreamPage> {
  const files: UpstreamFile[] = [];
  const parser = new (await htmlparser2()).Parser(
    {
      onopentag(tag, attrs) {
        if (tag !== 'a' || attrs.href === undefined) return;
        const at = absolute(attrs.href, pageUrl);
        if (!at) return;
        const filename = lastSegment(at.url);
        if (!filename || !acceptableFilename(filename, project)) return;
        const meta = attrs['data-core-metadata'] ?? attrs['data-dist-info-metadata'];
        const coreMetadata = hashFragment(meta);
        files.push({
          filename, url: at.url, hashes: hashFragment(at.fragment) ?? {},
          ...(attrs['data-requires-python'] ? { requiresPython: attrs['data-requires-python'] } : {}),
          ...(coreMetadata ? { coreMetadata } : {}),
          ...(attrs['data-yanked'] !== undefined ? { yanked: attrs['data-yanked'] === '' ? true : attrs['data-yanked'] } : {}),
        });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return { name: project, files };
}

/** A PEP 691 JSON page. Throws on a document that is not one. */
export function parseJsonPage(text: string, pageUrl: string, project: string): UpstreamPage {
  const doc = JSON.parse(text) as { name?: unknown; files?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.files)) throw new Error('not a PEP 691 project page');
  const name = typeof doc.name === 'string' && normalizeName(doc.name) === project ? doc.name : project;
  const files: UpstreamFile[] = [];
  for (const f of doc.files as Array<Record<string, unknown>>) {
    if (typeof f !== 'object' || f === null || typeof f.filename !== 'string' || typeof f.url !== 'string') continue;
    if (!acceptableFilename(f.filename, project)) continue;
    const at = absolute(f.url, pageUrl);
    if (!at) continue;
    const rp = f['requires-python'];
    const meta = f['core-metadata'] ?? f['dist-info-metadata'];
    const coreMetadata = hashDict(meta);
    const yanked = f.yanked === true ? true : typeof f.yanked === 'string' && f.yanked ? f.yanked : f.yanked === '' ? true : undefined;
    files.push({
      filename: f.filename, url: at.url, hashes: hashDict(f.hashes) ?? {},
      ...(typeof rp === 'string' && rp ? { requiresPython: rp } : {}),
      ...(coreMetadata ? { coreMetadata } : {}),
      ...(yanked !== undefined ? { yanked } : {}),
      ...(typeof f.size === 'number' && Number.isSafeInteger(f.size) && f.size >= 0 ? { size: f.size } : {}),
      ...(typeof f['upload-time'] === 'string' ? { uploadTime: f['upload-time'] } : {}),
    });
  }
  return { name, files };
}

/** The page in whichever serialization the upstream answered with (by its Content-Type). */
export async function parseUpstreamPage(body: string, contentType: string | undefined, pageUrl: string, project: string): Promise<UpstreamPage> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/vnd.pypi.simple.v1+json' || type === 'application/json') return parseJsonPage(body, pageUrl, project);
  return parseHtmlPage(body, pageUrl, project);
}
