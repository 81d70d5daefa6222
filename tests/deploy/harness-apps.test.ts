// The system-test harness starts "every app" from its own ordered list; it must be dapr.yaml's apps, no more, no less.
import { readRunFile } from '@globalmart/devstack';
import { describe, expect, it } from 'vitest';
import { allApps } from '../harness/platform.ts';

describe('tests/harness allApps', () => {
  it("holds exactly dapr.yaml's apps, each once, with the gateway last", () => {
    expect([...allApps].sort()).toEqual(
      readRunFile()
        .apps.map((a) => a.appID)
        .sort(),
    );
    expect(new Set(allApps).size).toBe(allApps.length);
    expect(allApps.at(-1)).toBe('gateway');
  });
});
