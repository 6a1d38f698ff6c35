// Reads an emulator data directory from outside, to check what a crash left behind: the blob store
// (every file matches its digest), blob temp files, and metadata (every snapshot and journal line parses).
// Layout as documented in emulator/storage/paths.ts. Read-only.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';

/** Every regular file below `dir` (recursively), absolute paths; [] when `dir` does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out.sort();
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface BlobStoreReport {
  /** digests (sha256:HEX) of the files in blobs/sha256 */
  digests: Set<string>;
  /** files whose content does not hash to their name, or that sit in the wrong place */
  problems: string[];
}

/** Hashes every file in DIR/blobs/sha256/<ab>/<hex>. */
export async function inspectBlobStore(dataDir: string): Promise<BlobStoreReport> {
  const root = join(dataDir, 'blobs', 'sha256');
  const digests = new Set<string>();
  const problems: string[] = [];
  for (const file of await listFiles(root)) {
    const rel = relative(root, file).split(sep);
    const hex = basename(file);
    if (rel.length !== 2 || !/^[a-f0-9]{64}$/.test(hex) || rel[0] !== hex.slice(0, 2)) {
      problems.push(`unexpected file in the blob store: ${relative(dataDir, file)}`);
      continue;
    }
    const actual = await sha256File(file);
    if (actual !== hex) problems.push(`${relative(dataDir, file)} holds content with sha256 ${actual} (a partial or foreign write)`);
    digests.add(`sha256:${hex}`);
  }
  return { digests, problems };
}

export interface MetadataReport {
  snapshots: string[];
  journals: string[];
  journalLines: number;
  /** journals whose last line has no trailing newline */
  torn: string[];
  /** dot files (lowdb's in-flight temp files) — ignored by the emulator at startup */
  dotFiles: string[];
  problems: string[];
}

/** Parses every `.json` snapshot with JSON.parse and every complete `.journal` line, below DIR/meta. */
export async function inspectMetadata(dataDir: string): Promise<MetadataReport> {
  const metaDir = join(dataDir, 'meta');
  const report: MetadataReport = { snapshots: [], journals: [], journalLines: 0, torn: [], dotFiles: [], problems: [] };
  for (const file of await listFiles(metaDir)) {
    const rel = relative(dataDir, file);
    if (basename(file).startsWith('.')) {
      report.dotFiles.push(rel);
      continue;
    }
    const text = await readFile(file, 'utf8');
    if (file.endsWith('.json')) {
      report.snapshots.push(rel);
      report.problems.push(...snapshotProblems(rel, text));
    } else if (file.endsWith('.journal')) {
      report.journals.push(rel);
      const lines = text.split('\n');
      const last = lines.pop();
      if (last !== '') report.torn.push(rel);
      lines.forEach((line, i) => {
        report.journalLines++;
        try {
          if (!Array.isArray(JSON.parse(line))) report.problems.push(`${rel} line ${i + 1}: not a list of operations`);
        } catch (err) {
          report.problems.push(`${rel} line ${i + 1}: ${(err as Error).message}`);
        }
      });
    } else {
      report.problems.push(`${rel}: unexpected file in the metadata directory`);
    }
  }
  return report;
}

/**
 * What is wrong with a snapshot: version 2 is `{"version":2}` then one `["TABLE","KEY",VALUE]` line per
 * record, every line newline-terminated; version 1 (older data dirs) is one JSON document.
 */
function snapshotProblems(rel: string, text: string): string[] {
  if (text.startsWith('{"version":2}\n')) {
    if (!text.endsWith('\n')) return [`${rel}: the last line has no newline`];
    const problems: string[] = [];
    text.slice(0, -1).split('\n').slice(1).forEach((line, i) => {
      try {
        const record = JSON.parse(line) as unknown;
        if (!Array.isArray(record) || record.length !== 3 || typeof record[0] !== 'string' || typeof record[1] !== 'string') {
          problems.push(`${rel} line ${i + 2}: not a [table, key, value] record`);
        }
      } catch (err) {
        problems.push(`${rel} line ${i + 2}: ${(err as Error).message}`);
      }
    });
    return problems;
  }
  try {
    const doc = JSON.parse(text) as { version?: unknown; tables?: unknown };
    if (doc.version !== 1 || typeof doc.tables !== 'object' || doc.tables === null) return [`${rel}: not a version 1 or 2 snapshot`];
  } catch (err) {
    return [`${rel}: ${(err as Error).message}`];
  }
  return [];
}

/** path (relative to `dir`) → sha256 of every file below `dir`: compare two of these to prove nothing changed. */
export async function fingerprintTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await listFiles(dir)) out[relative(dir, file)] = await sha256File(file);
  return out;
}
