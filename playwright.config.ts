// Playwright: end-to-end tests of the renderer in Debian's Chromium, through the web host serving the built app.
//
// Run `npx electron-vite build` first; the web server below serves out/renderer and spawns out/main/worker.js.
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.BPFDBG_E2E_PORT ?? 47819);
const CHROMIUM = process.env.BPFDBG_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  // The Electron suite has its own config (playwright.electron.config.ts): no web server, no browser.
  testIgnore: /electron.*\.spec\.ts$/,
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
    trace: 'off',
  },
  webServer: {
    command: `node out/main/web.js --port ${PORT} --workspaces test-results/e2e/workspaces`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
  },
});
