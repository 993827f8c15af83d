// Vitest for renderer tests that mount single-file components: the shared config plus the Vue plugin.
import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['renderer/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
