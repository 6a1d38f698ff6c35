import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storeAndServe } from './tee.js';

async function collect(r: Readable): Promise<{ data: Buffer; error?: Error }> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of r) chunks.push(c as Buffer);
    return { data: Buffer.concat(chunks) };
  } catch (error) {
    return { data: Buffer.concat(chunks), error: error as Error };
  }
}

function chunked(total: number, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < total; i += size) out.push(Buffer.alloc(Math.min(size, total - i), i % 251));
  return out;
}

describe('storeAndServe', () => {
  it('gives both branches every byte; the client ends only once the store says ok', async () => {
    const parts = chunked(3 << 20, 64 << 10);
    const tee = storeAndServe(Readable.from(parts));
    const client = collect(tee.client);
    const stored = await collect(tee.store);
    expect(stored.data.equals(Buffer.concat(parts))).toBe(true);
    let clientDone = false;
    void client.then(() => (clientDone = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(clientDone).toBe(false);
    tee.settle(true);
    const got = await client;
    expect(got.error).toBeUndefined();
    expect(createHash('sha256').update(got.data).digest('hex')).toBe(createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
  });

  it('cuts the client off short when verification fails', async () => {
    const parts = chunked(1 << 20, 100_000);
    const tee = storeAndServe(Readable.from(parts));
    const client = collect(tee.client);
    await collect(tee.store);
    tee.settle(false, new Error('digest mismatch'));
    const got = await client;
    expect(got.error?.message).toBe('digest mismatch');
    expect(got.data.length).toBeLessThan(1 << 20);
  });

  it('keeps filling the store when the client goes away', async () => {
    const parts = chunked(4 << 20, 64 << 10);
    const tee = storeAndServe(Readable.from(parts));
    tee.client.once('data', () => tee.client.destroy());
    tee.client.on('error', () => {});
    const stored = await collect(tee.store);
    expect(stored.data.length).toBe(4 << 20);
    tee.settle(true);
  });

  it('an upstream that fails mid-body fails both branches', async () => {
    const body = new PassThrough();
    const tee = storeAndServe(body);
    const store = collect(tee.store);
    const client = collect(tee.client);
    body.write(Buffer.alloc(1000));
    body.destroy(new Error('socket hang up'));
    expect((await store).error?.message).toBe('socket hang up');
    expect((await client).error?.message).toBe('socket hang up');
  });

  it('a slow client paces the upstream rather than buffering it all', async () => {
    let produced = 0;
    const body = new Readable({
      read() {
        if (produced >= 64 << 20) return this.push(null);
        produced += 1 << 16;
        this.push(Buffer.alloc(1 << 16));
      },
    });
    const tee = storeAndServe(body);
    const store = collect(tee.store);
    await new Promise((r) => setTimeout(r, 100)); // the client branch is not read at all
    expect(produced).toBeLessThan(8 << 20);
    const client = collect(tee.client);
    await store;
    tee.settle(true);
    expect((await client).data.length).toBe(64 << 20);
  });
});
