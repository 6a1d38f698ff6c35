// The IPC host with a mocked electron: every channel registered, sender and arguments checked before the
// handler, errors returned as {code, message}, and main→renderer events queued until the dashboard is ready.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const registered = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => registered.set(channel, fn),
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { registerIpcHost, RendererEvents } = await import('./host.js');
type Handlers = Parameters<typeof registerIpcHost>[0]['handlers'];

const status = { state: 'running' as const, url: 'http://127.0.0.1:8088', port: 8088, dataDir: '/d' };
const settings = { notifyPushes: false, notifyViolations: true, notifyFailedPushes: true, openAtLogin: false };
const trusted = { senderFrame: { url: 'http://127.0.0.1:8088/ui/', parent: null } };

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'emu:server.getStatus': () => status,
    'emu:server.pause': () => ({ ...status, state: 'paused' }),
    'emu:server.resume': () => status,
    'emu:server.restart': () => status,
    'emu:shell.openDataDir': () => undefined,
    'emu:shell.copyText': vi.fn(),
    'emu:settings.get': () => settings,
    'emu:settings.update': (patch) => ({ ...settings, ...patch }),
    'emu:renderer.ready': () => undefined,
    ...overrides,
  };
}

describe('registerIpcHost', () => {
  beforeEach(() => registered.clear());

  it('registers every contract channel and removes them on dispose', () => {
    const dispose = registerIpcHost({ handlers: handlers(), dashboardOrigin: () => 'http://127.0.0.1:8088' });
    expect([...registered.keys()].sort()).toEqual([
      'emu:renderer.ready', 'emu:server.getStatus', 'emu:server.pause', 'emu:server.restart', 'emu:server.resume',
      'emu:settings.get', 'emu:settings.update', 'emu:shell.copyText', 'emu:shell.openDataDir',
    ]);
    dispose();
    expect(registered.size).toBe(0);
  });

  it('answers a trusted sender with the handler result', async () => {
    registerIpcHost({ handlers: handlers(), dashboardOrigin: () => 'http://127.0.0.1:8088' });
    expect(await registered.get('emu:server.getStatus')!(trusted)).toEqual({ ok: true, value: status });
    expect(await registered.get('emu:settings.update')!(trusted, { notifyPushes: true })).toEqual({ ok: true, value: { ...settings, notifyPushes: true } });
  });

  it('refuses a frame from another origin without calling the handler', async () => {
    const copy = vi.fn();
    registerIpcHost({ handlers: handlers({ 'emu:shell.copyText': copy }), dashboardOrigin: () => 'http://127.0.0.1:8088' });
    const result = await registered.get('emu:shell.copyText')!({ senderFrame: { url: 'https://evil.example/', parent: null } }, 'x');
    expect(result).toEqual({ ok: false, error: { code: 'INVALID_SENDER', message: 'this frame may not call the desktop shell' } });
    expect(copy).not.toHaveBeenCalled();
  });

  it('refuses bad arguments without calling the handler', async () => {
    const copy = vi.fn();
    registerIpcHost({ handlers: handlers({ 'emu:shell.copyText': copy }), dashboardOrigin: () => 'http://127.0.0.1:8088' });
    expect(await registered.get('emu:shell.copyText')!(trusted, { toString: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(copy).not.toHaveBeenCalled();
  });

  it('returns a thrown error as {code: FAILED, message}', async () => {
    registerIpcHost({
      handlers: handlers({ 'emu:server.restart': () => Promise.reject(new Error('port in use')) }),
      dashboardOrigin: () => 'http://127.0.0.1:8088',
    });
    expect(await registered.get('emu:server.restart')!(trusted)).toEqual({ ok: false, error: { code: 'FAILED', message: 'port in use' } });
  });
});

describe('RendererEvents', () => {
  const target = () => ({ send: vi.fn(), isDestroyed: () => false }) as unknown as import('electron').WebContents & { send: ReturnType<typeof vi.fn> };

  it('queues events until the renderer is ready, keeping only the latest status', () => {
    const events = new RendererEvents();
    const wc = target();
    events.attach(wc);
    events.send('emu:server.statusChanged', { ...status, state: 'paused' });
    events.send('emu:shell.navigate', { route: '#/iam' });
    events.send('emu:server.statusChanged', status);
    expect(wc.send).not.toHaveBeenCalled();
    events.ready();
    expect(wc.send.mock.calls).toEqual([
      ['emu:shell.navigate', { route: '#/iam' }],
      ['emu:server.statusChanged', status],
    ]);
    events.send('emu:shell.navigate', { route: '#/feed' });
    expect(wc.send).toHaveBeenLastCalledWith('emu:shell.navigate', { route: '#/feed' });
  });

  it('queues again for a new window', () => {
    const events = new RendererEvents();
    events.attach(target());
    events.ready();
    const second = target();
    events.attach(second);
    events.send('emu:shell.navigate', { route: '#/feed' });
    expect(second.send).not.toHaveBeenCalled();
  });
});
