// The config file's preload of an image (docs/config.md): an OCI image layout (a directory, or its tar as
// `skopeo copy … oci-archive:` and `docker save` of Docker 25+ write), or a `docker save` tarball of older engines
// (manifest.json with Config and Layers). Blobs go in through BlobService.uploadWhole and manifests through
// ManifestService.put, children first, so every check a push gets runs; the tag last.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { digestOf, isDigestLike, parseDigest } from '../../core/digests.js';
import { EmulatorError } from '../../core/errors.js';
import { isValidTag } from '../../core/names.js';
import type { PreloadKind } from '../../core/preload-kind.js';
import { walkTar } from '../../storage/tar-walk.js';
import type { DockerDeps } from './handlers/deps.js';
import { MANIFEST_KINDS, MAX_MANIFEST_BYTES, OCI_MANIFEST } from './media-types.js';
import { T, isLive, tagKey, type TagRecord } from './service/tables.js';
import type { DockerTarget } from './service/target.js';

/** blobs of an archive held in memory between its two passes (manifests, indexes, configs) */
const SMALL_BLOB = 1 << 20;
const SMALL_TOTAL = 64 << 20;
const REF_NAME = 'org.opencontainers.image.ref.name';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }
interface Entry { digest: string; size: number; gzip: boolean; bytes?: Buffer }

/** An image source: its small files by path, and a way to stream the blobs a push needs. */
interface Source {
  /** a small file (index.json, manifest.json, a manifest or config blob) by path, if it is there */
  small(path: string): Buffer | undefined;
  entry(path: string): Entry | undefined;
  /** streams each of `paths` once to `take` */
  stream(paths: ReadonlySet<string>, take: (path: string, body: Readable) => Promise<void>): Promise<void>;
}

const bad = (file: string, why: string) => new EmulatorError('INVALID_ARGUMENT', `${basename(file)} is not an image this emulator can preload: ${why}`);
const blobPath = (digest: string) => {
  const d = parseDigest(digest);
  return `blobs/${d.algorithm}/${d.hex}`;
};

async function directorySource(dir: string): Promise<Source> {
  const small = new Map<string, Buffer>();
  for (const name of ['index.json', 'oci-layout']) {
    const b = await readFile(join(dir, name)).catch(() => undefined);
    if (b && b.length <= SMALL_BLOB) small.set(name, b);
  }
  return {
    small(path) {
      if (small.has(path)) return small.get(path);
      // a manifest or index blob of the layout, read when the plan needs it
      const full = join(dir, path);
      const st = statSync(full, { throwIfNoEntry: false });
      return st?.isFile() && st.size <= SMALL_BLOB ? readFileSync(full) : undefined;
    },
    entry: () => undefined,
    async stream(paths, take) {
      for (const p of paths) await take(p, createReadStream(join(dir, p)));
    },
  };
}

/** Pass 1 over a tar: every regular file's sha256 and size, the small ones kept. */
async function tarSource(file: string): Promise<Source> {
  const entries = new Map<string, Entry>();
  let held = 0;
  await walkTar(file, async (e, body) => {
    const hash = createHash('sha256');
    const keep = e.size <= SMALL_BLOB && held + e.size <= SMALL_TOTAL;
    const chunks: Buffer[] = [];
    let head: Buffer | undefined;
    let size = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      head ??= chunk.subarray(0, 2);
      size += chunk.length;
      if (keep) chunks.push(chunk);
    }
    if (keep) held += size;
    entries.set(e.name, { digest: `sha256:${hash.digest('hex')}`, size, gzip: head?.[0] === 0x1f && head[1] === 0x8b, ...(keep ? { bytes: Buffer.concat(chunks) } : {}) });
  });
  return {
    small: (path) => entries.get(path)?.bytes,
    entry: (path) => entries.get(path),
    async stream(paths, take) {
      await walkTar(file, async (e, body) => {
        if (paths.has(e.name)) await take(e.name, Readable.from(body));
      });
    },
  };
}

function json(bytes: Buffer | undefined, file: string, what: string): Record<string, unknown> {
  if (!bytes) throw bad(file, `${what} is missing`);
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (v && typeof v === 'object') return v as Record<string, unknown>;
  } catch {
    // below
  }
  throw bad(file, `${what} is not JSON`);
}

function descriptor(v: unknown, file: string): Descriptor {
  const d = v as Partial<Descriptor> | undefined;
  if (!d || typeof d.mediaType !== 'string' || typeof d.digest !== 'string' || !isDigestLike(d.digest) || typeof d.size !== 'number') throw bad(file, 'a descriptor lacks mediaType, digest or size');
  return d as Descriptor;
}

/** What to push: manifests (children first) with their bytes, the blobs by path, the top descriptor. */
interface Plan { manifests: Array<{ digest: string; mediaType: string; body: Buffer }>; blobs: Map<string, { digest: string; size: number }>; top: { digest: string; mediaType: string }; tag?: string }

function planOci(src: Source, file: string, wantTag: string | undefined): Plan {
  const index = json(src.small('index.json'), file, 'index.json');
  const list = Array.isArray(index.manifests) ? index.manifests.map((m) => descriptor(m, file)) : [];
  if (list.length === 0) throw bad(file, 'index.json lists no manifest');
  const chosen = wantTag ? list.find((m) => m.annotations?.[REF_NAME] === wantTag || m.annotations?.[REF_NAME]?.endsWith(`:${wantTag}`)) ?? (list.length === 1 ? list[0] : undefined) : list[0];
  if (!chosen) throw bad(file, `index.json holds no image named "${wantTag}"`);
  const plan: Plan = { manifests: [], blobs: new Map(), top: { digest: chosen.digest, mediaType: chosen.mediaType } };
  const refName = chosen.annotations?.[REF_NAME];
  const tagOfRef = refName?.includes(':') ? refName.slice(refName.lastIndexOf(':') + 1) : refName;
  if (tagOfRef && isValidTag(tagOfRef)) plan.tag = tagOfRef;
  const seen = new Set<string>();
  const visit = (d: Descriptor, depth: number) => {
    if (seen.has(d.digest) || depth > 4) return;
    seen.add(d.digest);
    const body = src.small(blobPath(d.digest));
    if (!body || body.length > MAX_MANIFEST_BYTES) throw bad(file, `manifest ${d.digest} is missing`);
    if (digestOf(body, parseDigest(d.digest).algorithm) !== d.digest) throw bad(file, `manifest ${d.digest} does not match its digest`);
    const m = json(body, file, `manifest ${d.digest}`);
    const kind = MANIFEST_KINDS[d.mediaType] ?? MANIFEST_KINDS[String(m.mediaType)];
    if (kind === 'index') {
      for (const child of (Array.isArray(m.manifests) ? m.manifests : []).map((c) => descriptor(c, file))) visit(child, depth + 1);
    } else {
      const refs = [m.config, ...(Array.isArray(m.layers) ? m.layers : [])].filter(Boolean).map((b) => descriptor(b, file));
      for (const b of refs) plan.blobs.set(blobPath(b.digest), { digest: b.digest, size: b.size });
    }
    plan.manifests.push({ digest: d.digest, mediaType: d.mediaType, body });
  };
  visit(chosen, 0);
  return plan;
}

/** `docker save` of engines before 25: manifest.json's Config and Layers become an OCI image manifest. */
function planDockerSave(src: Source, file: string): Plan {
  const list = json(src.small('manifest.json'), file, 'manifest.json') as unknown;
  const first = Array.isArray(list) ? (list[0] as { Config?: string; RepoTags?: string[]; Layers?: string[] } | undefined) : undefined;
  if (!first?.Config || !Array.isArray(first.Layers)) throw bad(file, 'manifest.json names no Config and Layers');
  const config = src.entry(first.Config);
  if (!config?.bytes) throw bad(file, `${first.Config} is missing`);
  const blobs = new Map<string, { digest: string; size: number }>([[first.Config, { digest: config.digest, size: config.size }]]);
  const layers = first.Layers.map((path) => {
    const e = src.entry(path);
    if (!e) throw bad(file, `layer ${path} is missing`);
    blobs.set(path, { digest: e.digest, size: e.size });
    return { mediaType: e.gzip ? OCI_LAYER_GZIP : OCI_LAYER_TAR, digest: e.digest, size: e.size };
  });
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size }, layers }));
  const digest = digestOf(body, 'sha256');
  const repoTag = first.RepoTags?.[0];
  const tag = repoTag?.includes(':') ? repoTag.slice(repoTag.lastIndexOf(':') + 1) : undefined;
  return { manifests: [{ digest, mediaType: OCI_MANIFEST, body }], blobs, top: { digest, mediaType: OCI_MANIFEST }, ...(tag && isValidTag(tag) ? { tag } : {}) };
}

export function dockerPreloadKind(deps: DockerDeps): PreloadKind {
  const has = (t: DockerTarget, digest: string) => {
    try {
      return isLive(deps.blobs.stat(t, parseDigest(digest)));
    } catch {
      return false;
    }
  };
  return {
    format: 'DOCKER',
    directories: true,
    async preload(ref, file, metadata) {
      const image = metadata.image;
      if (!image) throw new EmulatorError('INVALID_ARGUMENT', 'A DOCKER preload needs `image`: the image path in the repository (e.g. app or team/app).');
      const t = deps.targets.resolve(`${ref.project}/${ref.repository}/${image}`, ref.location);
      if (t.record.mode !== 'STANDARD_REPOSITORY') throw new EmulatorError('FAILED_PRECONDITION', 'Images preload into a standard repository only.');
      const isDir = (await stat(file)).isDirectory();
      let src: Source;
      try {
        src = isDir ? await directorySource(file) : await tarSource(file);
      } catch (err) {
        if (err instanceof EmulatorError) throw err;
        throw bad(file, `it is not a tar archive (${(err as Error).message.slice(0, 200)})`);
      }
      const plan = src.small('index.json') ? planOci(src, file, metadata.tag) : planDockerSave(src, file);
      const tag = metadata.tag ?? plan.tag ?? 'latest';
      if (!isValidTag(tag)) throw new EmulatorError('INVALID_ARGUMENT', `"${tag}" is not a valid tag.`);
      if (t.shard.get<TagRecord>(T.tags, tagKey(t.image, tag))?.digest === plan.top.digest) return 'exists';
      // blobs first (those the image already links are not read again), then manifests children first, then the tag
      const missing = new Map([...plan.blobs].filter(([, b]) => !has(t, b.digest)));
      const taken = new Set<string>();
      await src.stream(new Set(missing.keys()), async (path, body) => {
        const b = missing.get(path)!;
        if (taken.has(b.digest)) return void body.resume();
        taken.add(b.digest);
        await deps.blobs.uploadWhole(t, body, parseDigest(b.digest), { length: b.size });
      });
      for (const [path, b] of missing) if (!taken.has(b.digest) && !has(t, b.digest)) throw bad(file, `blob ${path} is missing`);
      for (const m of plan.manifests.slice(0, -1)) await deps.manifests.put(t, m.digest, m.body, m.mediaType);
      const top = plan.manifests[plan.manifests.length - 1]!;
      await deps.manifests.put(t, tag, top.body, top.mediaType);
      return 'created';
    },
  };
}
