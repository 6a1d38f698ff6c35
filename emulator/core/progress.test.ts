// Progress lines: a percentage line at each tenth off a terminal (at most 11 per task), one line redrawn on one.
import { describe, expect, it } from 'vitest';
import { progressTo } from './progress.js';

describe('progressTo', () => {
  it('writes a line per tenth when the output is not a terminal', () => {
    const out: string[] = [];
    const p = progressTo({ tty: false, write: (t) => out.push(t) })('export', 1000, 'files');
    for (let i = 0; i < 1000; i++) p.tick();
    p.done();
    expect(out).toHaveLength(11);
    expect(out[0]).toBe('export: 0% (0/1000 files)\n');
    expect(out.at(-1)).toBe('export: 100% (1000/1000 files)\n');
  });

  it('redraws one line on a terminal and ends it', () => {
    const out: string[] = [];
    const p = progressTo({ tty: true, write: (t) => out.push(t) })('import', 3, 'files');
    p.tick();
    p.done();
    expect(out.every((t) => t.startsWith('\r'))).toBe(true);
    expect(out.at(-1)).toBe('\rimport 3/3 files 100%\n');
  });

  it('stays silent for background work that ends before its afterMs', () => {
    const out: string[] = [];
    const p = progressTo({ tty: false, write: (t) => out.push(t) })('garbage collection', 10, 'blobs', { afterMs: 60_000 });
    for (let i = 0; i < 10; i++) p.tick();
    p.done();
    expect(out).toEqual([]);
  });
});
