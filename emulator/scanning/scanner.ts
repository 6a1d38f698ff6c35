// The scan pipeline (issue 13, spec ar-fidelity §6.1): every new image digest pushed to (or cached by) a Docker
// repository with scanning on is scanned once, in the background: a tag moved or a digest pushed again is not scanned
// again. Continuous analysis: when the advisory database changes (`vulndb.imported`) every stored image is scanned
// again, without a push. On demand: scanNow(). One scan at a time, from a bounded queue run on the scheduler (a scan
// never slows or fails a push); each scan reads the layers through core/image-reader.ts, extracts the inventory,
// matches every package against the database and replaces the image's occurrences (occurrences.ts) at once. The
// feed shows `scan.started`, `scan.completed` (counts by severity, the worst) and `scan.failed` (why).
import { noProgress, type ProgressFactory } from '../core/progress.js';
import { Readable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { ImageReader } from '../core/image-reader.js';
import type { Logger } from '../core/logger.js';
import { parseRepositoryName, repositoryName, type RepositoryRef } from '../core/names.js';
import { vulnerabilityScanningState, type RepositoryRecord } from '../core/repository.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Finding, InventoryItem } from './match.js';
import type { ExtractInventory, ImageInventory, InventoryPackage } from './inventory/types.js';
import { imageResourceUri, osCpe, vulnerabilityOccurrences, type Occurrence, type OccurrenceStore, type RpcStatus } from './occurrences.js';

export interface ScannerDeps {
  events: EventBus;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  store: OccurrenceStore;
  vulndb: { match(item: InventoryItem): Finding[] };
  /** the Docker format's image reader (absent: nothing is scanned) */
  images: ImageReader | undefined;
  /** the repository's record, if it exists */
  repository(ref: RepositoryRef): RepositoryRecord | undefined;
  extract: ExtractInventory;
  /** scans waiting at most (default 10,000); past it a push's scan is dropped (logged) and an on-demand one refused */
  maxQueue?: number;
  /** progress of a scan that takes more than two seconds, by layer read */
  progress?: ProgressFactory;
}

export type ScanReason = 'push' | 'rescan' | 'on-demand';

export interface ScanResult {
  resourceUri: string;
  status: 'FINISHED_SUCCESS' | 'FINISHED_FAILED' | 'FINISHED_UNSUPPORTED';
  counts: Record<string, number>;
  total: number;
  fixable: number;
  worst?: string;
  reason?: string;
  /** the VULNERABILITY occurrences stored */
  occurrences: Occurrence[];
}

interface Job {
  ref: RepositoryRef;
  image: string;
  digest: string;
  uri: string;
  reason: ScanReason;
  /** the database changed while this job ran: run it once more */
  again?: boolean;
  waiters: Array<{ resolve: (r: ScanResult) => void; reject: (e: unknown) => void }>;
}

const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'MINIMAL', 'SEVERITY_UNSPECIFIED'];
const JOB = 'vulnerability-scans';
/** How long stop() waits for the running scan. */
const STOP_WAIT_MS = 2_000;

export class Scanner {
  private readonly queue = new Map<string, Job>();
  private readonly maxQueue: number;
  private current: Promise<void> | undefined;
  private running: Job | undefined;
  private stopped = false;
  private readonly disposers: Array<() => void> = [];

  constructor(private readonly d: ScannerDeps) {
    this.maxQueue = d.maxQueue ?? 10_000;
    const pushed = (e: { data: { repository: string; format: string; package: string; version?: string; kind: string } }) => {
      if (e.data.format !== 'DOCKER' || e.data.kind !== 'manifest' || !e.data.version) return;
      this.onPushed(e.data.repository, e.data.package, e.data.version);
    };
    this.disposers.push(
      d.events.on('artifact.pushed', pushed),
      d.events.on('cache.miss', pushed),
      d.events.on('artifact.deleted', (e) => {
        if (e.data.format !== 'DOCKER' || e.data.kind !== 'manifest' || !e.data.version) return;
        const ref = parseRepositoryName(e.data.repository);
        if (ref) return this.d.store.removeResource(ref.project, imageResourceUri(ref, e.data.package, e.data.version)).then(() => undefined);
      }),
      d.events.on('repository.deleted', (e) => {
        const ref = parseRepositoryName(e.data.repository);
        if (ref) return this.d.store.removePrefix(ref.project, `https://${ref.location}-docker.pkg.dev/${ref.project}/${ref.repository}/`).then(() => undefined);
      }),
      d.events.on('vulndb.imported', () => this.rescanAll()),
    );
  }

  /** Whether a scan is queued or running. */
  get busy(): boolean {
    return this.queue.size > 0 || this.current !== undefined;
  }

  private onPushed(repository: string, image: string, digest: string): void {
    const ref = parseRepositoryName(repository);
    const record = ref && this.d.repository(ref);
    if (!ref || !record || vulnerabilityScanningState(record).state !== 'SCANNING_ACTIVE') return;
    const uri = imageResourceUri(ref, image, digest);
    // each digest once: a tag moved to it, or the same manifest pushed again, is not scanned again (spec §6.1)
    if (this.queue.has(uri) || this.d.store.discoveryOf(ref.project, uri)) return;
    if (!this.enqueue({ ref, image, digest, uri, reason: 'push', waiters: [] })) return;
    this.d.store.setStatus(ref.project, uri, 'PENDING').catch((err: unknown) => this.d.logger.warn('could not record a pending scan', { uri, err: (err as Error).message }));
  }

  /** Continuous analysis: every stored image of a repository with scanning on, again. */
  rescanAll(): void {
    const reader = this.d.images;
    if (!reader || this.stopped) return;
    let queued = 0;
    for (const img of reader.listImages()) {
      const record = this.d.repository(img.repository);
      if (!record || vulnerabilityScanningState(record).state !== 'SCANNING_ACTIVE') continue;
      const uri = imageResourceUri(img.repository, img.image, img.digest);
      const waiting = this.queue.get(uri);
      if (waiting) {
        // the running scan may have matched against the database before this change
        if (waiting === this.running) waiting.again = true;
        continue;
      }
      if (this.enqueue({ ref: img.repository, image: img.image, digest: img.digest, uri, reason: 'rescan', waiters: [] })) queued++;
    }
    if (queued) this.d.logger.info('the advisory database changed: stored images are scanned again', { images: queued });
  }

  /**
   * Scans `IMAGE@digest` now (after the scans already queued) and answers the result. NOT_FOUND when the image is not
   * stored; FAILED_PRECONDITION when the repository's scanning is off or not supported.
   */
  scanNow(ref: RepositoryRef, image: string, digest: string): Promise<ScanResult> {
    const record = this.d.repository(ref);
    if (!record) throw new EmulatorError('NOT_FOUND', `Repository ${repositoryName(ref)} was not found.`);
    const state = vulnerabilityScanningState(record);
    if (state.state !== 'SCANNING_ACTIVE') throw new EmulatorError('FAILED_PRECONDITION', `${state.reason}`);
    if (this.stopped) throw new EmulatorError('UNAVAILABLE', 'The emulator is stopping.');
    const uri = imageResourceUri(ref, image, digest);
    return new Promise<ScanResult>((resolve, reject) => {
      const waiting = this.queue.get(uri);
      if (waiting) {
        waiting.waiters.push({ resolve, reject });
        return;
      }
      if (!this.enqueue({ ref, image, digest, uri, reason: 'on-demand', waiters: [{ resolve, reject }] })) {
        reject(new EmulatorError('RESOURCE_EXHAUSTED', `${this.maxQueue} scans are already waiting; try again later.`));
      }
    });
  }

  private enqueue(job: Job): boolean {
    if (this.stopped) return false;
    if (this.queue.size >= this.maxQueue) {
      this.d.logger.warn('the scan queue is full: a scan was dropped', { uri: job.uri, waiting: this.queue.size });
      return false;
    }
    this.queue.set(job.uri, job);
    this.d.scheduler.request(JOB, 0, () => this.drain());
    return true;
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const next = this.queue.values().next();
      if (next.done) break;
      const job = next.value;
      this.running = job;
      this.current = this.run(job).then(
        (result) => job.waiters.forEach((w) => w.resolve(result)),
        (err: unknown) => {
          this.d.logger.warn('a scan failed unexpectedly', { uri: job.uri, err: (err as Error).message });
          job.waiters.forEach((w) => w.reject(err));
        },
      );
      try {
        await this.current;
      } finally {
        // removed after the run: a push of the same digest meanwhile finds it queued and is not scanned twice
        this.queue.delete(job.uri);
        this.current = undefined;
        this.running = undefined;
        if (job.again && !this.stopped) this.enqueue({ ...job, reason: 'rescan', again: false, waiters: [] });
      }
    }
  }

  private async run(job: Job): Promise<ScanResult> {
    const { ref, image, digest, uri } = job;
    const project = ref.project;
    const base = { repository: repositoryName(ref), package: image, version: digest, resourceUri: uri };
    const empty = { counts: {}, total: 0, fixable: 0, occurrences: [] as Occurrence[] };
    const reader = this.d.images;
    const record = this.d.repository(ref);
    if (!reader || !record) throw new EmulatorError('NOT_FOUND', `Repository ${repositoryName(ref)} was not found.`);
    if (job.reason !== 'on-demand' && vulnerabilityScanningState(record).state !== 'SCANNING_ACTIVE') {
      return { resourceUri: uri, status: 'FINISHED_UNSUPPORTED', reason: 'scanning is off for the repository', ...empty };
    }
    const layers = await reader.layersOf(ref, image, digest);
    if (layers.kind === 'missing') {
      await this.d.store.removeResource(project, uri);
      if (job.reason === 'on-demand') throw new EmulatorError('NOT_FOUND', `Image ${image}@${digest} was not found in ${repositoryName(ref)}.`);
      return { resourceUri: uri, status: 'FINISHED_FAILED', reason: 'the image is no longer stored', ...empty };
    }
    this.d.events.emit('scan.started', { ...base, reason: job.reason });
    await this.d.store.setStatus(project, uri, 'SCANNING');
    if (layers.kind === 'unsupported') {
      await this.d.store.replace(project, uri, [], 'FINISHED_UNSUPPORTED', { analysisStatusError: { code: 9, message: layers.reason } });
      this.d.events.emit('scan.completed', { ...base, counts: {}, total: 0, fixable: 0, status: 'FINISHED_UNSUPPORTED' });
      return { resourceUri: uri, status: 'FINISHED_UNSUPPORTED', reason: layers.reason, ...empty };
    }
    let occurrences: Occurrence[];
    let errors: RpcStatus[];
    let types: string[];
    let cpe: string | undefined;
    try {
      // progress by layer opened (the last tick once the inventory is matched); silent unless the scan is long
      const progress = (this.d.progress ?? noProgress)(`scan ${image}@${digest.slice(0, 19)}`, layers.layers.length + 1, 'layers', { afterMs: 2000 });
      const sources = layers.layers.map((l) => ({ ...l, open: async () => { progress.tick(); const s = await l.open(); return s instanceof Readable ? s : Readable.from(s); } }));
      let inventory;
      try {
        inventory = await this.d.extract(sources);
      } finally {
        progress.done();
      }
      const matches: Array<{ pkg: InventoryPackage; findings: Finding[] }> = [];
      let n = 0;
      for (const pkg of inventory.packages) {
        const item = pkg.packageType === 'OS' && pkg.release === undefined && inventory.os?.versionId ? { ...pkg, release: inventory.os.versionId } : pkg;
        const findings = this.d.vulndb.match(item);
        if (findings.length) matches.push({ pkg, findings });
        // a big inventory does not hold the event loop
        if (++n % 500 === 0) await new Promise((r) => setImmediate(r));
      }
      const now = this.d.clock.now().toISOString();
      const built = vulnerabilityOccurrences(project, uri, inventory, matches, now, (id) => this.d.store.createTimeOf(project, id));
      occurrences = built.occurrences;
      errors = inventory.warnings.slice(0, 20).map((message) => ({ code: 9, message: message.slice(0, 1000) }));
      if (built.dropped) errors.push({ code: 8, message: `${built.dropped} more findings were not stored (an image's occurrences are capped at about 12 MiB)` });
      types = [...new Set(inventory.packages.map((p) => p.packageType))].sort();
      cpe = osCpe(inventory.os);
    } catch (err) {
      const reason = ((err as Error).message || String(err)).slice(0, 1000);
      // a failed scan keeps the findings of the last good one; only the status says it failed
      await this.d.store.setStatus(project, uri, 'FINISHED_FAILED', { analysisStatusError: { code: 3, message: reason }, analysisError: [{ code: 3, message: reason }], lastScanTime: this.d.clock.now().toISOString() });
      this.d.events.emit('scan.failed', { ...base, reason });
      return { resourceUri: uri, status: 'FINISHED_FAILED', reason, ...empty };
    }
    await this.d.store.replace(project, uri, occurrences, 'FINISHED_SUCCESS', {
      ...(types.length ? { analysisCompleted: { analysisType: types } } : {}),
      ...(errors.length ? { analysisError: errors } : {}),
      ...(cpe ? { cpe } : {}),
    });
    const counts: Record<string, number> = {};
    let fixable = 0;
    for (const o of occurrences) {
      const s = o.vulnerability?.severity ?? 'SEVERITY_UNSPECIFIED';
      counts[s] = (counts[s] ?? 0) + 1;
      if (o.vulnerability?.fixAvailable) fixable++;
    }
    const worst = SEVERITY_ORDER.find((s) => counts[s]);
    this.d.events.emit('scan.completed', { ...base, counts, total: occurrences.length, fixable, ...(worst ? { worst } : {}), status: 'FINISHED_SUCCESS' });
    return { resourceUri: uri, status: 'FINISHED_SUCCESS', counts, total: occurrences.length, fixable, ...(worst ? { worst } : {}), occurrences };
  }

  /** What an image holds (its layers read again; no occurrence changes): the inventory an SBOM lists. */
  async inventoryOf(ref: RepositoryRef, image: string, digest: string): Promise<ImageInventory> {
    const layers = await this.d.images?.layersOf(ref, image, digest);
    if (!layers || layers.kind === 'missing') throw new EmulatorError('NOT_FOUND', `Image ${image}@${digest} was not found in ${repositoryName(ref)}.`);
    if (layers.kind === 'unsupported') throw new EmulatorError('FAILED_PRECONDITION', `Image ${image}@${digest} has nothing an SBOM could list: ${layers.reason}`);
    return this.d.extract(layers.layers.map((l) => ({ ...l, open: async () => { const s = await l.open(); return s instanceof Readable ? s : Readable.from(s); } })));
  }

  /** Stops taking scans, drops the queued ones and waits (a little) for the running one. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const dispose of this.disposers) dispose();
    for (const job of this.queue.values()) {
      if (this.current && job === this.queue.values().next().value) continue;
      job.waiters.forEach((w) => w.reject(new EmulatorError('UNAVAILABLE', 'The emulator stopped before the scan ran.')));
    }
    // a scan reading a big image is not waited for long: what it writes after the metadata closed fails, and is logged
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.current?.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    this.queue.clear();
  }
}
