import { describe, expect, it } from 'vitest';
import { bucketId, bucketStart, bucketWindow, hoursOfDay, ratio, reportRange, toMajor, toMinor } from '../src/buckets.ts';

describe('bucket maths', () => {
  it.each([
    ['hour', '2026-05-01T10:59:59.999Z', '2026-05-01T10:00:00.000Z'],
    ['hour', '2026-05-01T11:00:00.000Z', '2026-05-01T11:00:00.000Z'],
    ['day', '2026-05-01T23:59:59.999Z', '2026-05-01T00:00:00.000Z'],
    ['day', '2026-05-02T00:00:00.000Z', '2026-05-02T00:00:00.000Z'],
    // An offset time lands in its UTC hour and day.
    ['hour', '2026-05-01T00:30:00+02:00', '2026-04-30T22:00:00.000Z'],
    ['day', '2026-05-01T00:30:00+02:00', '2026-04-30T00:00:00.000Z'],
    // Leap day, and the last hour of a year.
    ['day', '2028-02-29T12:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['hour', '2026-12-31T23:10:00Z', '2026-12-31T23:00:00.000Z'],
  ] as const)('%s bucket of %s starts at %s', (g, at, start) => {
    expect(bucketStart(g, new Date(at)).toISOString()).toBe(start);
  });

  it('names buckets by granularity and start, and lists a day’s 24 hours', () => {
    expect(bucketId('hour', new Date('2026-05-01T10:00:00Z'))).toBe('hour:2026-05-01T10:00:00.000Z');
    const hours = hoursOfDay(new Date('2026-05-01T00:00:00Z'));
    expect(hours).toHaveLength(24);
    expect(hours[23]!.toISOString()).toBe('2026-05-01T23:00:00.000Z');
  });

  it('converts money to minor units and back without float drift', () => {
    expect(toMinor(19.99)).toBe(1999);
    expect(toMinor(0.1 + 0.2)).toBe(30);
    expect(toMinor(1_000_000)).toBe(100_000_000);
    // 1000 × 0.1 in floats is 99.9999…; in minor units it is exactly 100.00.
    const minor = Array.from({ length: 1000 }, () => toMinor(0.1)).reduce((a, b) => a + b, 0);
    expect(toMajor(minor)).toBe(100);
    expect(toMajor(1999)).toBe(19.99);
    expect(toMajor(5)).toBe(0.05);
  });

  it('defaults the range to the 7 days before now, and applies it at bucket resolution', () => {
    const now = new Date('2026-05-08T12:34:00Z');
    expect(reportRange({}, now)).toEqual({ from: new Date('2026-05-01T12:34:00Z'), to: now });
    expect(reportRange({ to: '2026-05-03T00:00:00Z' }, now).from.toISOString()).toBe('2026-04-26T00:00:00.000Z');
    const range = reportRange({ from: '2026-05-01T10:30:00Z', to: '2026-05-01T12:00:00Z' }, now);
    expect(bucketWindow('hour', range)).toEqual({
      firstStart: new Date('2026-05-01T10:00:00Z'),
      endBefore: new Date('2026-05-01T12:00:00Z'),
    });
    expect(bucketWindow('day', range).firstStart.toISOString()).toBe('2026-05-01T00:00:00.000Z');
  });

  it('rounds ratios to 4 decimals and answers 0 for nothing to divide by', () => {
    expect(ratio(1, 3)).toBe(0.3333);
    expect(ratio(2, 3)).toBe(0.6667);
    expect(ratio(5, 0)).toBe(0);
    expect(ratio(3, 2)).toBe(1.5);
  });
});
