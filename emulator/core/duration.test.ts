import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it('reads protobuf Durations, with fractions and a sign', () => {
    expect(parseDurationMs('2592000s')).toBe(2_592_000_000);
    expect(parseDurationMs('2592000.0s')).toBe(2_592_000_000);
    expect(parseDurationMs('1.5s')).toBe(1_500);
    expect(parseDurationMs('-60s')).toBe(-60_000);
  });

  it('reads the short human forms gcloud takes, combined', () => {
    expect(parseDurationMs('30d')).toBe(30 * 86_400_000);
    expect(parseDurationMs('1d12h')).toBe(36 * 3_600_000);
    expect(parseDurationMs('90m')).toBe(5_400_000);
    expect(parseDurationMs('2W')).toBe(14 * 86_400_000);
  });

  it('reads ISO 8601 durations', () => {
    expect(parseDurationMs('P30D')).toBe(30 * 86_400_000);
    expect(parseDurationMs('PT2H30M')).toBe(9_000_000);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 's', '30', 'thirty days', '30x', 'P', 'PT', '1e3s', '--5s', '30 d']) expect(parseDurationMs(bad), bad).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('writes the canonical protobuf form', () => {
    expect(formatDuration(2_592_000_000)).toBe('2592000s');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(-60_000)).toBe('-60s');
    expect(formatDuration(0)).toBe('0s');
  });
});
