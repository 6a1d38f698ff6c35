// The scheduler's debounced requests (garbage collection after deletes): folded, never lost.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { Scheduler } from './scheduler.js';

const schedulers: Scheduler[] = [];
afterEach(() => {
  for (const s of schedulers.splice(0)) s.stop();
});

function scheduler(): Scheduler {
  const s = new Scheduler(silentLogger);
  schedulers.push(s);
  return s;
}

describe('Scheduler.request', () => {
  it('folds requests made before the run starts into one run', async () => {
    const s = scheduler();
    const fn = vi.fn(async () => {});
    for (let i = 0; i < 5; i++) s.request('gc', 10, fn);
    await vi.waitFor(() => expect(fn).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs once more after the current run when a request comes in while it runs', async () => {
    const s = scheduler();
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const fn = vi.fn().mockImplementationOnce(() => first).mockImplementation(async () => {});
    s.request('gc', 1, fn);
    await vi.waitFor(() => expect(fn).toHaveBeenCalledTimes(1));
    s.request('gc', 1, fn);
    s.request('gc', 1, fn);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fn).toHaveBeenCalledTimes(1);
    release();
    await vi.waitFor(() => expect(fn).toHaveBeenCalledTimes(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('runs nothing once stopped', async () => {
    const s = scheduler();
    const fn = vi.fn(async () => {});
    s.request('gc', 5, fn);
    s.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fn).not.toHaveBeenCalled();
  });
});
