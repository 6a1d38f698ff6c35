// Test projects: fast unit/component tests beside the code, and integration tests with real clients.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['emulator/**/*.test.ts', 'test/unit/**/*.test.ts', 'scripts/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // real clients (dockerd, podman, buildah) share machine state: one file at a time
          fileParallelism: false,
        },
      },
    ],
  },
});
