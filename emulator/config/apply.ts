// Applies a parsed config file to the running emulator through the same API a REST client uses (so a bad field
// gets the API's own message), as one unit: every create and update of this round is undone when a later one
// fails, and the state the file declared before stays. Deletes come last and touch only what the file itself
// declared before; a repository that holds artifacts is kept (they were pushed by users) and reported.
import { noProgress, type ProgressFactory } from '../core/progress.js';
import { stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { EmulatorError } from '../core/errors.js';
import type { MetaShard } from '../storage/meta-store.js';
import type { ConfigProblem, DeclaredConfig } from './parse.js';

type Json = Record<string, unknown>;

/** What applying needs from the emulator: the control plane's methods (ControlApi's) and the identities. */
export interface ConfigTarget {
  createRepository(req: { parent: string; repositoryId: string; repository: Json }): Promise<unknown>;
  updateRepository(req: { repository: Json; updateMask?: string[] }): Promise<unknown>;
  deleteRepository(req: { name: string }): Promise<unknown>;
  getRepository(req: { name: string }): Promise<Json>;
  listPackages(req: { parent: string; pageSize?: number }): Promise<{ packages?: unknown[] }>;
  getIamPolicy(req: { resource: string }): Promise<Json>;
  setIamPolicy(req: { resource: string; policy: Json }): Promise<unknown>;
  getRule(req: { name: string }): Promise<Json>;
  createRule(req: { parent: string; ruleId: string; rule: Json }): Promise<unknown>;
  updateRule(req: { rule: Json; updateMask?: string[] }): Promise<unknown>;
  deleteRule(req: { name: string }): Promise<unknown>;
  projectPolicy(project: string): Json | undefined;
  setProjectPolicy(project: string, policy: Json): Promise<unknown>;
  serviceAccountExists(email: string): boolean;
  createServiceAccount(project: string, accountId: string, displayName?: string): Promise<unknown>;
  /** a new JSON key file for the account */
  createKey(email: string): Promise<unknown>;
  /** uploads a local file into the repository through its format's upload method; `exists` when it is there already */
  preload(repository: string, file: string, metadata: Record<string, string>): Promise<'created' | 'exists'>;
}

export interface ApplyReport {
  created: string[];
  updated: string[];
  deleted: string[];
  /** declared before, gone from the file, kept: why */
  kept: Array<{ name: string; reason: string }>;
  iamPolicies: string[];
  serviceAccounts: string[];
  keyFiles: string[];
  /** preload files uploaded in this apply */
  preloaded: string[];
}

export type ApplyResult = { ok: true; report: ApplyReport } | { ok: false; problems: ConfigProblem[] };

const REPOS = 'repositories';
const POLICIES = 'iamPolicies';
const RULES = 'rules';
const RULE_MASK = ['action', 'operation', 'condition', 'package_id'];
/** Repository fields the config may not change on an existing repository */
const FIXED = new Set(['format', 'mode']);

export class ConfigApplier {
  constructor(
    private readonly target: ConfigTarget,
    /** where what the file declared is remembered (shard `config`), so a removed entry can be undone after a restart */
    private readonly shard: MetaShard,
    /** progress of the preloads (shown when they take more than a second) */
    private readonly progress: ProgressFactory = noProgress,
  ) {}

  async forget(): Promise<void> {
    await this.shard.transact((tx) => {
      for (const [k] of [...this.shard.entries(REPOS)]) tx.delete(REPOS, k);
      for (const [k] of [...this.shard.entries(POLICIES)]) tx.delete(POLICIES, k);
      for (const [k] of [...this.shard.entries(RULES)]) tx.delete(RULES, k);
    });
  }

  /** The config's file (for keyFile paths relative to it) and its parsed content. */
  async apply(file: string, config: DeclaredConfig): Promise<ApplyResult> {
    const t = this.target;
    const report: ApplyReport = { created: [], updated: [], deleted: [], kept: [], iamPolicies: [], serviceAccounts: [], keyFiles: [], preloaded: [] };
    const undo: Array<() => Promise<unknown>> = [];
    const before = new Map([...this.shard.entries<Json>(REPOS)]);
    const policiesBefore = new Map([...this.shard.entries<Json>(POLICIES)]);
    const rulesBefore = new Map([...this.shard.entries<Json>(RULES)]);
    const fail = async (line: number, message: string): Promise<ApplyResult> => {
      for (const step of undo.reverse()) await step().catch(() => undefined);
      return { ok: false, problems: [{ line, column: 1, message }] };
    };

    // Preload files must all be there and readable before anything changes.
    const preloadPath = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
    for (const p of config.preload) {
      const st = await stat(preloadPath(p.file)).catch(() => undefined);
      if (!st?.isFile() && !st?.isDirectory()) return { ok: false, problems: [{ line: p.line, column: 1, message: `preload file "${p.file}" does not exist or is not a file` }] };
      if (!config.repositories.some((r) => r.name === p.repository)) return { ok: false, problems: [{ line: p.line, column: 1, message: `preload into "${p.repository}", which this file does not declare` }] };
    }

    for (const r of config.repositories) {
      const existing = await t.getRepository({ name: r.name }).catch((err: unknown) => {
        if (err instanceof EmulatorError && (err.code === 'NOT_FOUND' || err.code === 'REPOSITORY_NOT_FOUND')) return undefined;
        throw err;
      });
      try {
        if (!existing) {
          const m = /^(projects\/[^/]+\/locations\/[^/]+)\/repositories\/([^/]+)$/.exec(r.name)!;
          await t.createRepository({ parent: m[1]!, repositoryId: m[2]!, repository: r.body });
          undo.push(() => t.deleteRepository({ name: r.name }));
          report.created.push(r.name);
          continue;
        }
        const previous = before.get(r.name);
        if (previous && same(previous, r.body)) continue;
        for (const f of FIXED) {
          const want = r.body[f] ?? (f === 'mode' ? 'STANDARD_REPOSITORY' : undefined);
          if (want !== undefined && existing[f] !== undefined && want !== existing[f]) {
            return await fail(r.line, `${r.name}: ${f} cannot change (it is ${String(existing[f])}); remove the repository from the file, delete it, then declare it again`);
          }
        }
        const mask = [...new Set([...Object.keys(r.body), ...Object.keys(previous ?? {})])].filter((k) => !FIXED.has(k));
        if (mask.length === 0) continue;
        await t.updateRepository({ repository: { ...r.body, name: r.name }, updateMask: mask });
        undo.push(() => t.updateRepository({ repository: { ...pick(existing, mask), name: r.name }, updateMask: mask }));
        report.updated.push(r.name);
      } catch (err) {
        return await fail(r.line, `${r.name}: ${messageOf(err)}`);
      }
    }

    // Download rules, after the repositories they live in (docs/rules.md); the API checks them as for a REST create.
    const notFound = (err: unknown) => err instanceof EmulatorError && (err.code === 'NOT_FOUND' || err.code === 'REPOSITORY_NOT_FOUND');
    for (const r of config.rules) {
      try {
        const existing = await t.getRule({ name: r.name }).catch((err: unknown) => {
          if (notFound(err)) return undefined;
          throw err;
        });
        if (!existing) {
          const m = /^(.+)\/rules\/([^/]+)$/.exec(r.name)!;
          await t.createRule({ parent: m[1]!, ruleId: m[2]!, rule: r.body });
          undo.push(() => t.deleteRule({ name: r.name }));
          report.created.push(r.name);
          continue;
        }
        const previous = rulesBefore.get(r.name);
        if (previous && same(previous, r.body)) continue;
        await t.updateRule({ rule: { ...r.body, name: r.name }, updateMask: RULE_MASK });
        undo.push(() => t.updateRule({ rule: existing, updateMask: RULE_MASK }));
        report.updated.push(r.name);
      } catch (err) {
        return await fail(r.line, `${r.name}: ${messageOf(err)}`);
      }
    }

    for (const p of config.iamPolicies) {
      const policy = { version: p.policy.version ?? 1, bindings: p.policy.bindings ?? [] };
      if (policiesBefore.has(p.resource) && same(policiesBefore.get(p.resource)!, policy)) continue;
      try {
        const project = /^projects\/([^/]+)$/.exec(p.resource)?.[1];
        if (project) {
          const old = t.projectPolicy(project) ?? { bindings: [] };
          await t.setProjectPolicy(project, policy);
          undo.push(() => t.setProjectPolicy(project, { version: old.version ?? 1, bindings: old.bindings ?? [] }));
        } else {
          const old = await t.getIamPolicy({ resource: p.resource });
          await t.setIamPolicy({ resource: p.resource, policy });
          undo.push(() => t.setIamPolicy({ resource: p.resource, policy: { version: old.version ?? 1, bindings: old.bindings ?? [] } }));
        }
        report.iamPolicies.push(p.resource);
      } catch (err) {
        return await fail(p.line, `iamPolicies["${p.resource}"]: ${messageOf(err)}`);
      }
    }

    // Preloads: a refused file (corrupt, wrong format) undoes the round; the repositories created in it go with
    // their files. Files preloaded into repositories that existed before stay (uploads are not taken back).
    const progress = config.preload.length ? this.progress('preload', config.preload.length, 'files', { afterMs: 1000 }) : undefined;
    for (const p of config.preload) {
      try {
        if ((await t.preload(p.repository, preloadPath(p.file), p.metadata)) === 'created') report.preloaded.push(p.file);
      } catch (err) {
        progress?.done();
        return await fail(p.line, `preload "${p.file}" into ${p.repository}: ${messageOf(err)}`);
      }
      progress?.tick();
    }
    progress?.done();

    // Nothing below fails on its own input (names were checked by the schema), so creates are not undone.
    for (const s of config.serviceAccounts) {
      const [accountId, domain] = s.email.split('@') as [string, string];
      const project = domain.replace(/\.iam\.gserviceaccount\.com$/, '');
      try {
        if (!t.serviceAccountExists(s.email)) {
          await t.createServiceAccount(project, accountId, s.displayName);
          report.serviceAccounts.push(s.email);
        }
        if (s.keyFile) {
          const path = isAbsolute(s.keyFile) ? s.keyFile : resolve(dirname(file), s.keyFile);
          const key = await t.createKey(s.email);
          // `wx`: an existing key file is the user's; it is never overwritten
          const written = await writeFile(path, `${JSON.stringify(key, null, 2)}\n`, { flag: 'wx', mode: 0o600 }).then(
            () => true,
            (err: NodeJS.ErrnoException) => {
              if (err.code === 'EEXIST') return false;
              throw err;
            },
          );
          if (written) report.keyFiles.push(path);
        }
      } catch (err) {
        return await fail(s.line, `serviceAccounts "${s.email}": ${messageOf(err)}`);
      }
    }

    // Deletes: what the file declared before and no longer does.
    const now = new Set(config.repositories.map((r) => r.name));
    for (const name of before.keys()) {
      if (now.has(name)) continue;
      try {
        const pkgs = await t.listPackages({ parent: name, pageSize: 1 });
        if (pkgs.packages?.length) {
          report.kept.push({ name, reason: 'it holds artifacts; delete it through the API to drop them' });
          continue;
        }
        await t.deleteRepository({ name });
        report.deleted.push(name);
      } catch (err) {
        if (err instanceof EmulatorError && (err.code === 'NOT_FOUND' || err.code === 'REPOSITORY_NOT_FOUND')) continue;
        report.kept.push({ name, reason: messageOf(err) });
      }
    }
    const rulesNow = new Set(config.rules.map((r) => r.name));
    for (const name of rulesBefore.keys()) {
      if (rulesNow.has(name)) continue;
      await t.deleteRule({ name }).then(() => report.deleted.push(name), (err: unknown) => {
        if (!notFound(err)) report.kept.push({ name, reason: messageOf(err) });
      });
    }
    const policyNow = new Set(config.iamPolicies.map((p) => p.resource));
    for (const resource of policiesBefore.keys()) {
      if (policyNow.has(resource)) continue;
      const project = /^projects\/([^/]+)$/.exec(resource)?.[1];
      await (project ? t.setProjectPolicy(project, { bindings: [] }) : t.setIamPolicy({ resource, policy: { bindings: [] } })).catch(() => undefined);
      report.iamPolicies.push(resource);
    }

    await this.shard.transact((tx) => {
      for (const name of before.keys()) if (!now.has(name) || report.kept.some((k) => k.name === name)) tx.delete(REPOS, name);
      for (const r of config.repositories) tx.put(REPOS, r.name, r.body);
      for (const resource of policiesBefore.keys()) tx.delete(POLICIES, resource);
      for (const p of config.iamPolicies) tx.put(POLICIES, p.resource, { version: p.policy.version ?? 1, bindings: p.policy.bindings ?? [] });
      for (const name of rulesBefore.keys()) tx.delete(RULES, name);
      for (const r of config.rules) tx.put(RULES, r.name, r.body as never);
    });
    return { ok: true, report };
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Json)[k])]));
  return v;
}

function pick(o: Json, keys: readonly string[]): Json {
  return Object.fromEntries(keys.map((k) => [k, o[k]]).filter(([, v]) => v !== undefined));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
