// Test runner configuration: unit tests sit beside their code (scripts' too), end-to-end tests under test/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/fast-check-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
