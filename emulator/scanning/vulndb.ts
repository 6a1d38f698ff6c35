// The local advisory database: OSV advisories kept in one metadata shard (`meta/vulndb`), one record per advisory
// (table `advisories`, key = the OSV id; each record is under the store's 1 MiB cap, see osv.ts toStored), with an
// in-memory index by (ecosystem, package name) for matching, kept exact by the shard's commit hook. Importing an id
// again replaces the stored copy when the new one's `modified` is newer or the same (and it differs); an older one is
// skipped. Nothing here knows HTTP: the emulator API (control/vulndb-api.ts) and the CLI go through importDocuments.
import type { Clock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import type { MetaShard, MetaStore, ShardOp } from '../storage/meta-store.js';
import { normalizePackageName, parseEcosystem, type EcosystemBase } from './ecosystems.js';
import { BODY_IMPORT_LIMITS, documentsOfBody, type ImportLimits, type SourceDocument } from './import-sources.js';
import { goModuleCandidates, matchItem, type Finding, type InventoryItem } from './match.js';
import { toStored, validateOsv, type StoredAdvisory } from './osv.js';

export const VULNDB_SHARD = ['vulndb'] as const;
const ADVISORIES = 'advisories';
const STATE = 'state';
const LAST_IMPORT = 'lastImport';
const SEEDED = 'seeded';

/** Listed reasons at most (the counts stay exact). */
const MAX_LISTED = 100;
/** One transaction holds at most this many advisories, or about this many bytes (the store allows 16 MiB). */
const BATCH_RECORDS = 500;
const BATCH_BYTES = 8 << 20;

export interface Rejection {
  source?: string;
  id?: string;
  reason: string;
}

export interface ImportSummary {
  /** advisories new to the database */
  added: number;
  /** advisories replaced by a copy whose `modified` is newer or the same */
  updated: number;
  /** advisories imported again unchanged */
  unchanged: number;
  /** advisories not imported because the stored copy is newer */
  skipped: number;
  /** well-formed advisories with no package in an ecosystem the emulator matches (a full OSV dump holds many) */
  ignored: number;
  /** documents refused, with why (the first MAX_LISTED in `rejections`) */
  rejected: number;
  rejections: Rejection[];
  /** the first few ignored ones, with why */
  ignoredExamples: Rejection[];
  /** advisories in the database after the import */
  advisories: number;
}

export interface VulnDbSummary {
  advisories: number;
  withdrawn: number;
  /** advisories per ecosystem (an advisory affecting two ecosystems counts in both) */
  ecosystems: Record<string, number>;
  /** the time of the last import (emulator time) and its counts */
  lastImport?: { time: string } & Omit<ImportSummary, 'rejections' | 'ignoredExamples' | 'advisories'>;
  /** when the bundled seed was loaded, if it was */
  seeded?: { time: string; advisories: number };
}

const emptySummary = (): ImportSummary => ({ added: 0, updated: 0, unchanged: 0, skipped: 0, ignored: 0, rejected: 0, rejections: [], ignoredExamples: [], advisories: 0 });

export class VulnDb {
  private readonly shard: MetaShard;
  /** `${base}\0${name}` → advisory ids */
  private readonly index = new Map<string, Set<string>>();
  /** id → the index keys it is under */
  private readonly keysOf = new Map<string, string[]>();
  /** one import at a time: their counts stay true to what each did */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    meta: MetaStore,
    private readonly clock: Clock,
    private readonly limits: ImportLimits = BODY_IMPORT_LIMITS,
  ) {
    this.shard = meta.ensure([...VULNDB_SHARD]);
    for (const [id, record] of this.shard.entries<StoredAdvisory>(ADVISORIES)) this.reindex(id, record);
    this.shard.onCommit((ops) => this.onCommit(ops));
  }

  get size(): number {
    return this.shard.size(ADVISORIES);
  }

  get(id: string): StoredAdvisory | undefined {
    return this.shard.get<StoredAdvisory>(ADVISORIES, id);
  }

  /** The advisories naming a package of ecosystem `base` called `name` (normalized as the ecosystem does). */
  *lookup(base: EcosystemBase, name: string): Generator<StoredAdvisory> {
    for (const id of this.index.get(`${base}\u0000${normalizePackageName(base, name)}`) ?? []) {
      const record = this.get(id);
      if (record) yield record;
    }
  }

  /** The findings for one installed package (see match.ts). */
  match(item: InventoryItem): Finding[] {
    return matchItem(item, (base, name) => this.lookup(base, name));
  }

  summary(): VulnDbSummary {
    const ecosystems: Record<string, number> = {};
    let withdrawn = 0;
    for (const [, record] of this.shard.entries<StoredAdvisory>(ADVISORIES)) {
      if (record.osv.withdrawn) withdrawn++;
      for (const e of record.ecosystems) ecosystems[e] = (ecosystems[e] ?? 0) + 1;
    }
    const last = this.shard.get<VulnDbSummary['lastImport']>(STATE, LAST_IMPORT);
    const seeded = this.shard.get<VulnDbSummary['seeded']>(STATE, SEEDED);
    return { advisories: this.size, withdrawn, ecosystems, ...(last ? { lastImport: last } : {}), ...(seeded ? { seeded } : {}) };
  }

  /**
   * Imports a request body (one OSV document, a JSON array, or a zip). A body that is not one of those, or a single
   * document that is refused, is INVALID_ARGUMENT with the reason; documents refused inside an array or a zip are
   * listed in the summary. The body is parsed whole before anything is written, so a corrupt zip keeps nothing.
   */
  async importBody(body: Buffer, contentType: string | undefined): Promise<ImportSummary> {
    const { single, docs } = await documentsOfBody(body, contentType, this.limits);
    if (single) {
      const v = validateOsv(docs[0]!.doc);
      if (!v.ok && !v.ignored) throw new EmulatorError('INVALID_ARGUMENT', `The advisory${v.id ? ` ${v.id}` : ''} is not valid OSV: ${v.reason}`, { field: v.reason.split(':')[0] });
    }
    return this.importDocuments(docs);
  }

  /** Imports documents (validating each), in batches; the summary says what became of each. */
  importDocuments(docs: Iterable<SourceDocument> | AsyncIterable<SourceDocument>, opts: { seed?: boolean } = {}): Promise<ImportSummary> {
    const run = this.chain.then(() => this.runImport(docs, opts));
    this.chain = run.catch(() => {});
    return run;
  }

  private async runImport(docs: Iterable<SourceDocument> | AsyncIterable<SourceDocument>, opts: { seed?: boolean }): Promise<ImportSummary> {
    const summary = emptySummary();
    const now = this.clock.now().toISOString();
    const reject = (r: Rejection) => {
      summary.rejected++;
      if (summary.rejections.length < MAX_LISTED) summary.rejections.push(r);
    };
    let batch: StoredAdvisory[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (!batch.length) return;
      const records = batch;
      batch = [];
      batchBytes = 0;
      await this.shard.transact((tx) => {
        for (const record of records) {
          const existing = tx.get<StoredAdvisory>(ADVISORIES, record.osv.id);
          if (!existing) {
            summary.added++;
          } else {
            const newer = Date.parse(record.osv.modified) - Date.parse(existing.osv.modified);
            if (newer < 0) {
              summary.skipped++;
              continue;
            }
            if (newer === 0 && JSON.stringify(existing.osv) === JSON.stringify(record.osv)) {
              summary.unchanged++;
              continue;
            }
            summary.updated++;
          }
          tx.put(ADVISORIES, record.osv.id, record);
        }
      });
    };
    for await (const d of docs) {
      if (d.problem !== undefined) {
        reject({ source: d.source, reason: d.problem });
        continue;
      }
      const v = validateOsv(d.doc);
      if (!v.ok) {
        if (v.ignored) {
          summary.ignored++;
          if (summary.ignoredExamples.length < 10) summary.ignoredExamples.push({ source: d.source, ...(v.id ? { id: v.id } : {}), reason: v.reason });
        } else {
          reject({ source: d.source, ...(v.id ? { id: v.id } : {}), reason: v.reason });
        }
        continue;
      }
      const stored = toStored(v.advisory, v.ecosystems, now);
      if ('problem' in stored) {
        reject({ source: d.source, id: v.advisory.id, reason: stored.problem });
        continue;
      }
      // the same id twice in one import: the later copy wins by the same rule, in the same batch
      const twin = batch.findIndex((b) => b.osv.id === stored.osv.id);
      if (twin >= 0) {
        await flush();
      }
      batch.push(stored);
      batchBytes += JSON.stringify(stored).length;
      if (batch.length >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) await flush();
    }
    await flush();
    summary.advisories = this.size;
    const { rejections: _r, ignoredExamples: _i, advisories: _a, ...counts } = summary;
    await this.shard.transact((tx) => {
      tx.put(STATE, LAST_IMPORT, { time: now, ...counts });
      if (opts.seed) tx.put(STATE, SEEDED, { time: now, advisories: summary.added + summary.updated });
    });
    return summary;
  }

  /** Whether the bundled seed should be loaded: never loaded, and the database holds nothing. */
  wantsSeed(): boolean {
    return this.size === 0 && this.shard.get(STATE, SEEDED) === undefined;
  }

  private onCommit(ops: readonly ShardOp[]): void {
    for (const op of ops) {
      if (op[1] !== ADVISORIES) continue;
      if (op[0] === 'p') this.reindex(op[2], op[3] as StoredAdvisory);
      else this.unindex(op[2]);
    }
  }

  private unindex(id: string): void {
    for (const key of this.keysOf.get(id) ?? []) {
      const set = this.index.get(key);
      set?.delete(id);
      if (set?.size === 0) this.index.delete(key);
    }
    this.keysOf.delete(id);
  }

  private reindex(id: string, record: StoredAdvisory): void {
    this.unindex(id);
    const keys = new Set<string>();
    for (const a of record.osv.affected ?? []) {
      const eco = a.package && parseEcosystem(a.package.ecosystem);
      if (!eco || !a.package) continue;
      const name = normalizePackageName(eco.base, a.package.name);
      keys.add(`${eco.base}\u0000${name}`);
      // a Go package path is found from the module that holds it (match.ts namesPackage)
      if (eco.base === 'Go') for (const module of goModuleCandidates(name)) keys.add(`${eco.base}\u0000${module}`);
    }
    for (const key of keys) {
      let set = this.index.get(key);
      if (!set) this.index.set(key, (set = new Set()));
      set.add(id);
    }
    this.keysOf.set(id, [...keys]);
  }
}

