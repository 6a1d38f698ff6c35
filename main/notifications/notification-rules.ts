// Which emulator events become desktop notifications, and when: policy violations (IAM denials, refused
// immutable tags), failed pushes, cleanup runs that deleted something or in a dry run would have, failed upstream
// requests of remote repositories, scans that found CRITICAL vulnerabilities (pushes only when asked). Per kind, the first event shows at once; later ones within the window are grouped into
// one summary when it ends; a global cap bounds notifications per minute. Pure: the clock is injected.
import type { ShellSettings } from '../ipc/contract.js';

export type NoticeKind = 'violation' | 'failedPush' | 'cleanup' | 'push' | 'upstream' | 'shadowing' | 'critical';

/** Any emulator event (`EmulatorEvent` from emulator/index.ts fits), read generically. */
export interface ShellEvent {
  type: string;
  data: object;
}

export interface Notice {
  kind: NoticeKind;
  title: string;
  body: string;
  /** how many events this notice stands for */
  count: number;
  /** where the dashboard should go when the notice is clicked */
  route: string;
}

export interface NotificationPolicy {
  /** after a notice of a kind, further events of that kind are grouped for this long */
  groupWindowMs: number;
  /** at most this many notices in any 60 s */
  maxPerMinute: number;
}

export const DEFAULT_POLICY: NotificationPolicy = { groupWindowMs: 15_000, maxPerMinute: 4 };
const KINDS: readonly NoticeKind[] = ['violation', 'failedPush', 'cleanup', 'push', 'upstream', 'shadowing', 'critical'];

const text = (data: object, key: string): string | undefined => {
  const v = (data as Record<string, unknown>)[key];
  return typeof v === 'string' && v ? v : undefined;
};
const shortRepo = (name: string | undefined) => name?.split('/repositories/')[1] ?? name ?? '';
const IMMUTABLE_TAGS = 'dockerConfig.immutableTags';
const isImmutableTagRefusal = (e: ShellEvent) => text(e.data, 'permission') === IMMUTABLE_TAGS;
const deletedOf = (e: ShellEvent): unknown[] => {
  const d = (e.data as { deleted?: unknown }).deleted;
  return Array.isArray(d) ? d : [];
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const criticalCount = (e: ShellEvent): number => {
  const n = ((e.data as { counts?: Record<string, unknown> }).counts ?? {}).CRITICAL;
  return typeof n === 'number' ? n : 0;
};

/** `Cleanup deleted 3 versions in apps`, `Dry run: cleanup would delete 3 versions in apps`. */
function cleanupSentence(e: ShellEvent): string {
  const n = deletedOf(e).length;
  const repo = shortRepo(text(e.data, 'repository'));
  return (e.data as { dryRun?: unknown }).dryRun === true ? `Dry run: cleanup would delete ${plural(n, 'version')} in ${repo}` : `Cleanup deleted ${plural(n, 'version')} in ${repo}`;
}

export function kindOf(e: ShellEvent, s: ShellSettings): NoticeKind | undefined {
  if ((e.type === 'policy.violated' || (text(e.data, 'principal') && text(e.data, 'permission'))) && s.notifyViolations) return 'violation';
  if (e.type === 'push.failed' && s.notifyFailedPushes) return 'failedPush';
  // a virtual repository whose remote member outranks a standard one holding packages (dependency confusion)
  if (e.type === 'virtual.shadowing' && s.notifyViolations) return 'shadowing';
  // a cleanup run that deleted nothing (and would have deleted nothing) is not news
  if (e.type === 'cleanup.completed' && deletedOf(e).length > 0) return 'cleanup';
  // a remote repository's upstream failed (down, rate limit, injected fault): grouped like the rest, never one per request
  if (e.type === 'upstream.failed') return 'upstream';
  // a vulnerability scan that found CRITICAL findings (on push, on demand, or again after an advisory import)
  if (e.type === 'scan.completed' && criticalCount(e) > 0) return 'critical';
  // a Docker manifest, or a package version (npm publish, twine upload): not its files, which come with it
  if (e.type === 'artifact.pushed' && ['manifest', 'version'].includes(text(e.data, 'kind') ?? '') && s.notifyPushes) return 'push';
  return undefined;
}

const IMMUTABLE_REFUSALS: Record<string, string> = {
  'immutableTags.tag.move': 'move a tag',
  'immutableTags.tag.delete': 'delete a tag',
  'immutableTags.version.delete': 'delete a tagged image',
};

/** One line per event, used as the body of single and grouped notices. */
export function describe(kind: NoticeKind, e: ShellEvent): string {
  const d = e.data;
  // an immutable-tags refusal is no missing permission: say what was refused (operation immutableTags.tag.move, …)
  if (kind === 'violation' && isImmutableTagRefusal(e)) {
    const what = IMMUTABLE_REFUSALS[text(d, 'operation') ?? ''] ?? 'change a tag';
    return `${text(d, 'principal') ?? 'someone'} cannot ${what} in ${shortRepo(text(d, 'resource'))}: its tags are immutable`;
  }
  // a deploy-policy (Binary Authorization) verdict on a pull: the image, the rule and the worst finding (docs/deploy-policy.md)
  if (kind === 'violation' && text(d, 'permission') === 'binaryauthorization.policy') {
    const worst = (d as { worst?: { id?: unknown; severity?: unknown } }).worst;
    const finding = worst && typeof worst.id === 'string' ? `; worst finding ${worst.id} ${String(worst.severity ?? '')}`.trimEnd() : '';
    const verb = (d as { dryRun?: unknown }).dryRun === true ? 'would be denied (dry run)' : 'denied';
    return `${text(d, 'principal') ?? 'someone'}: pull of ${text(d, 'image') ?? 'an image'} ${verb} by the deploy policy's ${text(d, 'rule') ?? 'rule'}${finding}`;
  }
  // a download rule's refusal (docs/rules.md): the rule said no, no permission is missing
  if (kind === 'violation' && isRuleDenial(e)) {
    const rule = text(d, 'rule') ?? '';
    return `${text(d, 'principal') ?? 'someone'}: download denied by rule ${rule.slice(rule.lastIndexOf('/') + 1)} of ${shortRepo(text(d, 'resource'))}`;
  }
  if (kind === 'cleanup') return cleanupDetail(e);
  if (kind === 'critical') return criticalDetail(e);
  if (kind === 'upstream') return upstreamDetail(e);
  if (kind === 'shadowing') return `${shortRepo(text(d, 'repository'))}: remote ${shortRepo(text(d, 'remote'))} outranks standard ${shortRepo(text(d, 'standard'))}`;
  if (kind === 'violation') return `${text(d, 'principal') ?? 'someone'} lacks ${text(d, 'permission') ?? 'a permission'} on ${shortRepo(text(d, 'resource'))}`;
  if (kind === 'failedPush') return `${[shortRepo(text(d, 'repository')), text(d, 'package')].filter(Boolean).join('/')}: ${text(d, 'message') ?? text(d, 'code') ?? 'failed'}`;
  // the format's own words when it gives them (`npm publish @scope/name@1.2.0`), with the repository
  const action = text(d, 'action');
  if (action) return `${action} (${shortRepo(text(d, 'repository'))})`;
  const tags = (d as { tags?: unknown }).tags;
  const tag = Array.isArray(tags) && typeof tags[0] === 'string' ? `:${tags[0]}` : '';
  return `${shortRepo(text(d, 'repository'))}/${text(d, 'package') ?? ''}${tag}`;
}

/** `docker-hub: HTTP 429 (rate limited); served from the cache` — per repository and reason, so a burst reads as one line. */
function upstreamDetail(e: ShellEvent): string {
  const d = e.data as Record<string, unknown>;
  const reason = text(d, 'reason') ?? 'failed';
  const status = typeof d.status === 'number' && !reason.includes(String(d.status)) ? `HTTP ${d.status} (${reason})` : reason;
  return `${shortRepo(text(d, 'repository'))}: ${status}; ${d.served === true ? 'served from the cache' : 'the client got an error'}`;
}

/** `apps/web@sha256:0123456789ab: 2 critical, 5 in all (4 fixable)` */
function criticalDetail(e: ShellEvent): string {
  const d = e.data as Record<string, unknown>;
  const version = text(d, 'version');
  const image = `${shortRepo(text(d, 'repository'))}/${text(d, 'package') ?? ''}${version ? `@${version.slice(0, 19)}` : ''}`;
  const total = typeof d.total === 'number' ? d.total : criticalCount(e);
  const fixable = typeof d.fixable === 'number' ? ` (${d.fixable} fixable)` : '';
  return `${image}: ${criticalCount(e)} critical, ${total} in all${fixable}`;
}

/** The versions a cleanup run took (or would take), the first few, and how many it kept. */
function cleanupDetail(e: ShellEvent): string {
  const deleted = deletedOf(e) as Array<{ package?: unknown; version?: unknown }>;
  const short = (v: unknown) => (typeof v === 'string' && /^sha256:/.test(v) ? v.slice(0, 19) : String(v));
  const shown = deleted.slice(0, 3).map((v) => `${String(v.package)}@${short(v.version)}`).join(', ') + (deleted.length > 3 ? `, …and ${deleted.length - 3} more` : '');
  const kept = (e.data as { keptCount?: unknown }).keptCount;
  return typeof kept === 'number' ? `${shown}; ${kept} kept` : shown;
}

const TITLES: Record<NoticeKind, [one: string, many: (n: number) => string]> = {
  violation: ['Permission denied', (n) => `${n} permission denials`],
  failedPush: ['Push failed', (n) => `${n} pushes failed`],
  cleanup: ['Cleanup', (n) => `${n} cleanup runs`],
  push: ['Image pushed', (n) => `${n} images pushed`],
  upstream: ['Upstream failed', (n) => `${n} upstream requests failed`],
  shadowing: ['Dependency-confusion risk', (n) => `${n} dependency-confusion warnings`],
  critical: ['Critical vulnerabilities found', (n) => `${n} scans found critical vulnerabilities`],
};

/** Violations that are all refusals of immutable tags (not missing permissions). */
const IMMUTABLE_TITLES: [one: string, many: (n: number) => string] = ['Immutable tag protected', (n) => `${n} immutable-tag refusals`];
/** A deploy-policy (Binary Authorization) verdict on a pull is no missing permission either (docs/deploy-policy.md). */
const isDeployPolicyVerdict = (e: ShellEvent) => text(e.data, 'permission') === 'binaryauthorization.policy';
/** A download rule (rule.proto) refused a download: the event names the rule and the operation `download`. */
const isRuleDenial = (e: ShellEvent) => text(e.data, 'operation') === 'download' && text(e.data, 'rule') !== undefined;
const RULE_TITLES: [one: string, many: (n: number) => string] = ['Download denied by a rule', (n) => `${n} downloads denied by rules`];
const DEPLOY_POLICY_TITLES: [one: string, many: (n: number) => string] = ['Pull denied by the deploy policy', (n) => `${n} deploy-policy verdicts`];

/** Push notices that are not all Docker images: package versions (npm, Python, …), or a mix. */
const PACKAGE_PUSH_TITLES: [one: string, many: (n: number) => string] = ['Package published', (n) => `${n} artifacts pushed`];

const ROUTES: Record<NoticeKind, string> = { violation: '#/iam', failedPush: '#/feed', cleanup: '#/feed', push: '#/feed', upstream: '#/feed', shadowing: '#/feed', critical: '#/feed' };

/** `#/image/P/L/R/IMAGE/DIGEST`: the image view of a scanned image (the dashboard's route), else undefined. */
function imageRoute(e: ShellEvent): string | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/.exec(text(e.data, 'repository') ?? '');
  const pkg = text(e.data, 'package');
  const version = text(e.data, 'version');
  return m && pkg && version ? `#/image/${[m[1]!, m[2]!, m[3]!, pkg, version].map((p) => encodeURIComponent(p)).join('/')}` : undefined;
}

/** `#/repositories/P/L/R` for a repository resource name (the dashboard's route), else undefined. */
function repositoryRoute(name: string | undefined): string | undefined {
  const m = name ? /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/.exec(name) : null;
  return m ? `#/repositories/${m.slice(1, 4).map((p) => encodeURIComponent(p)).join('/')}` : undefined;
}

export class NotificationRules {
  private readonly lastShown = new Map<NoticeKind, number>();
  private readonly pending = new Map<NoticeKind, ShellEvent[]>();
  private shownAt: number[] = [];

  constructor(
    private readonly settings: () => ShellSettings,
    private readonly now: () => number,
    private readonly policy: NotificationPolicy = DEFAULT_POLICY,
  ) {}

  /** The notice to show right now for `e`, if any; otherwise `e` may be held for a later group. */
  offer(e: ShellEvent): Notice | undefined {
    const kind = kindOf(e, this.settings());
    if (!kind) return undefined;
    const now = this.now();
    const last = this.lastShown.get(kind);
    const inWindow = last !== undefined && now - last < this.policy.groupWindowMs;
    if (!inWindow && !this.pending.get(kind)?.length && this.hasBudget(now)) return this.record(kind, [e], now);
    const held = this.pending.get(kind) ?? [];
    held.push(e);
    this.pending.set(kind, held);
    return undefined;
  }

  /** Grouped notices whose window has ended (call at nextDueAt()). */
  due(): Notice[] {
    const now = this.now();
    const out: Notice[] = [];
    for (const kind of KINDS) {
      const held = this.pending.get(kind);
      if (!held?.length) continue;
      const last = this.lastShown.get(kind) ?? -Infinity;
      if (now - last < this.policy.groupWindowMs || !this.hasBudget(now)) continue;
      this.pending.delete(kind);
      out.push(this.record(kind, held, now));
    }
    return out;
  }

  /** When due() next has something to give, or undefined when nothing is held. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const kind of KINDS) {
      if (!this.pending.get(kind)?.length) continue;
      const windowEnd = (this.lastShown.get(kind) ?? -Infinity) + this.policy.groupWindowMs;
      const budgetAt = this.shownAt.length >= this.policy.maxPerMinute ? this.shownAt[0]! + 60_000 : -Infinity;
      const at = Math.max(windowEnd, budgetAt, this.now());
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  private hasBudget(now: number): boolean {
    this.shownAt = this.shownAt.filter((t) => now - t < 60_000);
    return this.shownAt.length < this.policy.maxPerMinute;
  }

  private record(kind: NoticeKind, events: ShellEvent[], now: number): Notice {
    this.lastShown.set(kind, now);
    this.shownAt.push(now);
    // a cleanup notice says what happened in its title; a group lists each run's sentence
    const line = (e: ShellEvent) => (kind === 'cleanup' && events.length > 1 ? cleanupSentence(e) : describe(kind, e));
    const lines = [...new Set(events.map(line))];
    const body = lines.slice(0, 3).join('\n') + (lines.length > 3 ? `\n…and ${lines.length - 3} more` : '');
    const [one, many] =
      kind === 'push' && !events.every((e) => text(e.data, 'kind') === 'manifest') ? PACKAGE_PUSH_TITLES
      : kind === 'violation' && events.every(isImmutableTagRefusal) ? IMMUTABLE_TITLES
      : kind === 'violation' && events.every(isDeployPolicyVerdict) ? DEPLOY_POLICY_TITLES
      : kind === 'violation' && events.every(isRuleDenial) ? RULE_TITLES
      : TITLES[kind];
    const title = events.length === 1 ? (kind === 'cleanup' ? cleanupSentence(events[0]!) : one) : many(events.length);
    const repos = new Set(events.map((e) => text(e.data, 'repository') ?? text(e.data, 'resource')));
    const images = new Set(events.map(imageRoute));
    const route = kind === 'critical' ? (images.size === 1 ? [...images][0] : undefined)
      : kind === 'cleanup' || kind === 'upstream' || kind === 'shadowing' || (kind === 'violation' && events.every(isImmutableTagRefusal)) ? (repos.size === 1 ? repositoryRoute([...repos][0]) : undefined) : undefined;
    return { kind, title, body, count: events.length, route: route ?? (kind === 'violation' && events.every(isImmutableTagRefusal) ? '#/feed' : ROUTES[kind]) };
  }
}
