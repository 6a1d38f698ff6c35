// How a feed event reads: its category (for filters and colour), a one-line title and a detail line. Generic:
// unknown types still show, and any event carrying {principal, permission, resource} reads as a violation.
// Policies in words: cleanup runs ("Dry run: cleanup would delete 3 versions in apps"), refusals of immutable
// tags ("user:… tried to move immutable tag v1") and moves of the virtual clock. Scans and advisory imports
// ("Scan of apps/web@sha256:… found 3 vulnerabilities, 1 critical") are all in "Scans", failed ones included.
import type { FeedEvent } from '../api/types.js';
import { formatOffset, virtualTime } from './clock-format.js';

export type EventCategory = 'push' | 'blob' | 'pull' | 'delete' | 'violation' | 'error' | 'cache' | 'scan' | 'cleanup' | 'repository' | 'server';

export const CATEGORIES: readonly { id: EventCategory; label: string }[] = [
  { id: 'push', label: 'Pushes' },
  { id: 'blob', label: 'Blobs' },
  { id: 'pull', label: 'Pulls' },
  { id: 'delete', label: 'Deletions' },
  { id: 'violation', label: 'Violations' },
  { id: 'error', label: 'Failures' },
  { id: 'cache', label: 'Cache' },
  { id: 'scan', label: 'Scans' },
  { id: 'cleanup', label: 'Cleanup' },
  { id: 'repository', label: 'Repositories' },
  { id: 'server', label: 'Server' },
];

export interface EventView {
  category: EventCategory;
  title: string;
  detail: string;
  /** the repository resource name, when the event names one (for a link) */
  repository?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export function categoryOf(e: FeedEvent): EventCategory {
  const [noun, verb] = e.type.split('.');
  if (e.type.startsWith('policy.') || e.type === 'virtual.shadowing' || (str(e.data.permission) && str(e.data.principal))) return 'violation';
  if (noun === 'scan' || noun === 'vulndb') return 'scan';
  if (noun === 'config') return verb === 'invalid' ? 'error' : 'server';
  if (verb === 'failed' || e.type.endsWith('.error')) return 'error';
  if (noun === 'cache' || noun === 'faults') return 'cache';
  if (noun === 'cleanup') return 'cleanup';
  if (noun === 'clock') return 'server';
  if (noun === 'repository') return verb === 'deleted' ? 'delete' : 'repository';
  if (noun === 'server') return 'server';
  if (e.data.kind === 'blob' && noun === 'artifact') return 'blob';
  if (verb === 'pulled') return 'pull';
  if (verb === 'deleted') return 'delete';
  return 'push';
}

/** `projects/p/locations/l/repositories/r` → `r`, keeping the whole name when it is not one. */
export function shortRepository(name: string | undefined): string {
  return name?.split('/repositories/')[1] ?? name ?? '';
}

export function shortDigest(d: string | undefined): string {
  return d && /^sha(256|512):/.test(d) ? `${d.slice(0, d.indexOf(':') + 13)}` : (d ?? '');
}

export function describeEvent(e: FeedEvent): EventView {
  const d = e.data;
  const category = categoryOf(e);
  const repository = str(d.repository);
  const repo = shortRepository(repository);
  const pkg = str(d.package);
  const target = [repo, pkg].filter(Boolean).join('/');
  const ref = str(d.tag) ?? shortDigest(str(d.version));
  const kind = str(d.kind);
  if (e.type === 'upstream.failed') return upstreamFailed(d, repository);
  if (e.type === 'faults.changed') return faultsChanged(d);
  if (e.type === 'virtual.shadowing') return virtualShadowing(d, repository);
  if (e.type === 'cache.hit' || e.type === 'cache.miss') return cacheEvent(e.type, d, repository);
  if (e.type.startsWith('scan.')) return scanEvent(e.type, d, repository);
  if (e.type === 'vulndb.imported') return vulndbImported(d);
  if (e.type === 'config.applied' || e.type === 'config.invalid') return configEvent(e.type, d);
  switch (category) {
    case 'violation':
      if (str(d.permission) === IMMUTABLE_TAGS) return immutableTagViolation(e, repository ?? str(d.resource));
      return {
        category, repository,
        title: `${str(d.principal) ?? 'someone'} denied ${str(d.permission) ?? e.type}`,
        detail: str(d.resource) ?? repository ?? '',
      };
    case 'error':
      return { category, repository, title: `${e.type}: ${str(d.code) ?? 'error'}`, detail: [target, str(d.message)].filter(Boolean).join(' · ') };
    case 'cleanup':
      return cleanupRun(d, repository);
    case 'server':
      if (e.type === 'clock.changed') return clockMoved(d);
      return { category, title: e.type === 'server.started' ? 'Emulator started' : e.type, detail: str(d.url) ?? str(d.reason) ?? '' };
    case 'repository':
      return { category, repository, title: `Repository ${repo} ${e.type.split('.')[1] ?? ''}`.trim(), detail: [str(d.format), str(d.mode)?.replace(/_REPOSITORY$/, '')].filter(Boolean).join(' · ').toLowerCase() };
    default: {
      // the format's own words when it gives them (`npm publish @scope/name@1.2.0`); Docker's wording otherwise
      const action = str(d.action);
      if (action) return { category, repository, title: action, detail: [repo, detailLine(d, false)].filter(Boolean).join(' · ') };
      const what = kind === 'blob' ? 'blob' : e.type.startsWith('tag.') ? 'tag' : kind === 'version' ? 'version' : kind === 'file' ? 'file' : 'image';
      const verb = e.type.split('.')[1] ?? e.type;
      const tags = Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === 'string') : [];
      const suffix = what === 'blob' ? '' : tags.length ? `:${tags.join(', :')}` : str(d.tag) ? `:${str(d.tag)}` : ref ? `@${ref}` : '';
      return { category, repository, title: `${capital(verb)} ${what} ${target}${suffix}`, detail: detailLine(d, what !== 'blob' && suffix.startsWith(':')) };
    }
  }
}

const IMMUTABLE_TAGS = 'dockerConfig.immutableTags';

/**
 * `virtual.shadowing`: a remote member of a virtual repository outranks a standard one holding packages of the
 * same names (at create/patch), or just answered for one (a read): a dependency-confusion risk.
 */
function virtualShadowing(d: Record<string, unknown>, repository: string | undefined): EventView {
  const packages = Array.isArray(d.packages) ? d.packages.filter((p): p is string => typeof p === 'string') : [];
  const shown = packages.slice(0, 3).join(', ') + (packages.length > 3 ? `, …and ${packages.length - 3} more` : '');
  const remote = shortRepository(str(d.remote));
  const standard = shortRepository(str(d.standard));
  const title = d.when === 'read'
    ? `Remote ${remote} answered ${shown || 'a package'} through ${shortRepository(repository)}, shadowing standard ${standard}`
    : `Dependency-confusion risk in ${shortRepository(repository)}: remote ${remote} outranks standard ${standard}`;
  return { category: 'violation', repository, title, detail: d.when === 'read' ? 'give the standard upstream the higher priority' : `${standard} holds ${shown}` };
}

/** `policy.violated` of dockerConfig.immutableTags: who tried what, on which tag or image when the event says. */
function immutableTagViolation(e: FeedEvent, repository: string | undefined): EventView {
  const d = e.data;
  const op = (str(d.operation) ?? '').replace(/^immutableTags\./, '');
  const tag = str(d.tag);
  const what =
    op === 'tag.move' ? `move immutable tag${tag ? ` ${tag}` : ''}` : op === 'tag.delete' ? `delete immutable tag${tag ? ` ${tag}` : ''}` : op === 'version.delete' ? 'delete a tagged image' : 'change an immutable tag';
  const pkg = str(d.package);
  return {
    category: 'violation',
    repository,
    title: `${str(d.principal) ?? 'someone'} tried to ${what}`,
    detail: [`${[shortRepository(repository), pkg].filter(Boolean).join('/')} has immutable tags`, str(d.digest) ?? str(d.version) ? `the tag holds ${shortDigest(str(d.digest) ?? str(d.version))}` : '', 'refused']
      .filter(Boolean)
      .join(' · '),
  };
}

/** `cleanup.completed`: what was (or in a dry run would have been) deleted, and how many versions stay. */
function cleanupRun(d: Record<string, unknown>, repository: string | undefined): EventView {
  const deleted = Array.isArray(d.deleted) ? (d.deleted as Array<Record<string, unknown>>) : [];
  const n = deleted.length;
  const repo = shortRepository(repository);
  const versions = `${n} version${n === 1 ? '' : 's'}`;
  const title = d.dryRun === true ? (n ? `Dry run: cleanup would delete ${versions} in ${repo}` : `Dry run: cleanup would delete nothing in ${repo}`) : n ? `Cleanup deleted ${versions} in ${repo}` : `Cleanup deleted nothing in ${repo}`;
  const shown = deleted.slice(0, 3).map((v) => `${str(v.package) ?? '?'}@${shortDigest(str(v.version))}${str(v.policy) ? ` (${str(v.policy)})` : ''}`);
  const more = n > 3 ? [`…and ${n - 3} more`] : [];
  const kept = typeof d.keptCount === 'number' ? [`${d.keptCount} kept`] : [];
  return { category: 'cleanup', repository, title, detail: [...shown, ...more, ...kept].join(' · ') };
}

const SCAN_REASONS: Record<string, string> = { push: 'on push', rescan: 'again: the advisory database changed', 'on-demand': 'on demand' };
const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'MINIMAL', 'SEVERITY_UNSPECIFIED'];

/** `scan.started` / `scan.completed` / `scan.failed`: which image, what the scan found (worst first) or why it failed. */
function scanEvent(type: string, d: Record<string, unknown>, repository: string | undefined): EventView {
  const image = `${[shortRepository(repository), str(d.package)].filter(Boolean).join('/')}${str(d.version) ? `@${shortDigest(str(d.version))}` : ''}`;
  if (type === 'scan.started') return { category: 'scan', repository, title: `Scanning ${image}`, detail: SCAN_REASONS[str(d.reason) ?? ''] ?? str(d.reason) ?? '' };
  if (type === 'scan.failed') return { category: 'scan', repository, title: `Scan of ${image} failed`, detail: str(d.reason) ?? '' };
  if (type !== 'scan.completed') return { category: 'scan', repository, title: `${type} ${image}`, detail: '' };
  if (d.status === 'FINISHED_UNSUPPORTED') return { category: 'scan', repository, title: `Scan of ${image}: nothing it can scan`, detail: 'unsupported image' };
  const total = typeof d.total === 'number' ? d.total : 0;
  const counts = (d.counts && typeof d.counts === 'object' ? d.counts : {}) as Record<string, unknown>;
  const entries = Object.entries(counts)
    .filter((c): c is [string, number] => typeof c[1] === 'number' && c[1] > 0)
    .sort(([a], [b]) => (SEVERITY_ORDER.indexOf(a) + 1 || 99) - (SEVERITY_ORDER.indexOf(b) + 1 || 99));
  const critical = typeof counts.CRITICAL === 'number' && counts.CRITICAL > 0 ? `, ${counts.CRITICAL} critical` : '';
  const title = total ? `Scan of ${image} found ${total} vulnerabilit${total === 1 ? 'y' : 'ies'}${critical}` : `Scan of ${image} found no vulnerabilities`;
  const parts = entries.map(([sev, n]) => `${n} ${sev === 'SEVERITY_UNSPECIFIED' ? 'unrated' : sev.toLowerCase()}`);
  if (total && typeof d.fixable === 'number') parts.push(`${d.fixable} fixable`);
  return { category: 'scan', repository, title, detail: parts.join(' · ') };
}

/** `config.applied` / `config.invalid`: what an edit of the config file changed, or why it was refused (the first problem). */
function configEvent(type: string, d: Record<string, unknown>): EventView {
  const list = (k: string) => (Array.isArray(d[k]) ? (d[k] as unknown[]) : []);
  const file = str(d.file)?.split('/').pop() ?? 'config file';
  if (type === 'config.invalid') {
    const problems = list('problems').filter((p): p is string => typeof p === 'string');
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    return { category: 'error', title: `Edit of ${file} refused: the previous state stays`, detail: `${problems[0] ?? ''}${more}` };
  }
  const parts = [['created', list('created').length], ['updated', list('updated').length], ['deleted', list('deleted').length], ['kept', list('kept').length]]
    .filter(([, n]) => (n as number) > 0)
    .map(([w, n]) => `${n} ${w}`);
  const preloaded = list('preloaded').length;
  if (preloaded) parts.push(`${preloaded} preloaded`);
  const policies = list('iamPolicies').length;
  if (policies) parts.push(`${policies} IAM polic${policies === 1 ? 'y' : 'ies'}`);
  return { category: 'server', title: `Applied ${file}`, detail: parts.length ? parts.join(' · ') : 'no changes' };
}

/** `vulndb.imported`: what an import changed; stored images are scanned again. */
function vulndbImported(d: Record<string, unknown>): EventView {
  const n = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : 0);
  const changes = [n('added') ? `${n('added')} added` : '', n('updated') ? `${n('updated')} updated` : ''].filter(Boolean).join(', ');
  return {
    category: 'scan',
    title: `Advisory database updated${changes ? `: ${changes}` : ''}`,
    detail: [typeof d.advisories === 'number' ? `${d.advisories} advisories` : '', 'stored images are scanned again'].filter(Boolean).join(' · '),
  };
}

/** `cache.hit` / `cache.miss`: `Cache hit: docker-hub/library/alpine@sha256:…` with size, latency and upstream. */
function cacheEvent(type: string, d: Record<string, unknown>, repository: string | undefined): EventView {
  const target = [shortRepository(repository), str(d.package)].filter(Boolean).join('/');
  const ref = shortDigest(str(d.version));
  const what = str(d.kind) === 'blob' ? 'blob' : str(d.kind) === 'manifest' ? 'image' : (str(d.kind) ?? 'artifact');
  const hit = type === 'cache.hit';
  const title = `${hit ? 'Cache hit' : 'Cache miss'}: ${what} ${target}${ref ? `@${ref}` : ''}`;
  const parts: string[] = [];
  if (typeof d.sizeBytes === 'number') parts.push(formatBytes(d.sizeBytes));
  if (hit) parts.push(d.stale === true ? 'served stale from the cache' : 'served from the cache');
  else parts.push(`fetched from ${str(d.upstream) ?? 'upstream'}${typeof d.latencyMs === 'number' ? ` in ${Math.round(d.latencyMs)} ms` : ''}`);
  return { category: 'cache', repository, title, detail: parts.join(' · ') };
}

/** `upstream.failed`: `Upstream of docker-hub failed: HTTP 429` and whether the cache answered instead. */
function upstreamFailed(d: Record<string, unknown>, repository: string | undefined): EventView {
  const repo = shortRepository(repository);
  const reason = str(d.reason) ?? 'failed';
  const status = typeof d.status === 'number' ? `HTTP ${d.status}` : '';
  const parts = [str(d.package) ? `${repo}/${str(d.package)}` : '', str(d.upstream) ?? '', d.served === true ? 'served from the cache instead' : 'the client got an error'];
  return { category: 'error', repository, title: `Upstream of ${repo} failed: ${status && !reason.includes(String(d.status)) ? `${status} (${reason})` : reason}`, detail: parts.filter(Boolean).join(' · ') };
}

/** `faults.changed`: the faults and offline switches in force after the change. */
function faultsChanged(d: Record<string, unknown>): EventView {
  const faults = Array.isArray(d.faults) ? (d.faults as Array<Record<string, unknown>>) : [];
  const offline = (d.offline ?? {}) as { global?: unknown; repositories?: unknown };
  const offlineRepos = Array.isArray(offline.repositories) ? offline.repositories.filter((r): r is string => typeof r === 'string') : [];
  const title = faults.length ? `${faults.length} upstream fault${faults.length === 1 ? '' : 's'} active` : 'No upstream faults';
  const parts = faults.slice(0, 3).map((f) => `${shortRepository(str(f.repository))} ${describeFaultMode(f)}`);
  if (faults.length > 3) parts.push(`…and ${faults.length - 3} more`);
  if (offline.global === true) parts.push('offline: all remote repositories');
  else if (offlineRepos.length) parts.push(`offline: ${offlineRepos.map(shortRepository).join(', ')}`);
  return { category: 'cache', title, detail: parts.join(' · ') };
}

/** `down`, `answers HTTP 429`, `slow (+1500 ms)` */
export function describeFaultMode(f: Record<string, unknown>): string {
  if (f.mode === 'status') return `answers HTTP ${typeof f.status === 'number' ? f.status : '?'}`;
  if (f.mode === 'slow') return `slow (+${typeof f.delayMs === 'number' ? f.delayMs : '?'} ms)`;
  return 'down';
}

/** `clock.changed`: where the virtual clock now stands. */
function clockMoved(d: Record<string, unknown>): EventView {
  const offset = typeof d.offsetSeconds === 'number' ? d.offsetSeconds : 0;
  const now = Date.parse(str(d.now) ?? '');
  if (!offset) return { category: 'server', title: 'Clock reset to real time', detail: '' };
  return { category: 'server', title: `Clock moved to ${Number.isFinite(now) ? virtualTime(now) : '?'}`, detail: `${formatOffset(offset)} from real time` };
}

function detailLine(d: Record<string, unknown>, withDigest: boolean): string {
  const parts: string[] = [];
  if (withDigest && str(d.version)) parts.push(shortDigest(str(d.version)));
  if (typeof d.sizeBytes === 'number') parts.push(formatBytes(d.sizeBytes));
  if (str(d.mediaType)) parts.push(str(d.mediaType)!.replace(/^application\/vnd\./, ''));
  if (str(d.kind) === 'blob' && str(d.version)) parts.push(shortDigest(str(d.version)));
  if (str(d.principal)) parts.push(`by ${str(d.principal)}`);
  return parts.join(' · ');
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
