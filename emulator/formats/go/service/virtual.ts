// Go virtual repositories (mode VIRTUAL_REPOSITORY): reads only, over the members in priority order
// (content/virtual.ts membersOf). `@v/list` is the union of every member's list (a module may have versions in an
// internal repository and on the public proxy); a version's `.info`, `.mod` and `.zip` come from the first member,
// in that order, that has that version, so a version uploaded internally shadows a public one of the same number.
// docs/virtual.md (## Go) has the choices.
import { EmulatorError, isEmulatorError } from '../../../core/errors.js';
import { clip } from '../../../core/names.js';
import { membersOf, type VirtualAccess } from '../../../content/virtual.js';
import type { MetaStore } from '../../../storage/meta-store.js';
import { compareVersions } from '../names.js';
import type { GoModules, GoTarget, VersionRecord } from './modules.js';
import type { GoRemote } from './remote.js';

const isNotFound = (err: unknown) => isEmulatorError(err) && (err.code === 'NOT_FOUND' || err.code === 'REPOSITORY_NOT_FOUND');

export class GoVirtual {
  constructor(
    private readonly meta: MetaStore,
    private readonly access: VirtualAccess | undefined,
    private readonly modules: GoModules,
    private readonly remote: GoRemote | undefined,
  ) {}

  members(t: GoTarget): GoTarget[] {
    return membersOf(this.meta, t.record, this.access).map((m) => this.modules.ofMember(m));
  }

  /** The union of the members' version lists; NOT_FOUND when none has the module, or the first failure when every member that could have it failed. */
  async list(t: GoTarget, module: string): Promise<{ versions: string[]; stale: boolean }> {
    const all = new Set<string>();
    let stale = false;
    let found = false;
    let failure: unknown;
    for (const m of this.members(t)) {
      try {
        if (m.record.mode === 'REMOTE_REPOSITORY' && this.remote) {
          const l = await this.remote.list(m, module);
          l.versions.forEach((v) => all.add(v));
          stale ||= l.stale;
          found = true;
        } else {
          const vs = this.modules.versions(m, module);
          vs.forEach((v) => all.add(v.version));
          if (vs.length) found = true;
        }
      } catch (err) {
        if (!isNotFound(err)) failure ??= err;
      }
    }
    if (!found) {
      if (failure) throw failure;
      throw new EmulatorError('NOT_FOUND', `not found: ${clip(module)}: no versions`);
    }
    return { versions: [...all].sort(compareVersions), stale };
  }

  /** The first member that has `module@version` (with its zip when `zip`), and its record. */
  async resolve(t: GoTarget, module: string, version: string, zip: boolean): Promise<{ target: GoTarget; record: VersionRecord }> {
    let failure: unknown;
    for (const m of this.members(t)) {
      try {
        if (m.record.mode === 'REMOTE_REPOSITORY' && this.remote) return { target: m, record: await this.remote.version(m, module, version, zip) };
        const record = this.modules.version(m, module, version);
        if (record && (!zip || record.zip)) return { target: m, record };
      } catch (err) {
        if (!isNotFound(err)) failure ??= err;
      }
    }
    if (failure) throw failure;
    throw new EmulatorError('NOT_FOUND', `not found: ${clip(module)}@${clip(version)}: unknown revision ${clip(version)}`);
  }
}
