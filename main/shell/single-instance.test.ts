// The single-instance lock with a mocked electron app: the first launch keeps running and reacts to later
// launches; a second launch quits at once.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const listeners = new Map<string, () => void>();
const app = {
  requestSingleInstanceLock: vi.fn<() => boolean>(),
  quit: vi.fn(),
  on: vi.fn((event: string, fn: () => void) => listeners.set(event, fn)),
};
vi.mock('electron', () => ({ app }));
const { claimSingleInstance } = await import('./single-instance.js');

describe('claimSingleInstance', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    listeners.clear();
  });

  it('keeps the first instance and focuses its dashboard when the app is launched again', () => {
    app.requestSingleInstanceLock.mockReturnValue(true);
    const focus = vi.fn();
    expect(claimSingleInstance(focus)).toBe(true);
    expect(app.quit).not.toHaveBeenCalled();
    listeners.get('second-instance')!();
    expect(focus).toHaveBeenCalledTimes(1);
  });

  it('quits a second instance without starting anything', () => {
    app.requestSingleInstanceLock.mockReturnValue(false);
    const focus = vi.fn();
    expect(claimSingleInstance(focus)).toBe(false);
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect(listeners.has('second-instance')).toBe(false);
  });
});
