// Download rules (rule.proto, issue 17): one rule per repository (empty packageId) plus one per package, each
// ALLOW or DENY with an optional CEL condition (google.type.Expr) over the download. Kept in the repository's
// shard beside its content; the control plane's Rules methods write them (control/rules-api.ts) and every
// format asks `check` before it serves a version's bytes or fetches them from an upstream (core/download-rules.ts).
//
// Precedence (docs/rules.md): the package's own rule, when its condition holds, decides; otherwise the
// repository's rule, when its condition holds; otherwise the download goes on. A condition that fails to
// evaluate does not match (and is logged), so a bad expression never widens what a DENY blocks by accident.
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import type { DownloadRequest, DownloadRules } from '../core/download-rules.js';
import { EmulatorError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { repositoryName, type RepositoryRef } from '../core/names.js';
import { repositoryShardKey } from '../core/repository.js';
import type { MetaStore } from '../storage/meta-store.js';

export const RULES_TABLE = 'rules';
export const RULE_ACTIONS = ['ACTION_UNSPECIFIED', 'ALLOW', 'DENY'] as const;
export const RULE_OPERATIONS = ['OPERATION_UNSPECIFIED', 'DOWNLOAD'] as const;

/** A google.type.Expr as stored (proto3 JSON names). */
export interface RuleCondition {
  expression: string;
  title?: string;
  description?: string;
  location?: string;
}

/** One rule as stored and returned (the Rule message in proto3 JSON, enums by name). */
export interface RuleRecord {
  name: string;
  action: (typeof RULE_ACTIONS)[number];
  operation: (typeof RULE_OPERATIONS)[number];
  condition?: RuleCondition;
  packageId?: string;
}

/** The CEL variables a condition may name (docs/rules.md): `pkg.id`, `pkg.version.id`, `pkg.tag.id`, … */
const env = new Environment({ limits: { maxAstNodes: 2000 } })
  .registerType('Version', { fields: { id: 'string', name: 'string' } })
  .registerType('Tag', { fields: { id: 'string', name: 'string' } })
  .registerType('Package', { fields: { id: 'string', name: 'string', version: 'Version', tag: 'Tag' } })
  .registerType('Repository', { fields: { id: 'string', name: 'string' } })
  .registerVariable('pkg', 'Package')
  .registerVariable('repository', 'Repository');

const MAX_EXPRESSION = 4096;
const compiled = new Map<string, ParseResult>();

/** Parses and type-checks a condition: the error text names what is wrong (INVALID_ARGUMENT on `field`). */
export function compileCondition(expression: string, field: string): ParseResult {
  const cached = compiled.get(expression);
  if (cached) return cached;
  if (expression.length > MAX_EXPRESSION) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": the expression is longer than ${MAX_EXPRESSION} characters.`, { field });
  }
  let parsed: ParseResult;
  try {
    parsed = env.parse(expression);
  } catch (err) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": ${firstLine(err)}`, { field });
  }
  const checked = parsed.check();
  if (!checked.valid) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": ${firstLine(checked.error)}`, { field });
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": the expression must be a bool, not ${checked.type}.`, { field });
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(expression, parsed);
  return parsed;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

export class DownloadRuleStore implements DownloadRules {
  constructor(private readonly meta: MetaStore, private readonly logger?: Logger) {}

  list(ref: RepositoryRef): RuleRecord[] {
    const shard = this.meta.get(repositoryShardKey(ref));
    if (!shard) return [];
    return [...shard.entries<RuleRecord>(RULES_TABLE)].map(([, r]) => r).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(ref: RepositoryRef, id: string): RuleRecord | undefined {
    return this.meta.get(repositoryShardKey(ref))?.get<RuleRecord>(RULES_TABLE, id);
  }

  /**
   * Writes `rule` under `id` in one transaction that re-checks, under the shard lock, that `id` is new (when
   * `create`) and that no other rule covers the same package (one rule per repository plus one per package).
   */
  async put(ref: RepositoryRef, id: string, rule: RuleRecord, create: boolean): Promise<RuleRecord> {
    const shard = this.meta.get(repositoryShardKey(ref));
    if (!shard) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return shard.transact((tx) => {
      const existing = tx.get<RuleRecord>(RULES_TABLE, id);
      if (create && existing) throw new EmulatorError('ALREADY_EXISTS', `Rule "${rule.name}" already exists.`);
      if (!create && !existing) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
      const pkg = rule.packageId ?? '';
      const clash = [...shard.entries<RuleRecord>(RULES_TABLE)].find(([k, r]) => k !== id && (r.packageId ?? '') === pkg);
      if (clash) {
        throw new EmulatorError('ALREADY_EXISTS', pkg
          ? `A rule for package "${pkg.slice(0, 200)}" already exists: ${clash[1].name}.`
          : `A rule for the whole repository already exists: ${clash[1].name}.`);
      }
      tx.put(RULES_TABLE, id, rule as unknown as Parameters<typeof tx.put>[2]);
      return rule;
    });
  }

  async delete(ref: RepositoryRef, id: string): Promise<void> {
    const shard = this.meta.get(repositoryShardKey(ref));
    if (!shard?.get(RULES_TABLE, id)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    await shard.transact((tx) => tx.delete(RULES_TABLE, id));
  }

  check(req: DownloadRequest): void {
    const shard = this.meta.get(repositoryShardKey(req.repository));
    if (!shard) return;
    let packageRule: RuleRecord | undefined;
    let repositoryRule: RuleRecord | undefined;
    for (const [, r] of shard.entries<RuleRecord>(RULES_TABLE)) {
      if (r.operation !== 'DOWNLOAD' && r.operation !== 'OPERATION_UNSPECIFIED') continue;
      if (!r.packageId) repositoryRule = r;
      else if (r.packageId === req.package) packageRule = r;
    }
    if (!packageRule && !repositoryRule) return;
    const decided = [packageRule, repositoryRule].find((r) => r && this.matches(r, req));
    if (decided?.action !== 'DENY') return;
    const repo = repositoryName(req.repository);
    const what = req.version ? `version "${req.version}" of package "${req.package}"` : `package "${req.package}"`;
    const message = `Download of ${what} in ${repo} is denied by rule "${decided.name}".`;
    throw new EmulatorError('PERMISSION_DENIED', message, {
      violation: {
        permission: 'artifactregistry.repositories.downloadArtifacts',
        resource: repo,
        operation: 'download',
        rule: decided.name,
        message,
      },
    });
  }

  private matches(rule: RuleRecord, req: DownloadRequest): boolean {
    const expression = rule.condition?.expression?.trim();
    if (!expression) return true;
    try {
      const result = compileCondition(expression, 'rule.condition.expression')(activation(req));
      return result === true;
    } catch (err) {
      this.logger?.warn('rule condition did not evaluate; the rule does not apply', { rule: rule.name, error: firstLine(err) });
      return false;
    }
  }
}

/** What a condition sees of a download: names as the control plane forms them. */
function activation(req: DownloadRequest) {
  const repo = repositoryName(req.repository);
  const pkgName = `${repo}/packages/${encodeURIComponent(req.package)}`;
  return {
    pkg: {
      id: req.package,
      name: pkgName,
      version: { id: req.version, name: req.version ? `${pkgName}/versions/${encodeURIComponent(req.version)}` : '' },
      tag: { id: req.tag ?? '', name: req.tag ? `${pkgName}/tags/${encodeURIComponent(req.tag)}` : '' },
    },
    repository: { id: req.repository.repository, name: repo },
  };
}
