// Before/after table from two bench result files (bench/results/*.json): for each figure both runs have,
// the emulator's value and its ratio to the peer measured in the same run, and how the ratio moved.
// Comparing ratios rather than raw rates cancels most of what a shared machine does to both servers.
//   node --import tsx bench/compare.ts BEFORE.json AFTER.json
import { readFileSync } from 'node:fs';

interface Row {
  figure: string;
  unit: string;
  emulator: number;
  ratio: number;
  better: 'higher' | 'lower';
  peerName?: string;
}

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  process.stderr.write('usage: node --import tsx bench/compare.ts BEFORE.json AFTER.json\n');
  process.exit(2);
}
const rowsOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[] }).rows;
const before = new Map(rowsOf(beforeFile).map((r) => [r.figure, r]));
const num = (n: number) => (!Number.isFinite(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

const lines = ['| figure | unit | before: emulator | before: ratio | after: emulator | after: ratio | ratio change |', '|---|---|---:|---:|---:|---:|---:|'];
for (const a of rowsOf(afterFile)) {
  const b = before.get(a.figure);
  if (!b) continue;
  // positive = better for the emulator, whichever direction the figure favours
  const change = a.better === 'higher' ? a.ratio / b.ratio - 1 : b.ratio / a.ratio - 1;
  const mark = change < -0.1 ? ' (worse by >10%)' : '';
  lines.push(`| ${a.figure} | ${a.unit} | ${num(b.emulator)} | ${b.ratio.toFixed(2)}× | ${num(a.emulator)} | ${a.ratio.toFixed(2)}× | ${(change * 100).toFixed(0)}%${mark} |`);
}
process.stdout.write(lines.join('\n') + '\n');
