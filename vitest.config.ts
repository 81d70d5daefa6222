import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            // The storefront's component tests (jsdom, per file: `@vitest-environment jsdom`).
            'services/web/test/**/*.test.tsx',
            'tests/deploy/**/*.test.ts',
            'tests/fuzz/**/*.unit.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'system',
          include: ['tests/system/**/*.test.ts', 'tests/contract/**/*.test.ts', 'tests/fuzz/fuzz.test.ts'],
          environment: 'node',
          // Real sidecars, FerretDB and Redis start per file; starting them takes seconds, not ms.
          hookTimeout: 180_000,
          testTimeout: 60_000,
          // One platform at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The storefront and admin console in headless Chromium against the real platform.
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          hookTimeout: 240_000,
          testTimeout: 120_000,
          fileParallelism: false,
          // After the unit and system projects, never beside a system test's platform.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
