// Repositories: create, get, list, delete (spec ar-fidelity §1.3, §1.5, §8.3). Create and delete return
// completed long-running operations. The record lives in the repository's own metadata shard.
import type { Clock } from '../../core/clock.js';
import { EmulatorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import { assertValidParent, assertValidRepositoryId, clip, repositoryName, type RepositoryRef } from '../../core/names.js';
import {
  REPOSITORY_FORMATS, REPOSITORY_KEY, REPOSITORY_MODES, REPOSITORY_TABLE, repositoryShardKey,
  type RepositoryFormat, type RepositoryMode, type RepositoryRecord,
} from '../../core/repository.js';
import type { MetaStore } from '../../storage/meta-store.js';
import { normalizeCleanupPolicies } from './cleanup-policies.js';
import { normalizeRemoteConfig, remoteSourceOf } from './remote-config.js';
import {
  IMMUTABLE, OUTPUT_ONLY, REPOSITORY_FIELDS, UPDATABLE, assertKnownNames, camel, kmsKeyNameOf, repositoryBody, snake,
} from './repository-fields.js';
import { normalizeVirtualConfig } from './virtual-config.js';

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export class RepositoryService {
  constructor(
    private readonly meta: MetaStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
    /** formats registered beyond Artifact Registry's own enum (a format module under development, a test's toy) */
    private readonly extraFormats: readonly string[] = [],
    /** each registered format's check of a repository body being created (FormatModule.validateRepositoryConfig) */
    private readonly configValidators: ReadonlyMap<string, (config: Record<string, unknown>) => void> = new Map(),
  ) {}

  get(ref: RepositoryRef): RepositoryRecord {
    const record = this.meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!record) throw new EmulatorError('NOT_FOUND', `Requested entity was not found.`);
    return record;
  }

  private formatTable(): Record<string, number> {
    if (!this.extraFormats.length) return REPOSITORY_FORMATS;
    return { ...Object.fromEntries(this.extraFormats.map((f) => [f.toUpperCase(), -1])), ...REPOSITORY_FORMATS };
  }

  /** Repositories of a location, sorted by name. */
  list(project: string, location: string): RepositoryRecord[] {
    assertValidParent(project, location);
    return this.meta
      .list(['repos', project, location])
      .map((s) => s.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY))
      .filter((r): r is RepositoryRecord => r !== undefined)
      .sort((a, b) => (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0));
  }

  async create(project: string, location: string, repositoryId: string, body: unknown): Promise<RepositoryRecord> {
    assertValidParent(project, location);
    assertValidRepositoryId(repositoryId);
    const input = repositoryBody(asObject(body, 'repository'));
    const ref = { project, location, repository: repositoryId };
    const now = this.clock.now().toISOString();
    const disallowUnspecifiedMode = booleanOf(input.disallowUnspecifiedMode, 'repository.disallow_unspecified_mode');
    const mode = enumValue(input.mode, REPOSITORY_MODES, 'repository.mode', false) as RepositoryMode | undefined;
    if (!mode && disallowUnspecifiedMode) {
      throw fieldError('repository.mode', 'must be set (STANDARD_REPOSITORY, VIRTUAL_REPOSITORY or REMOTE_REPOSITORY) when disallow_unspecified_mode is true');
    }
    const record: RepositoryRecord = {
      ...ref,
      format: enumValue(input.format, this.formatTable(), 'repository.format', true) as RepositoryFormat,
      mode: mode ?? 'STANDARD_REPOSITORY',
      createTime: now,
      updateTime: now,
    };
    const kmsKeyName = kmsKeyNameOf(input.kmsKeyName);
    if (kmsKeyName) record.kmsKeyName = kmsKeyName;
    if (disallowUnspecifiedMode) record.disallowUnspecifiedMode = true;
    if (record.mode === 'REMOTE_REPOSITORY') {
      if (input.remoteRepositoryConfig === undefined) throw fieldError('repository.remote_repository_config', 'is required for a REMOTE_REPOSITORY');
      record.remoteRepositoryConfig = normalizeRemoteConfig(record.format, input.remoteRepositoryConfig);
    } else if (input.remoteRepositoryConfig !== undefined) {
      throw fieldError('repository.remote_repository_config', 'is only valid for a REMOTE_REPOSITORY');
    }
    if (record.mode === 'VIRTUAL_REPOSITORY') {
      if (input.virtualRepositoryConfig !== undefined) record.virtualRepositoryConfig = normalizeVirtualConfig(this.meta, record, input.virtualRepositoryConfig);
    } else if (input.virtualRepositoryConfig !== undefined) {
      throw fieldError('repository.virtual_repository_config', 'is only valid for a VIRTUAL_REPOSITORY');
    }
    this.configValidators.get(record.format)?.(input);
    if (input.description !== undefined) {
      if (typeof input.description !== 'string') throw fieldError('repository.description', 'must be a string');
      record.description = input.description;
    }
    if (input.labels !== undefined) record.labels = validateLabels(input.labels);
    if (input.cleanupPolicies !== undefined) record.cleanupPolicies = normalizeCleanupPolicies(input.cleanupPolicies);
    if (input.cleanupPolicyDryRun === true) record.cleanupPolicyDryRun = true;
    if (input.dockerConfig !== undefined) {
      if (record.format !== 'DOCKER') throw fieldError('repository.docker_config', 'is only valid for DOCKER repositories');
      record.dockerConfig = dockerConfigOf(input.dockerConfig);
    }
    if (input.vulnerabilityScanningConfig !== undefined) {
      const enablementConfig = scanningEnablement(input.vulnerabilityScanningConfig);
      record.vulnerabilityScanningConfig = enablementConfig ? { enablementConfig } : {};
    }
    if (input.mavenConfig !== undefined) {
      if (record.format !== 'MAVEN') throw fieldError('repository.maven_config', 'is only valid for MAVEN repositories');
      record.mavenConfig = mavenConfigOf(asObject(input.mavenConfig, 'repository.maven_config')); // checked by the MAVEN module's validateRepositoryConfig
    }
    if (record.format === 'DOCKER' && record.vulnerabilityScanningConfig?.enablementConfig !== 'DISABLED') {
      record.vulnerabilityScanningConfig = { ...record.vulnerabilityScanningConfig, lastEnableTime: now };
    }
    const shard = this.meta.ensure(repositoryShardKey(ref));
    await shard.transact((tx) => {
      if (tx.get(REPOSITORY_TABLE, REPOSITORY_KEY)) throw new EmulatorError('ALREADY_EXISTS', `the repository already exists`);
      tx.put(REPOSITORY_TABLE, REPOSITORY_KEY, record);
    });
    this.events.emit('repository.created', { repository: repositoryName(ref), format: record.format, mode: record.mode });
    return record;
  }

  /**
   * repositories.patch: applies the fields named by `updateMask` (`*`: every field; no mask: every field the body
   * sets). Output-only fields are ignored, in the body and in the mask (AIP-161); name, format, mode and kmsKeyName
   * may be repeated unchanged but not changed (AIP-203); names Repository does not have are refused (docs/api.md).
   */
  async update(ref: RepositoryRef, raw: Record<string, unknown>, updateMask: string[] | undefined): Promise<RepositoryRecord> {
    const body = repositoryBody(raw);
    const current = this.get(ref);
    const masked = updateMask?.map((p) => p.trim()).filter(Boolean);
    const paths = (masked?.includes('*') ? wholeResourcePaths(current) : (masked ?? Object.keys(body))).map(camel);
    const next: RepositoryRecord = { ...current };
    for (const path of paths) {
      const [top, sub] = path.split('.') as [string, string | undefined];
      const value = body[top];
      if (OUTPUT_ONLY.has(top)) continue;
      if (IMMUTABLE.has(top)) {
        if (sub) throw fieldError('update_mask', `field "${snake(top)}" has no sub-fields`);
        this.assertUnchanged(current, top, value);
        continue;
      }
      switch (top) {
        case 'description':
          if (value !== undefined && typeof value !== 'string') throw fieldError('repository.description', 'must be a string');
          next.description = (value as string | undefined) ?? '';
          break;
        case 'labels':
          next.labels = value === undefined ? {} : validateLabels(value);
          break;
        case 'dockerConfig': {
          if (current.format !== 'DOCKER') throw fieldError('repository.docker_config', 'is only valid for DOCKER repositories');
          if (sub && sub !== 'immutableTags') throw unknownMaskPath(path);
          next.dockerConfig = dockerConfigOf(value ?? {});
          break;
        }
        case 'disallowUnspecifiedMode':
          if (booleanOf(value, 'repository.disallow_unspecified_mode')) next.disallowUnspecifiedMode = true;
          else delete next.disallowUnspecifiedMode;
          break;
        case 'cleanupPolicies':
          next.cleanupPolicies = value === undefined ? {} : normalizeCleanupPolicies(value);
          break;
        case 'cleanupPolicyDryRun':
          next.cleanupPolicyDryRun = value === true;
          break;
        case 'vulnerabilityScanningConfig': {
          if (sub && sub !== 'enablementConfig') throw fieldError('update_mask', `field "${snake(path)}" cannot be updated`);
          const enablementConfig = value === undefined ? undefined : scanningEnablement(value);
          const wasOff = current.vulnerabilityScanningConfig?.enablementConfig === 'DISABLED';
          const on = enablementConfig !== 'DISABLED';
          const lastEnableTime = current.format === 'DOCKER' && on && wasOff ? this.clock.now().toISOString() : current.vulnerabilityScanningConfig?.lastEnableTime;
          next.vulnerabilityScanningConfig = { ...(enablementConfig ? { enablementConfig } : {}), ...(lastEnableTime ? { lastEnableTime } : {}) };
          break;
        }
        case 'virtualRepositoryConfig': {
          if (current.mode !== 'VIRTUAL_REPOSITORY') throw fieldError('repository.virtual_repository_config', 'is only valid for a VIRTUAL_REPOSITORY');
          if (sub && sub !== 'upstreamPolicies') throw unknownMaskPath(path);
          next.virtualRepositoryConfig = normalizeVirtualConfig(this.meta, current, value ?? {});
          break;
        }
        case 'remoteRepositoryConfig':
          if (current.mode !== 'REMOTE_REPOSITORY') throw fieldError('repository.remote_repository_config', 'is only valid for a REMOTE_REPOSITORY');
          next.remoteRepositoryConfig = this.patchedRemoteConfig(current, value, sub, path);
          break;
        case 'mavenConfig': {
          if (current.format !== 'MAVEN') throw fieldError('repository.maven_config', 'is only valid for MAVEN repositories');
          const mc = mavenConfigOf(value === undefined ? {} : asObject(value, 'repository.maven_config'));
          if (sub && sub !== 'allowSnapshotOverwrites') throw fieldError('update_mask', `field "${snake(path)}" cannot be updated`);
          if (!sub && (mc.versionPolicy ?? '') !== (current.mavenConfig?.versionPolicy ?? '')) throw fieldError('repository.maven_config.version_policy', 'cannot be changed after the repository is created');
          next.mavenConfig = { ...(current.mavenConfig?.versionPolicy ? { versionPolicy: current.mavenConfig.versionPolicy } : {}), ...(mc.allowSnapshotOverwrites ? { allowSnapshotOverwrites: true } : {}) };
          break;
        }
        default:
          if (REPOSITORY_FIELDS.has(top)) throw fieldError('update_mask', `field "${snake(path)}" cannot be updated`);
          throw unknownMaskPath(path);
      }
    }
    next.updateTime = this.clock.now().toISOString();
    const shard = this.meta.get(repositoryShardKey(ref))!;
    await shard.transact((tx) => {
      if (!tx.get(REPOSITORY_TABLE, REPOSITORY_KEY)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      tx.put(REPOSITORY_TABLE, REPOSITORY_KEY, next);
    });
    return next;
  }

  /** An immutable field under patch: the same value (enums in any spelling, '' = unset) passes, another is refused. */
  private assertUnchanged(current: RepositoryRecord, top: string, value: unknown): void {
    const field = `repository.${snake(top)}`;
    let same: boolean;
    if (top === 'format') same = enumValue(value, this.formatTable(), field, false) === current.format;
    else if (top === 'mode') same = (enumValue(value, REPOSITORY_MODES, field, false) ?? 'STANDARD_REPOSITORY') === current.mode;
    else if (top === 'kmsKeyName') same = (value ?? '') === (current.kmsKeyName ?? '');
    else same = value === undefined || value === repositoryName(current);
    if (same) return;
    const what = top === 'kmsKeyName' ? 'the encryption key (kms_key_name)' : `the ${snake(top)}`;
    throw fieldError(field, `${what} of a repository cannot be changed after it is created`);
  }

  /**
   * remoteRepositoryConfig under patch: description, upstreamCredentials and disableUpstreamValidation may change
   * (the whole config, or one of them by mask); the upstream source may not (INVALID_ARGUMENT naming it, like the
   * other fields that cannot change after create: docs/remote.md).
   */
  private patchedRemoteConfig(current: RepositoryRecord, value: unknown, sub: string | undefined, path: string): Record<string, unknown> {
    const before = current.remoteRepositoryConfig ?? {};
    const source = remoteSourceOf(before);
    const given = value === undefined ? {} : asObject(value, 'repository.remote_repository_config');
    let candidate: Record<string, unknown>;
    if (sub) {
      if (!['description', 'upstreamCredentials', 'disableUpstreamValidation'].includes(sub)) {
        throw fieldError(`repository.remote_repository_config.${snake(sub)}`, 'cannot be changed after the repository is created');
      }
      if (path.split('.').length > 2) throw fieldError('update_mask', `field "${snake(path)}" cannot be updated on its own: name remote_repository_config.${snake(sub)}`);
      candidate = { ...before };
      if (given[sub] === undefined) delete candidate[sub];
      else candidate[sub] = given[sub];
    } else {
      candidate = { ...given };
      // a whole config without a source keeps the current one (the source cannot change anyway)
      if (source && remoteSourceOf(candidate) === undefined) candidate[source] = before[source];
    }
    const next = normalizeRemoteConfig(current.format, candidate);
    const nextSource = remoteSourceOf(next);
    if (nextSource !== source || JSON.stringify(next[nextSource!]) !== JSON.stringify(source ? before[source] : undefined)) {
      throw fieldError(`repository.remote_repository_config.${snake(nextSource ?? source ?? 'upstream')}`, 'the upstream of a remote repository cannot be changed after the repository is created');
    }
    return next;
  }

  async delete(ref: RepositoryRef): Promise<void> {
    this.get(ref);
    await this.meta.drop(repositoryShardKey(ref));
    this.events.emit('repository.deleted', { repository: repositoryName(ref) });
  }
}

function validateLabels(value: unknown): Record<string, string> {
  const labels = asObject(value, 'repository.labels');
  const entries = Object.entries(labels);
  if (entries.length > 64) throw fieldError('repository.labels', `has ${entries.length} entries; at most 64 are allowed`);
  for (const [k, v] of entries) {
    if (!LABEL_KEY.test(k)) throw fieldError('repository.labels', `key "${clip(k)}" must start with a lowercase letter and use only lowercase letters, digits, "_" and "-" (at most 63 characters)`);
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) throw fieldError('repository.labels', `value of "${clip(k)}" must use only lowercase letters, digits, "_" and "-" (at most 63 characters)`);
  }
  return labels as Record<string, string>;
}

/** Enum input: a name in any case, or its number. Canonical upper-case name out. */
/** `vulnerabilityScanningConfig.enablementConfig` (INHERITED, DISABLED; unspecified = undefined); output-only fields are ignored. */
function scanningEnablement(value: unknown): 'INHERITED' | 'DISABLED' | undefined {
  const config = asObject(value, 'repository.vulnerability_scanning_config');
  assertKnownNames(config, ['enablementConfig', 'lastEnableTime', 'enablementState', 'enablementStateReason'], 'repository.vulnerability_scanning_config');
  return enumValue(config.enablementConfig ?? config.enablement_config, { ENABLEMENT_CONFIG_UNSPECIFIED: 0, INHERITED: 1, DISABLED: 2 }, 'repository.vulnerability_scanning_config.enablement_config', false) as
    | 'INHERITED' | 'DISABLED' | undefined;
}

function enumValue(value: unknown, table: Record<string, number>, field: string, required: boolean): string | undefined {
  if (value === undefined || value === null || value === '' || value === 0) {
    if (required) throw fieldError(field, 'is required');
    return undefined;
  }
  if (typeof value === 'number') {
    const name = Object.entries(table).find(([, n]) => n === value)?.[0];
    if (name) return name;
  } else if (typeof value === 'string') {
    const upper = value.toUpperCase();
    if (upper in table) return upper;
    if (upper.endsWith('_UNSPECIFIED') && !required) return undefined;
  }
  throw fieldError(field, `has an unknown value "${clip(String(value))}"`);
}

/** The stored mavenConfig: versionPolicy by name (unspecified dropped), allowSnapshotOverwrites only when true. */
function mavenConfigOf(mc: Record<string, unknown>): NonNullable<RepositoryRecord['mavenConfig']> {
  const names: Record<string, 'RELEASE' | 'SNAPSHOT'> = { RELEASE: 'RELEASE', SNAPSHOT: 'SNAPSHOT', 1: 'RELEASE', 2: 'SNAPSHOT' };
  const policy = names[String(mc.versionPolicy ?? '').toUpperCase()];
  return { ...(policy ? { versionPolicy: policy } : {}), ...(mc.allowSnapshotOverwrites === true ? { allowSnapshotOverwrites: true } : {}) };
}

/** The paths of an update mask `*` (AIP-134 full replacement): every field, the format and mode configs of this repository's. */
function wholeResourcePaths(r: RepositoryRecord): string[] {
  const onlyFor: Record<string, boolean> = {
    dockerConfig: r.format === 'DOCKER', mavenConfig: r.format === 'MAVEN',
    virtualRepositoryConfig: r.mode === 'VIRTUAL_REPOSITORY', remoteRepositoryConfig: r.mode === 'REMOTE_REPOSITORY',
  };
  return [...IMMUTABLE, ...UPDATABLE].filter((f) => onlyFor[f] ?? true);
}

/** dockerConfig: `immutableTags` (a boolean); stored only when true. */
function dockerConfigOf(value: unknown): NonNullable<RepositoryRecord['dockerConfig']> {
  const dc = asObject(value, 'repository.docker_config');
  assertKnownNames(dc, ['immutableTags'], 'repository.docker_config');
  const immutableTags = dc.immutableTags ?? dc.immutable_tags;
  if (immutableTags !== undefined && typeof immutableTags !== 'boolean') throw fieldError('repository.docker_config.immutable_tags', 'must be a boolean');
  return immutableTags ? { immutableTags: true } : {};
}

function booleanOf(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw fieldError(field, 'must be a boolean');
  return value;
}

/** [U] the real text for a mask path Repository does not have is unconfirmed; this names the path and the message. */
function unknownMaskPath(path: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', `Invalid update_mask: "${clip(snake(path))}" is not a field of Repository.`, { field: 'update_mask' });
}

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fieldError(field, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function fieldError(field: string, problem: string): EmulatorError {
  return new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": ${problem}.`, { field });
}
