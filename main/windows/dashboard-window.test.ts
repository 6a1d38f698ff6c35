// The dashboard window with a mocked BrowserWindow: secure web preferences, navigation kept on the dashboard,
// new windows denied, closing hides unless quitting, a second show focuses the same window.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const windows: FakeWindow[] = [];
class FakeWindow {
  handlers = new Map<string, (...a: unknown[]) => void>();
  contentsHandlers = new Map<string, (...a: unknown[]) => void>();
  openHandler: ((d: { url: string }) => { action: string }) | undefined;
  loaded: string[] = [];
  shown = 0;
  focused = 0;
  hidden = 0;
  webContents = {
    on: (e: string, fn: (...a: unknown[]) => void) => this.contentsHandlers.set(e, fn),
    setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (this.openHandler = fn),
  };
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    windows.push(this);
  }
  loadURL = async (u: string) => void this.loaded.push(u);
  show = () => void this.shown++;
  focus = () => void this.focused++;
  hide = () => void this.hidden++;
  restore = () => undefined;
  isMinimized = () => false;
  isDestroyed = () => false;
  on = (e: string, fn: (...a: unknown[]) => void) => this.handlers.set(e, fn);
}
vi.mock('electron', () => ({ BrowserWindow: FakeWindow }));
const { DashboardWindow, isAllowedNavigation } = await import('./dashboard-window.js');

describe('DashboardWindow', () => {
  let quitting = false;
  const make = () => new DashboardWindow({ preload: '/app/preload.js', keepAlive: () => !quitting, onCreated: vi.fn() });
  beforeEach(() => {
    windows.length = 0;
    quitting = false;
  });

  it('creates the window with context isolation, sandbox and no Node integration, loading /ui/', () => {
    make().show('http://127.0.0.1:8088');
    expect(windows).toHaveLength(1);
    expect(windows[0]!.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: '/app/preload.js' });
    expect(windows[0]!.loaded).toEqual(['http://127.0.0.1:8088/ui/']);
  });

  it('focuses the existing window on a second show (the single-instance hand-over)', () => {
    const w = make();
    w.show('http://127.0.0.1:8088');
    w.show('http://127.0.0.1:8088');
    expect(windows).toHaveLength(1);
    expect(windows[0]!.focused).toBe(2);
  });

  it('refuses navigation away from the dashboard and denies new windows', () => {
    make().show('http://127.0.0.1:8088');
    const prevent = vi.fn();
    windows[0]!.contentsHandlers.get('will-navigate')!({ preventDefault: prevent }, 'https://evil.example/');
    expect(prevent).toHaveBeenCalledTimes(1);
    const allowed = vi.fn();
    windows[0]!.contentsHandlers.get('will-navigate')!({ preventDefault: allowed }, 'http://127.0.0.1:8088/ui/#/iam');
    expect(allowed).not.toHaveBeenCalled();
    expect(windows[0]!.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('hides on close while the app lives in the tray, and closes when quitting', () => {
    make().show('http://127.0.0.1:8088');
    const prevent = vi.fn();
    windows[0]!.handlers.get('close')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalledTimes(1);
    expect(windows[0]!.hidden).toBe(1);
    quitting = true;
    const prevent2 = vi.fn();
    windows[0]!.handlers.get('close')!({ preventDefault: prevent2 });
    expect(prevent2).not.toHaveBeenCalled();
  });

  it('allows only /ui/ on the emulator origin', () => {
    expect(isAllowedNavigation('http://127.0.0.1:8088/ui/', 'http://127.0.0.1:8088')).toBe(true);
    expect(isAllowedNavigation('http://127.0.0.1:8088/v2/', 'http://127.0.0.1:8088')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', 'http://127.0.0.1:8088')).toBe(false);
  });
});
