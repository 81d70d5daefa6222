// Bucket maths: UTC hours and days, money in minor units, report ranges.

export type Granularity = 'hour' | 'day';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const sizeMs = (g: Granularity) => (g === 'hour' ? HOUR_MS : DAY_MS);

/** The start of the UTC bucket holding `at` (epoch arithmetic: UTC has no DST, every hour and day is whole). */
export function bucketStart(g: Granularity, at: Date): Date {
  const size = sizeMs(g);
  return new Date(Math.floor(at.getTime() / size) * size);
}

export function bucketEnd(g: Granularity, start: Date): Date {
  return new Date(start.getTime() + sizeMs(g));
}

/** `hour:2026-05-01T10:00:00.000Z`: the bucket document's _id, and the key its read-modify-writes are serialised on. */
export function bucketId(g: Granularity, start: Date): string {
  return `${g}:${start.toISOString()}`;
}

/** The starts of the hours of the day that begins at `dayStart`. */
export function hoursOfDay(dayStart: Date): Date[] {
  return Array.from({ length: 24 }, (_, i) => new Date(dayStart.getTime() + i * HOUR_MS));
}

/** Decimal major units as carried by events (19.99) → integer minor units (1999), without float drift. */
export function toMinor(major: number): number {
  return Math.round(major * 100);
}

/** Integer minor units → major units with at most 2 decimals (1999 → 19.99). */
export function toMajor(minor: number): number {
  return Math.round(minor) / 100;
}

export interface ReportRange {
  from: Date;
  to: Date;
}

/** The query's range: `to` defaults to now, `from` to 7 days before `to`. */
export function reportRange(q: { from?: string | undefined; to?: string | undefined }, now: Date): ReportRange {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY_MS);
  return { from, to };
}

/**
 * Buckets are whole hours or days, so a range is applied at bucket resolution: a bucket belongs to [from, to)
 * when it overlaps it, i.e. its start lies in [bucketStart(from), to).
 */
export function bucketWindow(g: Granularity, range: ReportRange): { firstStart: Date; endBefore: Date } {
  return { firstStart: bucketStart(g, range.from), endBefore: range.to };
}

/** A ratio rounded to 4 decimals; 0 when there is nothing to divide by. */
export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? Math.round((numerator / denominator) * 10_000) / 10_000 : 0;
}
