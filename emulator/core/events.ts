// The typed event bus. Services emit after a successful commit; delivery is asynchronous and every
// subscriber is isolated (a throwing or slow subscriber never affects the request). Keeps the last N
// events so late subscribers (the SSE feed, the tray) can replay them.
import type { Logger } from './logger.js';

interface ArtifactRef {
  /** full repository resource name */
  repository: string;
  format: string;
  /** package id (the image name for Docker) */
  package: string;
  /** version id (the manifest digest for Docker) */
  version?: string;
  principal?: string;
  /**
   * What happened in the format's own words, as its client would say it (`npm publish @scope/name@1.2.0`,
   * `twine upload demo-1.0-py3-none-any.whl`); the feed, the tray and the dashboard show it when present.
   */
  action?: string;
}

/** `manifest`/`blob`: Docker; `version`: a package version (npm, Python, …); `file`: one file of a version (a tarball, a wheel). */
export type ArtifactKind = 'manifest' | 'blob' | 'version' | 'file';

export interface EmulatorEventMap {
  'server.started': { url: string; dataDir: string };
  'server.stopping': { reason: string };
  'repository.created': { repository: string; format: string; mode: string };
  'repository.deleted': { repository: string };
  'artifact.pushed': ArtifactRef & { kind: ArtifactKind; mediaType?: string; sizeBytes: number; tags?: string[] };
  'artifact.pulled': ArtifactRef & { kind: ArtifactKind; mediaType?: string; sizeBytes: number; reference?: string };
  'artifact.deleted': ArtifactRef & { kind: ArtifactKind };
  'tag.updated': ArtifactRef & { tag: string; previousVersion?: string };
  'tag.deleted': ArtifactRef & { tag: string };
  'push.failed': { repository?: string; format: string; package?: string; code: string; message: string };
  /** a cleanup run (scheduled or on demand): what it deleted, or in a dry run would have deleted */
  'cleanup.completed': { repository: string; dryRun: boolean; deleted: Array<{ package: string; version: string; policy: string }>; keptCount: number };
  /** a remote repository answered from its cache (no upstream request) */
  'cache.hit': ArtifactRef & { kind: ArtifactKind; sizeBytes: number; stale?: boolean };
  /** a remote repository fetched from its upstream (and cached what it fetched) */
  'cache.miss': ArtifactRef & { kind: ArtifactKind; sizeBytes: number; upstream: string; latencyMs: number };
  /** an upstream request failed (down, timeout, rate limit, bad digest, injected fault); `served` when the cache answered instead */
  'upstream.failed': { repository: string; format: string; package?: string; upstream: string; reason: string; status?: number; latencyMs: number; served: boolean };
  'policy.violated': {
    principal: string; permission: string; resource: string; operation: string;
    /** a deploy-policy verdict (docs/deploy-policy.md): the image, the rule, the denial text, the worst finding; dryRun when the pull went on */
    image?: string; rule?: string; message?: string; worst?: { id: string; severity: string }; dryRun?: boolean;
  };
  /** upstream faults or offline switches changed (added, cleared, expired): the state now, for the dashboard */
  'faults.changed': { faults: Array<{ repository: string; mode: string; status?: number; delayMs?: number; until?: string }>; offline: { global: boolean; repositories: string[] } };
  /**
   * A virtual repository's order puts a remote member above a standard member holding packages of the same names
   * (dependency confusion): at create/update (`when: 'config'`, the standard member's package names, a sample)
   * and when a read through the virtual repository is answered by the remote member while the standard one holds
   * that package (`when: 'read'`).
   */
  'virtual.shadowing': { repository: string; format: string; when: 'config' | 'read'; remote: string; standard: string; packages: string[]; message: string };
  /** the virtual clock moved (advance, set or reset): the new emulator time and its offset from real time */
  'clock.changed': { now: string; offsetSeconds: number };
  /** the advisory database changed (an import added or updated advisories): stored images are scanned again */
  'vulndb.imported': { added: number; updated: number; advisories: number };
  /** a vulnerability scan of an image began (`version` is the manifest digest; docs/scanning.md) */
  'scan.started': { repository: string; package: string; version: string; resourceUri: string; reason: 'push' | 'rescan' | 'on-demand' };
  /** a scan finished: findings by severity (VULNERABILITY occurrences), the worst one's severity, how many have a fix */
  'scan.completed': {
    repository: string; package: string; version: string; resourceUri: string;
    counts: Record<string, number>; total: number; fixable: number; worst?: string; status: 'FINISHED_SUCCESS' | 'FINISHED_UNSUPPORTED';
  };
  /** the config file (docs/config.md) was applied: what it created, updated, deleted, and kept although no longer declared */
  'config.applied': {
    file: string; created: string[]; updated: string[]; deleted: string[]; kept: Array<{ name: string; reason: string }>;
    iamPolicies: string[]; serviceAccounts: string[]; preloaded: string[];
  };
  /** the emulator was reset to its seeded state (POST /_emulator/reset): repositories the config created again, the config's state */
  'emulator.reset': { repositories: number; config: 'applied' | 'invalid' | 'none' };
  /** a snapshot of the data dir was written (ar-emulator export, --export-on-exit) */
  'emulator.exported': { dir: string; files: number; bytes: number };
  /** an edit of the config file was refused (the state before it stays): each problem as `file:line:column: message` */
  'config.invalid': { file: string; problems: string[] };
  /** a scan could not read the image (a corrupt layer, a decompression bomb, a missing blob): why */
  'scan.failed': { repository: string; package: string; version: string; resourceUri: string; reason: string };
}

export type EmulatorEventType = keyof EmulatorEventMap;

export interface EmulatorEvent<T extends EmulatorEventType = EmulatorEventType> {
  /** monotonically increasing per emulator instance, used as the SSE id */
  id: number;
  type: T;
  time: string;
  data: EmulatorEventMap[T];
}

export type Disposer = () => void;
type AnyHandler = (event: EmulatorEvent) => void | Promise<void>;

export class EventBus {
  private nextId = 1;
  private readonly ring: EmulatorEvent[] = [];
  private readonly handlers = new Map<string, Set<AnyHandler>>();

  constructor(
    private readonly now: () => Date,
    private readonly logger: Logger,
    private readonly replayCapacity = 500,
  ) {}

  emit<T extends EmulatorEventType>(type: T, data: EmulatorEventMap[T]): EmulatorEvent<T> {
    const event: EmulatorEvent<T> = { id: this.nextId++, type, time: this.now().toISOString(), data };
    this.ring.push(event as EmulatorEvent);
    if (this.ring.length > this.replayCapacity) this.ring.shift();
    for (const key of [type, '*']) {
      for (const handler of this.handlers.get(key) ?? []) {
        setImmediate(() => this.deliver(handler, event as EmulatorEvent));
      }
    }
    return event;
  }

  on<T extends EmulatorEventType>(type: T, handler: (event: EmulatorEvent<T>) => void | Promise<void>): Disposer {
    return this.add(type, handler as AnyHandler);
  }

  /** Every event, in order. */
  onAny(handler: (event: EmulatorEvent) => void | Promise<void>): Disposer {
    return this.add('*', handler);
  }

  /**
   * Events still held in the replay buffer with an id greater than `afterId` (and, given `wanted`, of those
   * types): the last `limit` of them, so a filtered feed's `replay=N` counts the events it will show.
   */
  replay(afterId = 0, limit = this.replayCapacity, wanted?: ReadonlySet<string>): EmulatorEvent[] {
    const events = this.ring.filter((e) => e.id > afterId && (!wanted || wanted.has(e.type)));
    return events.slice(Math.max(0, events.length - limit));
  }

  private add(key: string, handler: AnyHandler): Disposer {
    let set = this.handlers.get(key);
    if (!set) this.handlers.set(key, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  private deliver(handler: AnyHandler, event: EmulatorEvent): void {
    try {
      const result = handler(event);
      if (result && typeof (result as Promise<void>).catch === 'function') {
        (result as Promise<void>).catch((err: unknown) => this.logger.warn('event subscriber failed', { type: event.type, err }));
      }
    } catch (err) {
      this.logger.warn('event subscriber failed', { type: event.type, err });
    }
  }
}
