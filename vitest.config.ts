// Test runner configuration: unit tests sit beside their code, cluster tests under test/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores here: cluster tests start real processes, so keep files from piling up.
    maxWorkers: 2,
    pool: 'forks',
  },
});
