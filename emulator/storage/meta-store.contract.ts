// The behaviour every MetaStore implementation shares; run once per implementation. Every store a test
// opens is closed after it.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, MAX_TRANSACTION_BYTES, type MetaStore } from './meta-store.js';

export function describeMetaStoreContract(name: string, open: () => Promise<{ store: MetaStore; reopen?: () => Promise<MetaStore> }>): void {
  describe(`${name} (MetaStore contract)`, () => {
    const opened: MetaStore[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    const factory = async () => {
      const { store, reopen } = await open();
      opened.push(store);
      return {
        store,
        ...(reopen ? { reopen: async () => { const again = await reopen(); opened.push(again); return again; } } : {}),
      };
    };

    it('applies a transaction only after it commits, and all of it', async () => {
      const { store } = await factory();
      const shard = store.ensure(['repos', 'p', 'l', 'r']);
      await shard.transact((tx) => {
        tx.put('t', 'a', { v: 1 });
        tx.put('t', 'b', { v: 2 });
        expect(shard.get('t', 'a')).toBeUndefined();
        expect(tx.get('t', 'a')).toEqual({ v: 1 });
      });
      expect([...shard.entries('t')]).toEqual([['a', { v: 1 }], ['b', { v: 2 }]]);
    });

    it('applies nothing when the transaction function throws', async () => {
      const { store } = await factory();
      const shard = store.ensure(['s']);
      await expect(
        shard.transact((tx) => {
          tx.put('t', 'a', 1);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(shard.size('t')).toBe(0);
    });

    it('runs concurrent transactions of one shard one at a time', async () => {
      const { store } = await factory();
      const shard = store.ensure(['counter']);
      await Promise.all(
        Array.from({ length: 50 }, () =>
          shard.transact(async (tx) => {
            const n = tx.get<number>('c', 'n') ?? 0;
            await new Promise((r) => setImmediate(r));
            tx.put('c', 'n', n + 1);
          }),
        ),
      );
      expect(shard.get('c', 'n')).toBe(50);
    });

    it('lists shards by key prefix and forgets dropped ones', async () => {
      const { store } = await factory();
      await store.ensure(['repos', 'p', 'l', 'a']).transact((tx) => tx.put('t', 'k', 1));
      await store.ensure(['repos', 'p', 'l', 'b']).transact((tx) => tx.put('t', 'k', 1));
      await store.ensure(['repos', 'q', 'l', 'c']).transact((tx) => tx.put('t', 'k', 1));
      expect(store.list(['repos', 'p']).map((s) => s.key.join('/')).sort()).toEqual(['repos/p/l/a', 'repos/p/l/b']);
      await store.drop(['repos', 'p', 'l', 'a']);
      expect(store.get(['repos', 'p', 'l', 'a'])).toBeUndefined();
      expect(store.list(['repos', 'p'])).toHaveLength(1);
    });

    it('refuses a record larger than MAX_RECORD_BYTES with INVALID_ARGUMENT and applies none of the transaction', async () => {
      const { store } = await factory();
      const shard = store.ensure(['capped']);
      await shard.transact((tx) => tx.put('t', 'small', 1));
      const big = 'x'.repeat(MAX_RECORD_BYTES);
      await expect(
        shard.transact((tx) => {
          tx.put('t', 'other', 2);
          tx.put('t', 'big', big);
        }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/at most 1048576 bytes per record/) });
      expect(shard.get('t', 'other')).toBeUndefined();
      expect(shard.get('t', 'big')).toBeUndefined();
      // counted in UTF-8 bytes, not characters
      await expect(shard.transact((tx) => tx.put('t', 'wide', 'é'.repeat(MAX_RECORD_BYTES / 2)))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await shard.transact((tx) => tx.put('t', 'fits', 'x'.repeat(MAX_RECORD_BYTES - 100)));
      expect(shard.size('t')).toBe(2);
    });

    it('refuses a transaction larger than MAX_TRANSACTION_BYTES with INVALID_ARGUMENT and applies none of it', async () => {
      const { store } = await factory();
      const shard = store.ensure(['capped']);
      const record = 'y'.repeat(MAX_RECORD_BYTES - 100);
      const count = Math.ceil(MAX_TRANSACTION_BYTES / MAX_RECORD_BYTES) + 1;
      await expect(
        shard.transact((tx) => {
          for (let i = 0; i < count; i++) tx.put('t', `k${i}`, record);
        }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/per transaction/) });
      expect(shard.size('t')).toBe(0);
    });

    it('keeps committed records across a reopen, deletes included', async () => {
      const { store, reopen } = await factory();
      if (!reopen) return;
      const shard = store.ensure(['repos', 'p', 'l', 'r']);
      for (let i = 0; i < 20; i++) await shard.transact((tx) => tx.put('tags', `t${i}`, { i }));
      await shard.transact((tx) => tx.delete('tags', 't3'));
      await store.close();
      const again = await reopen();
      const s2 = again.get(['repos', 'p', 'l', 'r'])!;
      expect(s2.size('tags')).toBe(19);
      expect(s2.get('tags', 't3')).toBeUndefined();
      expect(s2.get('tags', 't19')).toEqual({ i: 19 });
      await again.close();
    });
  });
}
