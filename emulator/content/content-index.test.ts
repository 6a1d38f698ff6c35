// The content index over a shard: built from what the shard holds, kept exact by its commit hook, and
// independent of any format (the schema names the tables).
import { describe, expect, it } from 'vitest';
import { MemoryMetaStore } from '../storage/memory-meta-store.js';
import { ContentIndex, type ContentSchema } from './content-index.js';

const schema: ContentSchema = {
  versions: { table: 'v', parse: (key) => ({ pkg: key.split('/')[0]!, version: key.split('/')[1]! }) },
  tags: { table: 't', parse: (key) => ({ pkg: key.split('/')[0]!, tag: key.split('/')[1]! }), versionOf: (value) => (value as { to: string }).to },
};

describe('ContentIndex', () => {
  it('indexes what the shard held before it was built and every commit after', async () => {
    const shard = new MemoryMetaStore().ensure(['s']);
    await shard.transact((tx) => {
      tx.put('v', 'a/1', {});
      tx.put('v', 'a/2', {});
      tx.put('t', 'a/z', { to: '1' });
    });
    const index = new ContentIndex(shard, schema);
    await shard.transact((tx) => {
      tx.put('t', 'a/b', { to: '1' });
      tx.put('t', 'a/c', { to: '2' });
      tx.put('v', 'b/1', {});
    });
    expect(index.versionsOf('a')).toEqual(['1', '2']);
    expect(index.tagsOfPackage('a')).toEqual(['b', 'c', 'z']);
    expect(index.tagsOfVersion('a', '1')).toEqual(['b', 'z']);

    await shard.transact((tx) => {
      tx.put('t', 'a/z', { to: '2' }); // a move
      tx.delete('t', 'a/b');
      tx.delete('v', 'a/1');
    });
    expect(index.tagsOfVersion('a', '1')).toEqual([]);
    expect(index.tagsOfVersion('a', '2')).toEqual(['c', 'z']);
    expect(index.tagTarget('a', 'z')).toBe('2');
    expect(index.tagTarget('a', 'b')).toBeUndefined();
    expect(index.versionsOf('a')).toEqual(['2']);
    expect(index.versionsOf('b')).toEqual(['1']);
  });

  it('sees nothing of a transaction that failed', async () => {
    const shard = new MemoryMetaStore().ensure(['s']);
    const index = new ContentIndex(shard, schema);
    await expect(shard.transact((tx) => {
      tx.put('t', 'a/x', { to: '1' });
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect(index.tagsOfPackage('a')).toEqual([]);
  });
});
