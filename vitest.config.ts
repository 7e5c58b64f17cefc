import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['constructs/src/**/*.test.ts', 'cli/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['./vitest.global-setup.ts'],
  },
});
