// The reads of every repository mode: where a file comes from (a standard repository's tables; a remote's cache or
// upstream; a virtual's members in priority order, the first that has the path) and the maven-metadata.xml a client
// gets (generated from the tables; a remote's upstream copy; a virtual's members' versions merged). docs/virtual.md.
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import { membersOf, type VirtualAccess } from '../../../content/virtual.js';
import type { MetaStore } from '../../../storage/meta-store.js';
import { artifactMetadataXml, lastUpdatedOf, parseArtifactMetadata, versionMetadataXml } from '../metadata.js';
import type { MavenPath } from '../names.js';
import type { MavenPackages, MavenTarget } from './packages.js';
import { notFound, type MavenRemote } from './remote.js';
import { packageKey, type FileRecord } from './tables.js';

type FilePath = Extract<MavenPath, { kind: 'file' }>;
type MetadataPath = Exclude<MavenPath, FilePath>;

export class MavenReads {
  constructor(
    private readonly meta: MetaStore,
    private readonly packages: MavenPackages,
    private readonly remote: MavenRemote | undefined,
    private readonly access: VirtualAccess | undefined,
  ) {}

  members(t: MavenTarget): MavenTarget[] {
    return membersOf(this.meta, t.record, this.access).map((m) => this.packages.ofMember(m));
  }

  /** The file at `p` and the repository that holds it. */
  async file(t: MavenTarget, p: FilePath): Promise<{ target: MavenTarget; record: FileRecord }> {
    if (t.record.mode !== 'VIRTUAL_REPOSITORY') return { target: t, record: await this.fileIn(t, p) };
    let failure: unknown;
    for (const m of this.members(t)) {
      try {
        return { target: m, record: await this.fileIn(m, p) };
      } catch (err) {
        if (!(isEmulatorError(err) && err.code === 'NOT_FOUND')) failure ??= err;
      }
    }
    throw failure ?? notFound(p.path);
  }

  private async fileIn(t: MavenTarget, p: FilePath): Promise<FileRecord> {
    if (t.record.mode === 'REMOTE_REPOSITORY' && this.remote) return this.remote.file(t, p);
    const rec = this.packages.file(t, p.path);
    if (!rec) throw notFound(p.path);
    return rec;
  }

  /** The maven-metadata.xml at `p` as served; NOT_FOUND when nothing is known there. */
  async metadata(t: MavenTarget, p: MetadataPath): Promise<Buffer> {
    const body = await this.metadataOf(t, p);
    if (!body) throw notFound(p.path);
    return body;
  }

  private async metadataOf(t: MavenTarget, p: MetadataPath): Promise<Buffer | undefined> {
    if (t.record.mode === 'VIRTUAL_REPOSITORY') return this.virtualMetadata(t, p);
    if (t.record.mode === 'REMOTE_REPOSITORY' && this.remote) return (await this.remote.metadata(t, p)) ?? this.generated(t, p);
    return this.generated(t, p);
  }

  /** What the repository's own tables say. */
  generated(t: MavenTarget, p: MetadataPath): Buffer | undefined {
    if (p.kind === 'versionMetadata') {
      const v = this.packages.version(t, p.groupId, p.artifactId, p.version);
      if (!v) return undefined;
      return versionMetadataXml(p.groupId, p.artifactId, p.version, this.packages.filesOf(t, v).map((f) => ({ filename: f.filename, updated: lastUpdatedOf(f.updateTime) })));
    }
    const versions = this.packages.versions(t, packageKey(p.groupId, p.artifactId));
    if (!versions.length) return undefined;
    const last = versions.reduce((a, v) => (v.updateTime > a ? v.updateTime : a), '');
    return artifactMetadataXml({ groupId: p.groupId, artifactId: p.artifactId, versions: versions.map((v) => v.version), lastUpdated: lastUpdatedOf(last) });
  }

  /** Version metadata: the first member that has it. Artifact metadata: every member's versions, in member order, merged. */
  private async virtualMetadata(t: MavenTarget, p: MetadataPath): Promise<Buffer | undefined> {
    const versions: string[] = [];
    let lastUpdated = '';
    let failure: unknown;
    let any = false;
    for (const m of this.members(t)) {
      let body: Buffer | undefined;
      try {
        body = await this.metadataOf(m, p);
      } catch (err) {
        if (!(isEmulatorError(err) && err.code === 'NOT_FOUND')) failure ??= err;
        continue;
      }
      if (!body) continue;
      if (p.kind === 'versionMetadata') return body;
      let parsed: { versions: string[]; lastUpdated?: string };
      try {
        parsed = parseArtifactMetadata(body);
      } catch {
        continue;
      }
      any = true;
      for (const v of parsed.versions) if (!versions.includes(v)) versions.push(v);
      if (parsed.lastUpdated && parsed.lastUpdated > lastUpdated) lastUpdated = parsed.lastUpdated;
    }
    if (!any) {
      if (failure) throw failure;
      return undefined;
    }
    if (!versions.length) throw new EmulatorError('NOT_FOUND', `Could not find ${p.path} in this repository.`);
    return artifactMetadataXml({ groupId: p.groupId, artifactId: p.artifactId, versions, lastUpdated });
  }
}
