import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The admin console's component tests are TSX (React 19's automatic runtime).
  esbuild: { jsx: 'automatic' },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'admin/src/**/*.test.{ts,tsx}'],
    // The multi-process test runs on its own: `npm run test:distributed`.
    exclude: ['test/distributed.e2e.test.ts', 'node_modules/**'],
    // Each file boots its own PGlite (WASM) and databases; two workers match the 2-core machines.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
