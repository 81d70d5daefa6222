import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@globalmart/devstack';

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export function saveResult(name: string, result: Record<string, unknown>): string {
  const at = new Date().toISOString();
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  const file = join(repoRoot, 'bench/results', `${name}-${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, at, machine: { cores: availableParallelism(), node: process.versions.node }, ...result }, null, 2)}\n`,
  );
  return file;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
