// Upstream fault injection and offline mode (issue 12): what the upstream client consults before every upstream
// request of a remote repository. `POST /_emulator/faults` adds a fault, `GET` lists, `DELETE` clears; `--offline`
// (and per repository through the emulator API) means no upstream is ever contacted. Times are emulator time.
import type { Clock } from '../core/clock.js';
import type { Fault } from '../core/faults.js';

export type { Fault, FaultMode } from '../core/faults.js';

/** The active faults and offline switches. One instance per emulator (no module state). */
export class UpstreamConditions {
  private readonly faults = new Map<string, Fault>();
  private readonly offlineRepos = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private perimeter: (repository: string) => string | undefined = () => undefined;

  constructor(
    private readonly clock: Clock,
    /** --offline: no repository contacts its upstream */
    private globalOffline = false,
  ) {}

  /** The fault in force for a repository now, if any (expired ones are dropped). */
  faultFor(repository: string): Fault | undefined {
    const f = this.faults.get(repository);
    if (f?.until && Date.parse(f.until) <= this.clock.now().getTime()) {
      this.faults.delete(repository);
      return undefined;
    }
    return f;
  }

  setFault(f: Fault): void {
    this.faults.set(f.repository, f);
    this.changed();
  }

  clearFaults(repository?: string): void {
    if (repository) this.faults.delete(repository);
    else this.faults.clear();
    this.changed();
  }

  listFaults(): Fault[] {
    return [...this.faults.keys()].map((r) => this.faultFor(r)).filter((f): f is Fault => f !== undefined);
  }

  /** Why VPC Service Controls keep `repository` from its upstream now (content/vpcsc.ts), if they do. */
  perimeterDenial(repository: string): string | undefined {
    return this.perimeter(repository);
  }

  /** The VPC-SC check every upstream request passes (set once by createEmulator). */
  setPerimeter(check: (repository: string) => string | undefined): void {
    this.perimeter = check;
  }

  isOffline(repository: string): boolean {
    return this.globalOffline || this.offlineRepos.has(repository);
  }

  setOffline(repository: string | undefined, offline: boolean): void {
    if (repository === undefined) this.globalOffline = offline;
    else if (offline) this.offlineRepos.add(repository);
    else this.offlineRepos.delete(repository);
    this.changed();
  }

  offlineState(): { global: boolean; repositories: string[] } {
    return { global: this.globalOffline, repositories: [...this.offlineRepos].sort() };
  }

  /** Called after every change through this object (not on expiry: callers that move the clock re-list). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
