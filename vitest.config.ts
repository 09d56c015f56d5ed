import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The multi-process test runs on its own: `npm run test:distributed`.
    exclude: ['test/**/*.e2e.test.ts', 'node_modules/**'],
    // Each file boots its own PGlite (WASM) and databases; two workers match the 2-core machines.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
