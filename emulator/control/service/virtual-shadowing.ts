// The dependency-confusion check of a virtual repository (issue 12): a REMOTE member asked before a STANDARD
// member that holds packages can answer for a public package of the same name as an internal one, and then
// shadows every version of it. Computed from the config and the members' package lists (the formats'
// inventories); reported at create/patch (event, log line, `Warning: 299` header) and to the dashboard.
import type { EventBus } from '../../core/events.js';
import type { ArtifactInventory } from '../../core/inventory.js';
import type { Logger } from '../../core/logger.js';
import { repositoryName } from '../../core/names.js';
import type { RepositoryRecord } from '../../core/repository.js';
import type { MetaStore } from '../../storage/meta-store.js';
import { ALLOW_ALL_VIRTUAL, membersOf, type VirtualAccess } from '../../content/virtual.js';
import type { VirtualWarningsResponse } from '../dto.js';

/** How many of the standard member's package names a warning names. */
export const SHADOWING_SAMPLE = 20;

/** One warning: the pair of members, up to SHADOWING_SAMPLE of the standard member's package names (sorted), the sentence. */
export type ShadowingWarning = VirtualWarningsResponse['warnings'][number];

export class VirtualShadowing {
  constructor(
    private readonly meta: MetaStore,
    private readonly inventories: ReadonlyMap<string, ArtifactInventory>,
    /** the members reads would ask (the service agent's readViaVirtualRepository): others cannot shadow, and their packages are not named */
    private readonly access: VirtualAccess = ALLOW_ALL_VIRTUAL,
  ) {}

  /**
   * Each (remote, standard) pair of members where the remote one is asked first and the standard one holds at
   * least one package. Only members a read would ask count (existing, and readable by the virtual repository's
   * service agent), so the warning never names packages of a repository the virtual repository cannot read.
   */
  warningsOf(record: RepositoryRecord): ShadowingWarning[] {
    if (record.mode !== 'VIRTUAL_REPOSITORY') return [];
    const members = membersOf(this.meta, record, this.access);
    const inventory = this.inventories.get(record.format);
    if (!inventory) return [];
    const out: ShadowingWarning[] = [];
    const packagesOf = new Map<string, string[]>();
    const names = (i: number) => {
      const m = members[i]!;
      let list = packagesOf.get(m.repository);
      if (!list) packagesOf.set(m.repository, (list = inventory.listPackages(m.ref).map((p) => p.id).sort()));
      return list;
    };
    members.forEach((remote, ri) => {
      if (remote.record.mode !== 'REMOTE_REPOSITORY') return;
      for (let si = ri + 1; si < members.length; si++) {
        const standard = members[si]!;
        if (standard.record.mode !== 'STANDARD_REPOSITORY') continue;
        const all = names(si);
        if (all.length === 0) continue;
        const packages = all.slice(0, SHADOWING_SAMPLE);
        const more = all.length > packages.length ? ` and ${all.length - packages.length} more` : '';
        out.push({
          repository: repositoryName(record), format: record.format,
          remote: remote.repository, remotePriority: remote.priority, standard: standard.repository, standardPriority: standard.priority,
          packages, packageCount: all.length,
          message: `remote upstream ${remote.repository} (priority ${remote.priority}) is asked before standard upstream ${standard.repository} ` +
            `(priority ${standard.priority}), which holds ${all.length} package${all.length === 1 ? '' : 's'} (${packages.join(', ')}${more}): ` +
            `a public package of the same name would shadow the internal one (dependency confusion); give the standard upstream the higher priority`,
        });
      }
    });
    return out;
  }

  /** Reports each warning of a config just stored: the feed, the log, and `warn` (the transport's header). */
  report(record: RepositoryRecord, events: EventBus, logger: Logger | undefined, warn: ((message: string) => void) | undefined): ShadowingWarning[] {
    const warnings = this.warningsOf(record);
    for (const w of warnings) {
      events.emit('virtual.shadowing', { repository: w.repository, format: w.format, when: 'config', remote: w.remote, standard: w.standard, packages: w.packages, message: w.message });
      logger?.warn('virtual repository: a remote upstream outranks a standard one that holds packages (dependency confusion)', { repository: w.repository, remote: w.remote, standard: w.standard, packages: w.packageCount });
      warn?.(`${w.repository}: ${w.message}`);
    }
    return warnings;
  }
}
