// Apt semantics over storage. An upload reads the .deb's control file once (never the payload) and stores its
// Packages stanza beside a small file record. Indexes are per (component, architecture): on the first read after a
// change, only the indexes whose generation moved are assembled from the stored stanzas (nothing is parsed again),
// written plain, gzip and xz once, and the Release file is rendered from the indexes' stored hashes and signed once
// (InRelease and Release.gpg). So one more upload costs one control parse and the rebuild of the indexes it appears
// in, however many packages the repository holds (issue 15). Debian repository format:
// https://wiki.debian.org/DebianRepository/Format
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { UploadedBlob } from '../../core/upload-kind.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { debFileName, packagesStanza, parseDebControl, poolPrefix } from './control.js';
import { readDebControl } from './deb-package.js';
import { T, alreadyExists, indexKey, type AptStore, type AptTarget, type BuiltIndex, type BuiltRelease, type FileRecord, type IndexFile } from './store.js';

/** Bounds on a repository's layout, so its Release (kept in metadata with its signatures) stays small [U]. */
export const MAX_COMPONENTS = 8;
export const MAX_ARCHITECTURES = 16;

export interface AptSigner {
  clearsign(location: string, text: string): Promise<string>;
  detachSign(location: string, data: string): Promise<string>;
}

/** What the service did, for tests that assert the work per change is bounded. */
export interface AptWorkCounters { controlsParsed: number; indexBuilds: number; stanzasAssembled: number; releaseBuilds: number }

/** The AptArtifact message (apt_artifact.proto) of one stored file. */
export function aptArtifact(t: AptTarget, key: string, f: FileRecord): Record<string, unknown> {
  const control = f.stanza.slice(0, f.stanza.indexOf('\nFilename: ') + 1);
  // the id is the pool file name NAME_VERSION_ARCH.deb [U: the real service's id layout is not documented]
  return {
    name: `${t.repository}/aptArtifacts/${encodeURIComponent(key)}`, packageName: f.package, packageType: 'BINARY',
    architecture: f.architecture, component: f.component, controlFile: Buffer.from(control, 'utf8').toString('base64'),
  };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

export class AptService {
  readonly counters: AptWorkCounters = { controlsParsed: 0, indexBuilds: 0, stanzasAssembled: 0, releaseBuilds: 0 };
  private readonly building = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: AptStore,
    private readonly blobs: BlobStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly signer?: AptSigner,
  ) {}

  /** Links an uploaded .deb (already in the blob store) into the repository; nothing is kept on any error. */
  async addDeb(t: AptTarget, blob: UploadedBlob): Promise<{ key: string; file: FileRecord }> {
    const reader = await this.blobs.reader(blob.digest);
    let text: string;
    try {
      text = await readDebControl(async (position, length) => {
        const buf = Buffer.alloc(Math.max(0, Math.min(length, blob.size - position)));
        let got = 0;
        while (got < buf.length) {
          const n = await reader.read(buf.subarray(got), buf.length - got, position + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      }, blob.size);
    } finally {
      await reader.close();
    }
    const control = parseDebControl(text);
    this.counters.controlsParsed++;
    const key = debFileName(control);
    if (t.shard.has(T.files, key)) throw alreadyExists(t, key);
    const { components, architectures } = this.store.layout(t);
    if (!components.includes(control.component) && components.length >= MAX_COMPONENTS) {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid control file: ${t.repository} already has ${MAX_COMPONENTS} components; Section ${JSON.stringify(control.component)} would add one more.`);
    }
    if (control.architecture !== 'all' && !architectures.includes(control.architecture) && architectures.length >= MAX_ARCHITECTURES) {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid control file: ${t.repository} already has ${MAX_ARCHITECTURES} architectures; ${JSON.stringify(control.architecture)} would add one more.`);
    }
    const hex = blob.digests.sha256 ?? blob.digest.replace(/^sha256:/, '');
    const filename = `pool/${t.ref.repository}/${poolPrefix(control.package)}/${control.package}/${key}`;
    const file: FileRecord = {
      package: control.package, version: control.version, architecture: control.architecture, component: control.component, filename,
      digest: blob.digest, size: blob.size, sha256: hex, md5: blob.digests.md5 ?? '',
      stanza: packagesStanza(control, { filename, size: blob.size, md5: blob.digests.md5 ?? '', sha256: hex }),
      createTime: this.clock.now().toISOString(),
    };
    await this.store.addFile(t, key, file);
    this.events.emit('artifact.pushed', { repository: t.repository, format: 'APT', package: control.package, version: control.version, kind: 'file', sizeBytes: blob.size });
    return { key, file };
  }

  /** The (component, architecture) index file, current; undefined when the repository lists no such index. */
  async indexFile(t: AptTarget, component: string, arch: string, name: string): Promise<IndexFile | undefined> {
    const { components, architectures } = this.store.layout(t);
    if (!components.includes(component) || (arch !== 'all' && !architectures.includes(arch))) return undefined;
    const built = await this.index(t, indexKey(component, arch));
    return built.files.find((f) => f.name === name);
  }

  /** `by-hash/SHA256/HEX` of a (component, architecture) index: its current or previous build (Acquire-By-Hash). */
  indexFileByHash(t: AptTarget, component: string, arch: string, sha256: string): IndexFile | undefined {
    return this.store.indexByHash(t, indexKey(component, arch), sha256);
  }

  /** The signed Release of the current generation: built once per change, then served as stored. */
  async release(t: AptTarget): Promise<BuiltRelease> {
    const generation = this.store.releaseGeneration(t);
    const current = this.store.builtRelease(t);
    if (current && current.generation === generation) return current;
    return this.once(`${t.repository}\0release\0${generation}`, () => this.buildRelease(t, generation));
  }

  private async index(t: AptTarget, key: string): Promise<BuiltIndex> {
    const generation = this.store.generation(t, key);
    const current = this.store.builtIndex(t, key);
    if (current && current.generation === generation) return current;
    return this.once(`${t.repository}\0${key}\0${generation}`, () => this.buildIndex(t, key, generation));
  }

  private once<R>(key: string, build: () => Promise<R>): Promise<R> {
    let p = this.building.get(key) as Promise<R> | undefined;
    if (!p) {
      p = build().finally(() => this.building.delete(key));
      this.building.set(key, p);
    }
    return p;
  }

  private async buildIndex(t: AptTarget, key: string, generation: number): Promise<BuiltIndex> {
    this.counters.indexBuilds++;
    const slash = key.indexOf('/binary-');
    const component = key.slice(0, slash);
    const arch = key.slice(slash + '/binary-'.length);
    const stanzas: string[] = [];
    for (const [, f] of t.shard.entries<FileRecord>(T.files)) {
      if (f.component !== component || (f.architecture !== arch && f.architecture !== 'all')) continue;
      stanzas.push(f.stanza);
    }
    stanzas.sort();
    this.counters.stanzasAssembled += stanzas.length;
    const plain = Buffer.from(stanzas.join('\n'), 'utf8');
    return storeIndex(this.blobs, plain, (files) => this.store.saveIndex(t, key, { generation, files }));
  }

  private async buildRelease(t: AptTarget, generation: number): Promise<BuiltRelease> {
    this.counters.releaseBuilds++;
    const { components, architectures } = this.store.layout(t);
    const entries: Array<{ path: string; f: IndexFile }> = [];
    for (const component of components) {
      for (const arch of ['all', ...architectures]) {
        const built = await this.index(t, indexKey(component, arch));
        for (const f of built.files) entries.push({ path: `${indexKey(component, arch)}/${f.name}`, f });
      }
    }
    const release = renderRelease(t, this.clock.now(), components, architectures, entries);
    const signed = this.signer
      // the signature is over canonical (CRLF) text, so the LF form gpg writes verifies the same (RFC 4880 §7.1)
      ? { inRelease: (await this.signer.clearsign(t.ref.location, release)).replace(/\r\n/g, '\n'), releaseGpg: await this.signer.detachSign(t.ref.location, release) }
      : {};
    const built = await this.store.saveRelease(t, { generation, release, ...signed });
    return built;
  }

  /** Blobs the metadata references: the .deb files and the kept indexes. */
  *referencedBlobs(): Iterable<string> {
    for (const shard of this.store.all()) {
      for (const [, f] of shard.entries<FileRecord>(T.files)) yield f.digest;
      for (const [, b] of shard.entries<BuiltIndex | { generation: number }>(T.index)) {
        if ('files' in b) for (const f of b.files) yield f.digest;
      }
    }
  }
}

/** A Release file (Debian repository format, "Release" files) over the index files `entries` lists. */
export function renderRelease(t: AptTarget, now: Date, components: readonly string[], architectures: readonly string[], entries: ReadonlyArray<{ path: string; f: IndexFile }>): string {
  const width = Math.max(1, ...entries.map((e) => String(e.f.size).length));
  const row = (hash: string, e: { path: string; f: IndexFile }) => ` ${hash} ${String(e.f.size).padStart(width)} ${e.path}`;
  return [
    'Origin: Artifact Registry emulator',
    `Label: ${t.ref.repository}`,
    `Suite: ${t.ref.repository}`,
    `Codename: ${t.ref.repository}`,
    `Date: ${now.toUTCString().replace('GMT', 'UTC')}`,
    `Architectures: all ${architectures.join(' ')}`,
    `Components: ${components.join(' ')}`,
    // arch-all packages are listed in every architecture's index too (as the Debian archive does)
    'No-Support-for-Architecture-all: Packages',
    // apt then fetches indexes as by-hash/SHA256/HEX: an upload between its InRelease and its Packages fetch
    // cannot give it a newer index than the Release it verified
    'Acquire-By-Hash: yes',
    `Description: ${t.repository}`,
    'MD5Sum:',
    ...entries.map((e) => row(e.f.md5, e)),
    'SHA256:',
    ...entries.map((e) => row(e.f.sha256, e)),
    '',
  ].join('\n');
}

/**
 * Writes a plain Packages index as Packages, Packages.gz (gzip -9) and Packages.xz blobs, and runs `link` with
 * their records while the blobs are held from garbage collection.
 */
export async function storeIndex<R>(blobs: BlobStore, plain: Buffer, link: (files: IndexFile[]) => Promise<R>): Promise<R> {
  const encoded: Array<[IndexFile['name'], Buffer]> = [['Packages', plain], ['Packages.gz', gzipSync(plain, { level: 9 })], ['Packages.xz', await xz.compress(plain)]];
  const files: IndexFile[] = encoded.map(([name, data]) => ({ name, digest: `sha256:${sha256(data)}`, size: data.length, md5: md5(data), sha256: sha256(data) }));
  return blobs.hold(files.map((f) => f.digest), async () => {
    for (let i = 0; i < files.length; i++) await blobs.put(encoded[i]![1], files[i]!.digest);
    return link(files);
  });
}
