// Yum semantics over storage. An upload reads the .rpm's headers once (never the payload), renders the package's
// primary/filelists/other fragments once and stores them as blobs beside a small file record. The repodata is
// assembled from the stored fragments on the first read after a change (no header is parsed again), compressed
// once, signed once and kept until the next change: the work of one more upload is one header and three fragments
// however many packages the repository holds (issue 15).
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { UploadedBlob } from '../../core/upload-kind.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { readRpmPackage, rpmFileName, rpmVersionId, type RpmPackage } from './rpm-package.js';
import { T, alreadyExists, fileKey, type BuiltRepodata, type FileRecord, type YumStore, type YumTarget } from './store.js';
import { REPODATA_TYPES, documentHead, documentTail, filelistsFragment, otherFragment, primaryFragment, repomdXml, type RepodataType, type RepomdEntry } from './xml.js';

/**
 * Stores a stream as a blob (the shared ingest path) and runs `then` while the new blob is held from garbage
 * collection (the caller links it in its metadata there, or nests the next write); more than `maxBytes` is UNAVAILABLE.
 */
export type BlobWriter = <R>(source: Readable, then: (blob: { digest: string; size: number }) => Promise<R>, maxBytes?: number) => Promise<R>;

export interface YumSigner { detachSign(location: string, data: string): Promise<string> }

/** What the service did, for tests that assert the work per change is bounded. */
/** the most fragment bytes kept in memory across all Yum repositories (oldest first out) */
const FRAGMENT_CACHE_BYTES = 64 << 20;

export interface YumWorkCounters { headersParsed: number; fragmentsRendered: number; repodataBuilds: number; fragmentsRead: number }

/** The YumArtifact message (yum_artifact.proto) of one stored file. */
export function yumArtifact(t: YumTarget, f: FileRecord): Record<string, unknown> {
  // the id is NAME:VERSION-RELEASE:ARCH [U: the real service's id layout is not documented]
  return { name: `${t.repository}/yumArtifacts/${encodeURIComponent(`${f.name}:${f.version}-${f.release}:${f.arch}`)}`, packageName: f.name, packageType: f.packageType, architecture: f.arch };
}

export class YumService {
  readonly counters: YumWorkCounters = { headersParsed: 0, fragmentsRendered: 0, repodataBuilds: 0, fragmentsRead: 0 };
  private readonly building = new Map<string, Promise<BuiltRepodata>>();

  constructor(
    readonly store: YumStore,
    private readonly blobs: BlobStore,
    private readonly writeBlob: BlobWriter,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly signer?: YumSigner,
  ) {}

  /** Links an uploaded .rpm (already in the blob store) into the repository; nothing is kept on any error. */
  async addRpm(t: YumTarget, blob: UploadedBlob): Promise<FileRecord> {
    const reader = await this.blobs.reader(blob.digest);
    let pkg: RpmPackage;
    try {
      pkg = await readRpmPackage(async (position, length) => {
        const buf = Buffer.alloc(length);
        let got = 0;
        while (got < length) {
          const n = await reader.read(buf.subarray(got), length - got, position + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      }, blob.size);
    } finally {
      await reader.close();
    }
    this.counters.headersParsed++;
    if (t.shard.has(T.files, fileKey(pkg))) throw alreadyExists(t, pkg);
    const sha256 = blob.digests.sha256 ?? blob.digest.replace(/^sha256:/, '');
    const now = this.clock.now();
    const href = `Packages/${pkg.name[0]!.toLowerCase()}/${rpmFileName(pkg)}`;
    const at = { sha256, href, fileTime: Math.floor(now.getTime() / 1000), packageSize: blob.size };
    const texts: Record<RepodataType, string> = { primary: primaryFragment(pkg, at), filelists: filelistsFragment(pkg, at), other: otherFragment(pkg, at) };
    this.counters.fragmentsRendered += 3;
    const fragments = {} as Record<RepodataType, string>;
    const bytes = REPODATA_TYPES.map((type) => {
      const data = Buffer.from(texts[type], 'utf8');
      fragments[type] = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      return data;
    });
    const record: FileRecord = {
      name: pkg.name, epoch: pkg.epoch, version: pkg.version, release: pkg.release, arch: pkg.arch, versionId: rpmVersionId(pkg),
      packageType: pkg.isSource ? 'SOURCE' : 'BINARY', href, digest: blob.digest, size: blob.size, sha256, md5: blob.digests.md5 ?? '',
      fragments, createTime: now.toISOString(),
    };
    const digests = REPODATA_TYPES.map((type) => fragments[type]);
    await this.blobs.hold(digests, async () => {
      for (let i = 0; i < digests.length; i++) await this.blobs.put(bytes[i]!, digests[i]!);
      await this.store.addFile(t, record);
    });
    this.events.emit('artifact.pushed', {
      repository: t.repository, format: 'YUM', package: pkg.name, version: record.versionId, kind: 'file', sizeBytes: blob.size, action: `yum upload ${fileKey(pkg)}`,
    });
    return record;
  }

  /** The repodata of the repository's current generation: built once per change, then served as stored. */
  async repodata(t: YumTarget): Promise<BuiltRepodata> {
    const generation = this.store.generation(t);
    const current = this.store.built(t)[0];
    if (current && current.generation === generation) return current;
    const key = `${t.repository}\0${generation}`;
    let p = this.building.get(key);
    if (!p) {
      p = this.build(t, generation).finally(() => this.building.delete(key));
      this.building.set(key, p);
    }
    return p;
  }

  /** The stored repodata file `repodata/NAME`, of the current or the previous generation. */
  repodataFile(t: YumTarget, name: string): (RepomdEntry & { digest: string }) | undefined {
    for (const b of this.store.built(t)) {
      const f = b.files.find((x) => x.href === `repodata/${name}`);
      if (f) return f;
    }
    return undefined;
  }

  private async build(t: YumTarget, generation: number): Promise<BuiltRepodata> {
    this.counters.repodataBuilds++;
    const files = this.store.files(t).sort((a, b) => (fileKey(a) < fileKey(b) ? -1 : 1));
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const entries: Array<RepomdEntry & { digest: string }> = [];
    // each compressed document is written while the ones before it stay held: a collection that starts meanwhile
    // cannot take them before the repodata record that references them is committed
    const writeFrom = async (i: number): Promise<BuiltRepodata> => {
      const type = REPODATA_TYPES[i];
      if (type === undefined) {
        const repomd = repomdXml(timestamp, entries);
        const asc = this.signer ? await this.signer.detachSign(t.ref.location, repomd) : undefined;
        const built: BuiltRepodata = { generation, files: [...entries], repomd, ...(asc ? { asc } : {}) };
        return this.store.saveBuilt(t, built);
      }
      const open = createHash('sha256');
      let openSize = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          open.update(chunk);
          openSize += chunk.length;
          done(null, chunk);
        },
      });
      const gz = Readable.from(this.document(type, files)).pipe(measure).pipe(createGzip({ level: 6 }));
      measure.once('error', (e) => gz.destroy(e));
      return this.writeBlob(gz, async (stored) => {
        const checksum = stored.digest.replace(/^sha256:/, '');
        entries.push({ type, checksum, openChecksum: open.digest('hex'), href: `repodata/${checksum}-${type}.xml.gz`, timestamp, size: stored.size, openSize, digest: stored.digest });
        return writeFrom(i + 1);
      });
    };
    return writeFrom(0);
  }

  /**
   * One document: the fixed head, each package's stored fragment in file-name order, the tail; handed on in
   * batches of about 64 KiB (not one small chunk per package) so the gzip stream does not pay per fragment.
   */
  private async *document(type: RepodataType, files: readonly FileRecord[]): AsyncGenerator<Buffer> {
    let batch: Buffer[] = [Buffer.from(documentHead(type, files.length), 'utf8')];
    let size = batch[0]!.length;
    for (const f of files) {
      this.counters.fragmentsRead++;
      const fragment = await this.fragment(f.fragments[type]);
      batch.push(fragment);
      size += fragment.length;
      if (size >= 64 * 1024) {
        yield Buffer.concat(batch);
        batch = [];
        size = 0;
      }
    }
    batch.push(Buffer.from(documentTail(type), 'utf8'));
    yield Buffer.concat(batch);
  }

  /**
   * A stored fragment's bytes, from a bounded in-memory cache (fragments are immutable, content-addressed and a few
   * hundred bytes each: the next build after one more upload reads them from memory, not from thousands of files).
   */
  private async fragment(digest: string): Promise<Buffer> {
    const hit = this.fragmentCache.get(digest);
    if (hit) return hit;
    const bytes = await this.blobs.read(digest);
    this.fragmentCache.set(digest, bytes);
    this.fragmentCacheBytes += bytes.length;
    for (const [k, v] of this.fragmentCache) {
      if (this.fragmentCacheBytes <= FRAGMENT_CACHE_BYTES) break;
      this.fragmentCache.delete(k);
      this.fragmentCacheBytes -= v.length;
    }
    return bytes;
  }
  private readonly fragmentCache = new Map<string, Buffer>();
  private fragmentCacheBytes = 0;

  /** Blobs the metadata references: files, fragments and the kept repodata. */
  *referencedBlobs(): Iterable<string> {
    for (const shard of this.store.all()) {
      for (const [, f] of shard.entries<FileRecord>(T.files)) {
        yield f.digest;
        yield* Object.values(f.fragments);
      }
      for (const [, b] of shard.entries<BuiltRepodata | { generation: number }>(T.index)) {
        if ('files' in b) for (const f of b.files) yield f.digest;
      }
    }
  }
}
