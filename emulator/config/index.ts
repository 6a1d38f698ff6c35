// The config file as code (docs/config.md): read and applied at start, then watched by chokidar. An edit applies
// live; an invalid edit keeps the last good state and reports `file:line:column: what is wrong` in the log, the
// feed (`config.invalid`) and GET /_emulator/config. Applies never overlap: an edit during one runs after it.
import type { ProgressFactory } from '../core/progress.js';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { MetaStore } from '../storage/meta-store.js';
import { ConfigApplier, type ApplyReport, type ConfigTarget } from './apply.js';
import { formatProblems, MAX_CONFIG_BYTES, parseConfig } from './parse.js';

export { CONFIG_SCHEMA } from './schema.js';
export { parseConfig, formatProblems, type ConfigProblem } from './parse.js';
export type { ConfigTarget } from './apply.js';

export const CONFIG_SHARD = ['config'] as const;
/** the names looked for in the working directory when no --config is given */
export const DEFAULT_CONFIG_NAMES = ['ar-emulator.yaml', 'ar-emulator.yml', 'ar-emulator.json'] as const;

export function findDefaultConfig(cwd: string): string | undefined {
  return DEFAULT_CONFIG_NAMES.map((n) => resolve(cwd, n)).find((p) => existsSync(p));
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the config file has problems:\n  ${problems.join('\n  ')}`);
  }
}

export interface ConfigStatus {
  file: string;
  /** `applied`: the file's content is the state; `invalid`: the last edit was refused and the state before it stays */
  state: 'applied' | 'invalid';
  problems: string[];
  appliedTime?: string;
  last?: ApplyReport;
}

export class ConfigFile {
  private watcher: FSWatcher | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly applier: ConfigApplier;
  readonly file: string;
  status: ConfigStatus;

  constructor(private readonly d: { file: string; target: ConfigTarget; meta: MetaStore; events: EventBus; logger: Logger; clock: Clock; progress?: ProgressFactory }) {
    this.file = resolve(d.file);
    this.applier = new ConfigApplier(d.target, d.meta.ensure([...CONFIG_SHARD]), d.progress);
    this.status = { file: this.file, state: 'applied', problems: [] };
  }

  /** Reads and applies the file now (after any apply in progress); the status says how it went. */
  apply(): Promise<ConfigStatus> {
    const run = this.chain.then(() => this.applyOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Watches the file: each change (also a replace by rename, as editors save) applies after 50 ms of quiet. */
  watch(): void {
    if (this.watcher) return;
    this.watcher = watch(this.file, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 } });
    const changed = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.apply(), 50);
    };
    this.watcher.on('add', changed).on('change', changed);
    this.watcher.on('unlink', () => this.d.logger.warn('config file removed: the state it declared stays until it is back', { file: this.file }));
    this.watcher.on('error', (err) => this.d.logger.warn('config file watch failed', { file: this.file, error: String(err) }));
  }

  /** Forgets what the file declared (a reset deleted it all), so the next apply creates everything again. */
  async forget(): Promise<void> {
    await this.chain;
    await this.applier.forget();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher?.close();
    this.watcher = undefined;
    await this.chain;
  }

  private async applyOnce(): Promise<ConfigStatus> {
    const invalid = (problems: string[]): ConfigStatus => {
      this.status = { ...this.status, state: 'invalid', problems };
      for (const p of problems) this.d.logger.warn(`config: ${p}`);
      this.d.events.emit('config.invalid', { file: this.file, problems });
      return this.status;
    };
    let text: string;
    try {
      const buf = await readFile(this.file);
      if (buf.length > MAX_CONFIG_BYTES) return invalid([`${this.file}:1:1: the file is larger than ${MAX_CONFIG_BYTES} bytes`]);
      text = buf.toString('utf8');
    } catch (err) {
      return invalid([`${this.file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
    }
    const parsed = parseConfig(text);
    if (!parsed.ok) return invalid(formatProblems(this.file, parsed.problems));
    const applied = await this.applier.apply(this.file, parsed.config);
    if (!applied.ok) return invalid(formatProblems(this.file, applied.problems));
    const r = applied.report;
    this.status = { file: this.file, state: 'applied', problems: [], appliedTime: this.d.clock.now().toISOString(), last: r };
    this.d.logger.info('config applied', { file: this.file, created: r.created.length, updated: r.updated.length, deleted: r.deleted.length, kept: r.kept.length, iamPolicies: r.iamPolicies.length });
    this.d.events.emit('config.applied', { file: this.file, created: r.created, updated: r.updated, deleted: r.deleted, kept: r.kept, iamPolicies: r.iamPolicies, serviceAccounts: r.serviceAccounts, preloaded: r.preloaded });
    return this.status;
  }
}
