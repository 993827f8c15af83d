// Playwright for the real Electron app (tests/e2e/electron*.spec.ts through _electron): no web server, no browser.
//
// Build first (`npx electron-vite build`), then `npx playwright test -c playwright.electron.config.ts`.
// Where no Electron binary is installed the suite skips and prints why (see tests/e2e/electron.spec.ts).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: /electron.*\.spec\.ts$/,
  outputDir: 'test-results/e2e-electron',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
});
