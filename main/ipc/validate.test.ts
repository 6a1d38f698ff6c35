// IPC argument validation per channel and the sender rule (the dashboard's top frame on its origin only).
import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, isInvokeChannel, isTrustedSender, validateArgs } from './validate.js';

describe('validateArgs', () => {
  it('covers every contract channel, all named emu:<area>.<verb>', () => {
    expect(INVOKE_CHANNELS.length).toBe(9);
    for (const c of INVOKE_CHANNELS) expect(c).toMatch(/^emu:[a-z]+\.[a-zA-Z]+$/);
    expect(isInvokeChannel('emu:server.getStatus')).toBe(true);
    expect(isInvokeChannel('emu:server.exec')).toBe(false);
    expect(isInvokeChannel('toString')).toBe(false);
  });

  it('refuses arguments on channels that take none', () => {
    expect(validateArgs('emu:server.pause', [])).toEqual({ ok: true, args: [] });
    expect(validateArgs('emu:server.pause', ['now'])).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'emu:server.pause: expects no arguments' } });
  });

  it('accepts one bounded string for copyText', () => {
    expect(validateArgs('emu:shell.copyText', ['localhost:8088'])).toEqual({ ok: true, args: ['localhost:8088'] });
    expect(validateArgs('emu:shell.copyText', [42]).ok).toBe(false);
    expect(validateArgs('emu:shell.copyText', ['x'.repeat(5000)]).ok).toBe(false);
  });

  it('accepts only known boolean settings', () => {
    expect(validateArgs('emu:settings.update', [{ notifyPushes: true }])).toEqual({ ok: true, args: [{ notifyPushes: true }] });
    expect(validateArgs('emu:settings.update', [{ notifyPushes: 'yes' }])).toMatchObject({ ok: false, error: { message: 'emu:settings.update: setting "notifyPushes" must be true or false' } });
    expect(validateArgs('emu:settings.update', [{ __proto__: { x: 1 }, dataDir: '/' }])).toMatchObject({ ok: false, error: { message: 'emu:settings.update: unknown setting "dataDir"' } });
    expect(validateArgs('emu:settings.update', [null]).ok).toBe(false);
    expect(validateArgs('emu:settings.update', [[true]]).ok).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const origin = 'http://127.0.0.1:8088';
  it('trusts the dashboard top frame on the emulator origin', () => {
    expect(isTrustedSender({ url: 'http://127.0.0.1:8088/ui/#/feed', parent: null }, origin)).toBe(true);
  });
  it('refuses subframes, other origins, other paths and unknown origins', () => {
    expect(isTrustedSender({ url: 'http://127.0.0.1:8088/ui/', parent: {} }, origin)).toBe(false);
    expect(isTrustedSender({ url: 'http://evil.example/ui/', parent: null }, origin)).toBe(false);
    expect(isTrustedSender({ url: 'http://127.0.0.1:8089/ui/', parent: null }, origin)).toBe(false);
    expect(isTrustedSender({ url: 'http://127.0.0.1:8088/v2/', parent: null }, origin)).toBe(false);
    expect(isTrustedSender({ url: 'not a url', parent: null }, origin)).toBe(false);
    expect(isTrustedSender(null, origin)).toBe(false);
    expect(isTrustedSender({ url: 'http://127.0.0.1:8088/ui/', parent: null }, undefined)).toBe(false);
  });
});
