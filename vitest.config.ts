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
            'tests/deploy/**/*.test.ts',
            'tests/fuzz/**/*.unit.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'system',
          include: ['tests/system/**/*.test.ts', 'tests/fuzz/fuzz.test.ts'],
          environment: 'node',
          // Real sidecars, FerretDB and Redis start per file; starting them takes seconds, not ms.
          hookTimeout: 180_000,
          testTimeout: 60_000,
          // One platform at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
