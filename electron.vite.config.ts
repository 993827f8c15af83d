// electron-vite build: main (Electron main, engine worker, web host), preload and the Vue renderer.
//
// The folders are top-level (main/, preload/, renderer/, engine/), not src/<scope>/, so every entry
// is listed here. The engine worker and the web host are extra main-process entries so they land
// beside index.js in out/main/ (the Electron app and browser mode run the same worker.js).
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'main/electron/index.ts'),
          worker: resolve(__dirname, 'engine/host/worker.ts'),
          web: resolve(__dirname, 'main/web/start.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // No inline scripts or eval anywhere: the CSP forbids them.
      modulePreload: { polyfill: false },
      rolldownOptions: {
        input: { index: resolve(__dirname, 'renderer/index.html') },
      },
    },
  },
});
