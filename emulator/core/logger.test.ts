// Log lines: readable text by default, one JSON object per line with --log-format json (fields flat unless they
// would hide the four fixed keys), levels below the minimum dropped.
import { describe, expect, it } from 'vitest';
import { createLineLogger } from './logger.js';

describe('createLineLogger', () => {
  it('writes JSON lines that parse, with the area of a child', () => {
    const lines: string[] = [];
    const log = createLineLogger({ level: 'info', format: 'json', sink: (l) => lines.push(l) }).child('config');
    log.debug('dropped');
    log.warn('config: f.yaml:3:5: unknown field', { file: 'f.yaml' });
    log.info('clash', { msg: 'mine', level: 'x' });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', area: 'emulator:config', msg: 'config: f.yaml:3:5: unknown field', file: 'f.yaml', time: expect.any(String) });
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'info', msg: 'clash', fields: { msg: 'mine', level: 'x' } });
  });

  it('writes readable text by default', () => {
    const lines: string[] = [];
    createLineLogger({ sink: (l) => lines.push(l) }).info('ready', { port: 1 });
    expect(lines[0]).toMatch(/^\S+Z INFO  \[emulator\] ready \{"port":1\}$/);
  });
});
