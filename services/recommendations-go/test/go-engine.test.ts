// The Go engine's own checks, in `npm test`'s unit run: its generated contract types are not stale (regenerated from
// packages/contracts/generated/*.json with the pinned go-jsonschema and compared), and its Go unit tests pass.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const moduleDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('recommendations-go', () => {
  it('has Go contract types generated from the current JSON Schema (node src/generate.ts rewrites them)', async () => {
    const { stdout } = await run(process.execPath, [join(moduleDir, 'src/generate.ts'), '--check'], { cwd: moduleDir });
    expect(stdout).toContain('up to date');
  }, 300_000);

  it('passes go vet and its Go unit tests', async () => {
    await run('go', ['vet', './...'], { cwd: moduleDir });
    const { stdout } = await run('go', ['test', './...'], { cwd: moduleDir });
    expect(stdout).toMatch(/^ok\s+github\.com\/globalmart\/recommendations-go\s/m);
  }, 300_000);
});
