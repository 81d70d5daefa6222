import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appLaunch, ensureGoTwin, parseStacks, stackVariable } from '../src/stacks.ts';

describe('stacks', () => {
  it('reads RECOMMENDATIONS=go|ts (unset or empty: TypeScript) and refuses anything else, naming the variable', () => {
    expect(stackVariable('recommendations')).toBe('RECOMMENDATIONS');
    expect(parseStacks({})).toEqual({});
    expect(parseStacks({ RECOMMENDATIONS: '' })).toEqual({});
    expect(parseStacks({ RECOMMENDATIONS: 'go' })).toEqual({ recommendations: 'go' });
    expect(parseStacks({ RECOMMENDATIONS: ' ts ' })).toEqual({ recommendations: 'ts' });
    expect(() => parseStacks({ RECOMMENDATIONS: 'rust' })).toThrow('RECOMMENDATIONS: "rust" is not one of ts, go');
  });

  it('launches the TypeScript service by default and the built Go twin for go; an app without a twin is refused', async () => {
    expect(await appLaunch('recommendations', undefined)).toBeUndefined();
    expect(await appLaunch('recommendations', 'ts')).toBeUndefined();
    const go = await appLaunch('recommendations', 'go', () => {});
    expect(go?.cwd).toMatch(/services\/recommendations-go$/);
    expect(existsSync(go!.command[0]!)).toBe(true);
    // Cached by source hash: the second call returns the same binary without building.
    expect(await ensureGoTwin('recommendations', () => {})).toBe(go!.command[0]);
    await expect(appLaunch('catalog', 'go')).rejects.toThrow('catalog has no Go twin');
  }, 300_000);
});
