// The first fetch of a remote artifact streams to the client while it is stored (issue 12): one upstream body,
// two readers. The store branch gets every byte as it arrives; the client branch gets every byte but the last
// chunk, which is held back until the caller says the stored copy was verified (digest, integrity, length). A
// verified artifact then ends normally; one that failed verification is cut off short, so the client sees a
// truncated body (its own length or digest check fails) and never takes the wrong bytes as complete.
//
// The slower branch paces the upstream (backpressure on both). A client that goes away does not stop the store
// branch: the cache still fills, and the next request is a hit.
import { PassThrough, type Readable } from 'node:stream';

export interface StoreAndServe {
  /** what the ingest path reads: the whole upstream body */
  readonly store: Readable;
  /** what the client is sent: the same bytes, ended only by `settle(true)` */
  readonly client: Readable;
  /** The stored copy was verified (`ok`) or not: ends the client branch, or destroys it with `err`. */
  settle(ok: boolean, err?: Error): void;
}

const HIGH_WATER = 1 << 20;

export function storeAndServe(body: Readable): StoreAndServe {
  const store = new PassThrough({ highWaterMark: HIGH_WATER });
  const client = new PassThrough({ highWaterMark: HIGH_WATER });
  let held: Buffer | undefined;
  let clientGone = false;
  let ended = false;
  let settled: { ok: boolean; err?: Error } | undefined;

  const clientNeedsDrain = () => !clientGone && client.writableNeedDrain;
  const maybeResume = () => {
    if (!store.writableNeedDrain && !clientNeedsDrain()) body.resume();
  };
  store.on('drain', maybeResume);
  client.on('drain', maybeResume);
  client.on('close', () => {
    if (!client.writableFinished) {
      clientGone = true;
      held = undefined;
      maybeResume();
    }
  });
  // the ingest stops reading (it failed): stop feeding it; the client branch follows its verdict
  store.on('close', () => body.resume());

  const finishClient = () => {
    if (!settled || !ended || clientGone || client.destroyed) return;
    if (settled.ok) {
      client.end(held);
      held = undefined;
    } else {
      client.destroy(settled.err ?? new Error('the upstream artifact failed verification'));
    }
  };

  body.on('data', (chunk: Buffer) => {
    let pause = !store.destroyed && !store.write(chunk);
    if (!clientGone && !client.destroyed) {
      if (held && !client.write(held)) pause = true;
      held = chunk;
    }
    if (pause) body.pause();
  });
  body.on('end', () => {
    ended = true;
    store.end();
    finishClient();
  });
  body.on('error', (err) => {
    store.destroy(err);
    if (!clientGone) client.destroy(err);
  });
  body.on('close', () => {
    // closed without 'end' or 'error' (destroyed upstream): the body is incomplete
    if (!ended && !store.destroyed) {
      const err = new Error('upstream body ended early');
      store.destroy(err);
      if (!clientGone) client.destroy(err);
    }
  });

  return {
    store,
    client,
    settle(ok, err) {
      if (settled) return;
      settled = { ok, ...(err ? { err } : {}) };
      if (!ok && !client.destroyed && !clientGone) {
        client.destroy(err ?? new Error('the upstream artifact failed verification'));
        return;
      }
      finishClient();
    },
  };
}
