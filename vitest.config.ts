import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.cache/**'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Two cores on CI: the heavy suites (CPU vectors, guest boots, QEMU oracles) each use one.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
