import { defineConfig } from 'vitest/config';

/**
 * Reliability suites (fuzzing, auth matrix, fault injection, concurrency, dependency audit): slower than the unit
 * and API tests, so they run on their own with `npm run test:reliability`. Files run one after another: each starts
 * its own local stack and they share two cores with whatever else runs on the machine.
 */
export default defineConfig({
  test: {
    include: ['reliability/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
