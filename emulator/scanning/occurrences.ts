// Grafeas occurrences of the scans (spec ar-fidelity §6.1, §6.3): in the image's project, one VULNERABILITY
// occurrence per (advisory × image digest) and one DISCOVERY occurrence per image holding the scan's status. Kept
// in one metadata shard per project (`meta/analysis/PROJECT`, table `occurrences`, key = the occurrence id), one
// record per occurrence (each far under the store's 1 MiB cap), with an in-memory index resourceUri → ids kept
// exact by the shard's commit hook. Ids are stable per (resourceUri, advisory) so a rescan keeps them; a rescan
// replaces an image's occurrences in one transaction.
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { MetaShard, MetaStore, ShardOp } from '../storage/meta-store.js';
import type { Finding } from './match.js';
import type { ImageInventory, InventoryPackage } from './inventory/types.js';

export const ANALYSIS_SHARD = 'analysis';
const OCCURRENCES = 'occurrences';
export const VULNZ_PROJECT = 'goog-vulnz';
export const DISCOVERY_NOTE = 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY';

/** One scan writes at most about this much (the store takes 16 MiB per transaction); findings past it are counted, not stored. */
const SCAN_BYTES = 12 << 20;
/** packageIssue entries kept per occurrence (the same advisory matching many copies of a package) */
const MAX_ISSUES = 100;

export type AnalysisStatus = 'PENDING' | 'SCANNING' | 'FINISHED_SUCCESS' | 'FINISHED_FAILED' | 'FINISHED_UNSUPPORTED';

export interface RpcStatus {
  code: number;
  message: string;
}

export interface VersionJson {
  epoch?: number;
  name?: string;
  revision?: string;
  kind: 'NORMAL' | 'MAXIMUM';
  fullName?: string;
}

export interface PackageIssue {
  affectedCpeUri?: string;
  affectedPackage: string;
  affectedVersion: VersionJson;
  fixedCpeUri?: string;
  fixedPackage: string;
  fixedVersion: VersionJson;
  fixAvailable: boolean;
  packageType: string;
  effectiveSeverity?: string;
  fileLocation: Array<{ filePath: string }>;
}

export interface Occurrence {
  name: string;
  resourceUri: string;
  noteName: string;
  kind: 'VULNERABILITY' | 'DISCOVERY';
  createTime: string;
  updateTime: string;
  vulnerability?: {
    severity?: string;
    cvssScore?: number;
    cvssVersion?: string;
    packageIssue: PackageIssue[];
    shortDescription: string;
    longDescription?: string;
    relatedUrls?: Array<{ url: string; label: string }>;
    effectiveSeverity?: string;
    fixAvailable: boolean;
    type: string;
  };
  discovery?: {
    analysisKind: 'VULNERABILITY';
    continuousAnalysis: 'ACTIVE' | 'INACTIVE';
    analysisStatus: AnalysisStatus;
    analysisStatusError?: RpcStatus;
    analysisError?: RpcStatus[];
    analysisCompleted?: { analysisType: string[] };
    lastScanTime?: string;
    cpe?: string;
  };
}

/** `https://LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE@sha256:HEX`: how Artifact Analysis names an image. */
export function imageResourceUri(ref: { project: string; location: string; repository: string }, image: string, digest: string): string {
  return `https://${ref.location}-docker.pkg.dev/${ref.project}/${ref.repository}/${image}@${digest}`;
}

/** The parts of an image resource URI; undefined when it is not one. */
export function parseImageResourceUri(uri: string): { project: string; location: string; repository: string; image: string; digest: string } | undefined {
  const m = /^(?:https:\/\/)?([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\/(.+)@(sha256:[a-f0-9]{64})$/.exec(uri);
  return m ? { location: m[1]!, project: m[2]!, repository: m[3]!, image: m[4]!, digest: m[5]! } : undefined;
}

/** A UUID-shaped id derived from what it names (stable across rescans). */
export function occurrenceId(resourceUri: string, what: string): string {
  const h = createHash('sha256').update(`${resourceUri}\u0000${what}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** `[epoch:]upstream[-revision]` as Grafeas' Version (OS packages); other ecosystems keep the whole version as its name. */
export function grafeasVersion(version: string, packageType: string): VersionJson {
  if (packageType !== 'OS') return { name: version, kind: 'NORMAL', fullName: version };
  let rest = version;
  let epoch: number | undefined;
  const colon = rest.indexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const out: VersionJson = { ...(epoch ? { epoch } : {}), name: dash > 0 ? rest.slice(0, dash) : rest, kind: 'NORMAL', fullName: version };
  if (dash > 0) out.revision = rest.slice(dash + 1);
  return out;
}

/** `cpe:/o:debian:debian_linux:12` and the like, for OS packages' packageIssue (what Artifact Analysis shows). */
export function osCpe(os: ImageInventory['os']): string | undefined {
  if (!os?.versionId) return undefined;
  switch (os.id) {
    case 'debian':
      return `cpe:/o:debian:debian_linux:${os.versionId.split('.')[0]}`;
    case 'ubuntu':
      return `cpe:/o:canonical:ubuntu_linux:${os.versionId}`;
    case 'alpine':
      return `cpe:/o:alpine:alpine_linux:${os.versionId.split('.').slice(0, 2).join('.')}`;
    case 'rhel':
      return `cpe:/o:redhat:enterprise_linux:${os.versionId.split('.')[0]}`;
    case 'rocky':
      return `cpe:/o:rocky:rocky:${os.versionId.split('.')[0]}`;
    default:
      return undefined;
  }
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Builds the VULNERABILITY occurrences of one scan: findings grouped by advisory, one packageIssue per package matched. */
export function vulnerabilityOccurrences(
  project: string,
  resourceUri: string,
  inventory: ImageInventory,
  matches: ReadonlyArray<{ pkg: InventoryPackage; findings: Finding[] }>,
  now: string,
  createTimeOf: (id: string) => string | undefined,
): { occurrences: Occurrence[]; dropped: number } {
  const cpe = osCpe(inventory.os);
  const byAdvisory = new Map<string, { finding: Finding; issues: PackageIssue[]; keys: Set<string> }>();
  for (const { pkg, findings } of matches) {
    for (const f of findings) {
      let entry = byAdvisory.get(f.id);
      if (!entry) byAdvisory.set(f.id, (entry = { finding: f, issues: [], keys: new Set() }));
      const key = `${f.package.name}\u0000${f.version}\u0000${pkg.filePath}`;
      if (entry.keys.has(key) || entry.issues.length >= MAX_ISSUES) continue;
      entry.keys.add(key);
      const os = pkg.packageType === 'OS';
      entry.issues.push({
        ...(os && cpe ? { affectedCpeUri: cpe } : {}),
        affectedPackage: f.package.name,
        affectedVersion: grafeasVersion(f.version, pkg.packageType),
        ...(os && cpe ? { fixedCpeUri: cpe } : {}),
        fixedPackage: f.package.name,
        fixedVersion: f.fixedVersion !== undefined ? grafeasVersion(f.fixedVersion, pkg.packageType) : { kind: 'MAXIMUM' },
        fixAvailable: f.fixedVersion !== undefined,
        packageType: pkg.packageType,
        ...(f.severity !== 'SEVERITY_UNSPECIFIED' ? { effectiveSeverity: f.severity } : {}),
        fileLocation: [{ filePath: pkg.filePath }],
      });
    }
  }
  const occurrences: Occurrence[] = [];
  let bytes = 0;
  let dropped = 0;
  // the worst first, so a scan past the byte budget keeps what matters
  const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'MINIMAL', 'SEVERITY_UNSPECIFIED'];
  const entries = [...byAdvisory.values()].sort((a, b) => order.indexOf(a.finding.severity) - order.indexOf(b.finding.severity) || (a.finding.id < b.finding.id ? -1 : 1));
  for (const { finding: f, issues } of entries) {
    const id = occurrenceId(resourceUri, f.id);
    const severity = f.severity !== 'SEVERITY_UNSPECIFIED' ? f.severity : undefined;
    const aliases = f.aliases.filter((a) => a !== f.id);
    const long = [f.summary, aliases.length ? `Aliases: ${aliases.slice(0, 20).join(', ')}` : undefined].filter(Boolean).join('\n');
    const o: Occurrence = {
      name: `projects/${project}/occurrences/${id}`,
      resourceUri,
      noteName: `projects/${VULNZ_PROJECT}/notes/${f.id}`,
      kind: 'VULNERABILITY',
      createTime: createTimeOf(id) ?? now,
      updateTime: now,
      vulnerability: {
        ...(severity ? { severity } : {}),
        ...(f.cvssScore !== undefined ? { cvssScore: f.cvssScore, cvssVersion: f.cvssVersion } : {}),
        packageIssue: issues,
        shortDescription: f.id,
        ...(long ? { longDescription: clip(long, 4000) } : {}),
        relatedUrls: [{ url: `https://osv.dev/vulnerability/${f.id}`, label: 'More Info' }],
        ...(severity ? { effectiveSeverity: severity } : {}),
        fixAvailable: issues.some((i) => i.fixAvailable),
        type: issues[0]!.packageType,
      },
    };
    const size = JSON.stringify(o).length;
    if (bytes + size > SCAN_BYTES) {
      dropped++;
      continue;
    }
    bytes += size;
    occurrences.push(o);
  }
  return { occurrences, dropped };
}

export class OccurrenceStore {
  /** shard key → (resourceUri → occurrence ids) */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly meta: MetaStore,
    private readonly clock: Clock,
  ) {}

  private shardOf(project: string, create: boolean): MetaShard | undefined {
    const key = [ANALYSIS_SHARD, project];
    const shard = create ? this.meta.ensure(key) : this.meta.get(key);
    if (shard) this.indexOf(shard);
    return shard;
  }

  private indexOf(shard: MetaShard): Map<string, Set<string>> {
    const k = shard.key.join('\u0000');
    let index = this.indexes.get(k);
    if (index) return index;
    const built = new Map<string, Set<string>>();
    index = built;
    this.indexes.set(k, built);
    const add = (id: string, uri: string) => {
      let set = built.get(uri);
      if (!set) built.set(uri, (set = new Set()));
      set.add(id);
    };
    const uriOf = new Map<string, string>();
    for (const [id, o] of shard.entries<Occurrence>(OCCURRENCES)) {
      add(id, o.resourceUri);
      uriOf.set(id, o.resourceUri);
    }
    shard.onCommit((ops: readonly ShardOp[]) => {
      for (const op of ops) {
        if (op[1] !== OCCURRENCES) continue;
        const old = uriOf.get(op[2]);
        if (old !== undefined) {
          built.get(old)?.delete(op[2]);
          if (built.get(old)?.size === 0) built.delete(old);
          uriOf.delete(op[2]);
        }
        if (op[0] === 'p') {
          const uri = (op[3] as Occurrence).resourceUri;
          add(op[2], uri);
          uriOf.set(op[2], uri);
        }
      }
    });
    return built;
  }

  get(project: string, id: string): Occurrence | undefined {
    return this.shardOf(project, false)?.get<Occurrence>(OCCURRENCES, id);
  }

  /** Every occurrence of the project, by name. */
  list(project: string): Occurrence[] {
    const shard = this.shardOf(project, false);
    if (!shard) return [];
    return [...shard.entries<Occurrence>(OCCURRENCES)].map(([, o]) => o).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The occurrences of one image, by name. */
  ofResource(project: string, resourceUri: string): Occurrence[] {
    const shard = this.shardOf(project, false);
    if (!shard) return [];
    const ids = [...(this.indexOf(shard).get(resourceUri) ?? [])].sort();
    return ids.map((id) => shard.get<Occurrence>(OCCURRENCES, id)).filter((o): o is Occurrence => o !== undefined).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  discoveryOf(project: string, resourceUri: string): Occurrence | undefined {
    return this.get(project, occurrenceId(resourceUri, 'DISCOVERY'));
  }

  /** Sets the image's DISCOVERY occurrence (its scan status), creating it. */
  async setStatus(project: string, resourceUri: string, status: AnalysisStatus, extra: Partial<NonNullable<Occurrence['discovery']>> = {}): Promise<Occurrence> {
    const shard = this.shardOf(project, true)!;
    const now = this.clock.now().toISOString();
    const id = occurrenceId(resourceUri, 'DISCOVERY');
    return shard.transact((tx) => {
      const old = tx.get<Occurrence>(OCCURRENCES, id);
      const o = discoveryOccurrence(project, id, resourceUri, old, now, status, extra);
      tx.put(OCCURRENCES, id, o);
      return o;
    });
  }

  /**
   * Replaces the image's occurrences with a scan's: its VULNERABILITY occurrences and its DISCOVERY status, in one
   * transaction (readers see the old set or the new one).
   */
  async replace(project: string, resourceUri: string, vulnerabilities: Occurrence[], status: AnalysisStatus, extra: Partial<NonNullable<Occurrence['discovery']>>): Promise<void> {
    const shard = this.shardOf(project, true)!;
    const index = this.indexOf(shard);
    const now = this.clock.now().toISOString();
    const discoveryId = occurrenceId(resourceUri, 'DISCOVERY');
    await shard.transact((tx) => {
      const keep = new Set(vulnerabilities.map((o) => o.name.slice(o.name.lastIndexOf('/') + 1)));
      for (const id of index.get(resourceUri) ?? []) if (id !== discoveryId && !keep.has(id)) tx.delete(OCCURRENCES, id);
      for (const o of vulnerabilities) tx.put(OCCURRENCES, o.name.slice(o.name.lastIndexOf('/') + 1), o);
      tx.put(OCCURRENCES, discoveryId, discoveryOccurrence(project, discoveryId, resourceUri, tx.get<Occurrence>(OCCURRENCES, discoveryId), now, status, { ...extra, lastScanTime: now }));
    });
  }

  /** Deletes every occurrence of the image (it was deleted). */
  async removeResource(project: string, resourceUri: string): Promise<number> {
    const shard = this.shardOf(project, false);
    if (!shard) return 0;
    const ids = [...(this.indexOf(shard).get(resourceUri) ?? [])];
    if (!ids.length) return 0;
    await shard.transact((tx) => {
      for (const id of ids) tx.delete(OCCURRENCES, id);
    });
    return ids.length;
  }

  /** Deletes the occurrences of every image whose resourceUri starts with `prefix` (a repository was deleted). */
  async removePrefix(project: string, prefix: string): Promise<number> {
    const shard = this.shardOf(project, false);
    if (!shard) return 0;
    const ids = [...this.indexOf(shard)].filter(([uri]) => uri.startsWith(prefix)).flatMap(([, set]) => [...set]);
    // in transactions of at most 5,000 deletes (a journal line stays small)
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids.slice(i, i + 5000);
      await shard.transact((tx) => {
        for (const id of chunk) tx.delete(OCCURRENCES, id);
      });
    }
    return ids.length;
  }

  createTimeOf(project: string, id: string): string | undefined {
    return this.get(project, id)?.createTime;
  }
}

function discoveryOccurrence(
  project: string, id: string, resourceUri: string, old: Occurrence | undefined, now: string, status: AnalysisStatus,
  extra: Partial<NonNullable<Occurrence['discovery']>>,
): Occurrence {
  const previous = old?.discovery;
  return {
    name: `projects/${project}/occurrences/${id}`,
    resourceUri,
    noteName: DISCOVERY_NOTE,
    kind: 'DISCOVERY',
    createTime: old?.createTime ?? now,
    updateTime: now,
    discovery: {
      analysisKind: 'VULNERABILITY',
      continuousAnalysis: 'ACTIVE',
      analysisStatus: status,
      ...(previous?.lastScanTime ? { lastScanTime: previous.lastScanTime } : {}),
      ...extra,
    },
  };
}
