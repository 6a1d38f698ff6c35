// The bundled seed database (resources/vulndb/seed/*.json: real OSV advisories, one per file), loaded on the first
// start of a data directory whose database is empty, so that scanning shows itself out of the box. It is loaded
// once: the state record `seeded` remembers it, so a database the user emptied is not seeded again.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { documentOfJson, type SourceDocument } from './import-sources.js';
import type { ImportSummary, VulnDb } from './vulndb.js';

/** resources/vulndb/seed from the sources (emulator/scanning) or from dist/emulator/scanning. */
export function locateSeedDir(): string | undefined {
  for (const up of ['../../resources/vulndb/seed', '../../../resources/vulndb/seed']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

export async function* seedDocuments(dir: string): AsyncGenerator<SourceDocument> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  for (const name of names) yield documentOfJson(`seed/${name}`, await readFile(join(dir, name)));
}

/** Loads the seed when the database wants it; undefined when it did not. */
export async function seedIfEmpty(db: VulnDb, dir: string | undefined = locateSeedDir()): Promise<ImportSummary | undefined> {
  if (!dir || !db.wantsSeed()) return undefined;
  return db.importDocuments(seedDocuments(dir), { seed: true });
}
