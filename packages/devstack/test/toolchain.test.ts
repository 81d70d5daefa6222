import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPostgres } from '../src/toolchain.ts';

const programs = ['initdb', 'postgres', 'pg_isready', 'createdb', 'psql'];
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gm-toolchain-'));
  dirs.push(dir);
  return dir;
}

function fakeBin(dir: string, names = programs): string {
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe('findPostgres', () => {
  it("takes the highest major version of Debian's layout that has every program", () => {
    const root = scratch();
    fakeBin(join(root, '9.6', 'bin'));
    fakeBin(join(root, '15', 'bin'));
    fakeBin(join(root, '16', 'bin'), ['initdb', 'postgres']); // an incomplete install (client only, say)
    expect(findPostgres(root, '')?.binDir).toBe(join(root, '15', 'bin'));
    expect(findPostgres(root, '')?.pgIsReady).toBe(join(root, '15', 'bin', 'pg_isready'));
  });

  it("falls back to initdb's real folder on PATH", () => {
    const base = scratch();
    const real = fakeBin(join(base, 'pg', 'bin'));
    const onPath = join(base, 'path');
    mkdirSync(onPath);
    symlinkSync(join(real, 'initdb'), join(onPath, 'initdb'));
    expect(findPostgres(join(base, 'none'), onPath)?.postgres).toBe(join(real, 'postgres'));
  });

  it('finds nothing when the server programs are missing', () => {
    const base = scratch();
    fakeBin(join(base, 'path'), ['psql']);
    expect(findPostgres(join(base, 'none'), join(base, 'path'))).toBeUndefined();
  });
});
