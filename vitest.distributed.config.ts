import { defineConfig } from 'vitest/config';

/**
 * `npm run test:distributed`: the multi-process end-to-end test (test/distributed.e2e.test.ts),
 * alone, one file at a time — it starts a dozen OS processes itself. `npm test` leaves it out.
 */
export default defineConfig({
  test: {
    include: ['test/distributed.e2e.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    reporters: ['default'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
  },
});
