// The emulator's lifecycle in the shell with a fake createEmulator: states, the port kept across pause and
// resume, reset wiping the data folder, a failed start reported as an error, events forwarded.
import { describe, expect, it, vi } from 'vitest';
import { EventBus, silentLogger, VirtualClock, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import type { ShellStatus } from '../ipc/contract.js';
import { EmulatorController } from './emulator-controller.js';

function fakeFactory() {
  const started: EmulatorOptions[] = [];
  const stopped: number[] = [];
  let failNext: Error | undefined;
  let lastBus: EventBus | undefined;
  const factory = async (o: EmulatorOptions): Promise<Emulator> => {
    if (failNext) {
      const err = failNext;
      failNext = undefined;
      throw err;
    }
    started.push(o);
    const port = o.port || 40_000 + started.length;
    const events = (lastBus = new EventBus(() => new Date(0), silentLogger));
    return {
      url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port, grpcPort: undefined, dataDir: o.dataDir,
      defaultProject: 'p', defaultLocation: 'us-central1', events, adminToken: 'admin-token',
      clock: new VirtualClock(),
      upstream: {} as Emulator['upstream'],
      runCleanup: async (repository) => ({ repository, dryRun: true, deleted: [], keptCount: 0 }),
      collectGarbage: async () => ({ blobsDeleted: 0, bytesReclaimed: 0 }),
      configStatus: () => undefined,
      reset: async () => undefined,
      exportSnapshot: async (dir) => ({ dir, files: 0, bytes: 0, shards: 0, blobs: 0 }),
      applyConfig: async () => ({ file: '', state: 'applied', problems: [] }),
      stop: async () => void stopped.push(port),
    };
  };
  return { factory, started, stopped, fail: (e: Error) => (failNext = e), bus: () => lastBus! };
}

describe('EmulatorController', () => {
  it('goes starting → running and reports the URL', async () => {
    const f = fakeFactory();
    const c = new EmulatorController(f.factory, { dataDir: '/d', port: 0 }, vi.fn());
    const seen: ShellStatus['state'][] = [];
    c.onStatus((s) => seen.push(s.state));
    expect(await c.start()).toEqual({ state: 'running', url: 'http://127.0.0.1:40001', port: 40001, dataDir: '/d' });
    expect(seen).toEqual(['starting', 'running']);
  });

  it('pauses by stopping the server and resumes on the same port', async () => {
    const f = fakeFactory();
    const c = new EmulatorController(f.factory, { dataDir: '/d', port: 0 }, vi.fn());
    await c.start();
    expect(await c.pause()).toMatchObject({ state: 'paused', port: 40001 });
    expect(f.stopped).toEqual([40001]);
    expect(await c.resume()).toMatchObject({ state: 'running', port: 40001 });
    expect(f.started.map((o) => o.port)).toEqual([0, 40001]);
  });

  it('resets by stopping, emptying the data folder and starting again', async () => {
    const f = fakeFactory();
    const removeData = vi.fn(async () => {
      expect(f.stopped).toEqual([40001]);
    });
    const c = new EmulatorController(f.factory, { dataDir: '/d', port: 0 }, removeData);
    await c.start();
    expect(await c.reset()).toMatchObject({ state: 'running' });
    expect(removeData).toHaveBeenCalledWith('/d');
    expect(f.started).toHaveLength(2);
  });

  it('reports a failed start as an error, and a later resume recovers', async () => {
    const f = fakeFactory();
    f.fail(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8088'));
    const c = new EmulatorController(f.factory, { dataDir: '/d', port: 8088 }, vi.fn());
    expect(await c.start()).toEqual({ state: 'error', dataDir: '/d', message: 'listen EADDRINUSE: address already in use 127.0.0.1:8088' });
    expect(await c.resume()).toMatchObject({ state: 'running', port: 8088 });
  });

  it('forwards emulator events, and stops forwarding once stopped', async () => {
    const f = fakeFactory();
    const c = new EmulatorController(f.factory, { dataDir: '/d', port: 0 }, vi.fn());
    await c.start();
    const got: string[] = [];
    c.onEvent((e) => got.push(e.type));
    const bus = f.bus();
    bus.emit('repository.created', { repository: 'projects/p/locations/l/repositories/r', format: 'DOCKER', mode: 'STANDARD_REPOSITORY' });
    await vi.waitFor(() => expect(got).toEqual(['repository.created']));
    await c.stop();
    bus.emit('repository.deleted', { repository: 'projects/p/locations/l/repositories/r' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(['repository.created']);
  });
});
