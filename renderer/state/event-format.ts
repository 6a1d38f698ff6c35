// How a feed event reads: its category (for filters and colour), a one-line title and a detail line. Generic:
// unknown types still show, and any event carrying {principal, permission, resource} reads as a violation.
import type { FeedEvent } from '../api/types.js';

export type EventCategory = 'push' | 'blob' | 'pull' | 'delete' | 'violation' | 'error' | 'cache' | 'scan' | 'repository' | 'server';

export const CATEGORIES: readonly { id: EventCategory; label: string }[] = [
  { id: 'push', label: 'Pushes' },
  { id: 'blob', label: 'Blobs' },
  { id: 'pull', label: 'Pulls' },
  { id: 'delete', label: 'Deletions' },
  { id: 'violation', label: 'Violations' },
  { id: 'error', label: 'Failures' },
  { id: 'cache', label: 'Cache' },
  { id: 'scan', label: 'Scans' },
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
  if (e.type.startsWith('policy.') || (str(e.data.permission) && str(e.data.principal))) return 'violation';
  if (verb === 'failed' || e.type.endsWith('.error')) return 'error';
  if (noun === 'cache') return 'cache';
  if (noun === 'scan') return 'scan';
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
  switch (category) {
    case 'violation':
      return {
        category, repository,
        title: `${str(d.principal) ?? 'someone'} denied ${str(d.permission) ?? e.type}`,
        detail: str(d.resource) ?? repository ?? '',
      };
    case 'error':
      return { category, repository, title: `${e.type}: ${str(d.code) ?? 'error'}`, detail: [target, str(d.message)].filter(Boolean).join(' · ') };
    case 'server':
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
