// PUT /v2/<name>/manifests/<reference> whose body the client cuts off: a client disconnect, logged at info,
// with no ERROR log, no push.failed event and nothing stored.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorEvent } from '../../../core/events.js';
import { startEmulator, type TestEmulator } from '../../../../test/support/emulator.js';
import { waitFor } from '../../../../test/support/process.js';
import { Registry } from '../../../../test/support/registry.js';
import { recordingLogger } from '../../../../test/support/recording-logger.js';

const NAME = 'test-project/repo/app';
const { logger, lines } = recordingLogger();

let emu: TestEmulator;
let reg: Registry;
const events: EmulatorEvent[] = [];
beforeAll(async () => {
  emu = await startEmulator({ logger });
  await emu.createRepository('repo');
  reg = new Registry(emu.url);
  emu.emulator.events.onAny((e) => void events.push(e));
});
afterAll(() => emu.stop());

/** Sends the headers and `sent` of `declared` body bytes, then destroys the connection. */
function cutOffPut(path: string, declared: number, sent: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = http.request(`${emu.url}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': declared },
    });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(sent, 0x20), () => setTimeout(() => req.destroy(), 50));
    req.on('close', () => resolve());
  });
}

describe('putManifest cut off by the client', () => {
  it('is logged as a client disconnect, not an error, and emits no push.failed', async () => {
    const manifest = JSON.stringify(await reg.imageManifest(NAME));
    await cutOffPut(`/v2/${NAME}/manifests/cut`, manifest.length + 1000, 100);
    await waitFor('the disconnect to be logged', () => lines.some((l) => /client disconnected/.test(l.msg)), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50)); // events are delivered asynchronously
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.find((l) => /client disconnected/.test(l.msg))).toMatchObject({ level: 'info', fields: { route: 'docker.manifest.put' } });
    expect(events.filter((e) => e.type === 'push.failed')).toEqual([]);
    const get = await reg.fetch(`/v2/${NAME}/manifests/cut`);
    expect(get.status).toBe(404);
  });
});
