// Test runner configuration: unit tests sit beside their modules, cross-cutting suites in tests/.
// The Vue plugin lets renderer tests mount single-file components.
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['engine/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['node_modules/**', 'out/**', 'tests/e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
