// End-to-end against the real Electron app (Playwright's _electron): the main browser-mode scenarios, plus what only the desktop host does.
//
// Runs where an Electron binary is installed (node_modules/electron/dist, or ELECTRON_OVERRIDE_DIST_PATH);
// elsewhere (CI here sets ELECTRON_SKIP_BINARY_DOWNLOAD=1) every test skips with the reason printed.
// `require('electron')` is never called: without a binary it tries to download one.
// Build first (`npx electron-vite build`); run with `npx playwright test -c playwright.electron.config.ts`.
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'resources', 'examples');
const SHOTS = path.join(__dirname, 'screenshots');
const MAIN = path.join(ROOT, 'out', 'main', 'index.js');

/** The Electron executable, or why there is none (as node_modules/electron/index.js finds it, minus the download). */
function electronBinary(): { path: string } | { reason: string } {
  const pkg = path.join(ROOT, 'node_modules', 'electron');
  const pathTxt = path.join(pkg, 'path.txt');
  const rel = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const exe = override ? path.join(override, rel ?? 'electron') : rel ? path.join(pkg, 'dist', rel) : undefined;
  if (exe && existsSync(exe)) return existsSync(MAIN) ? { path: exe } : { reason: `${MAIN} is missing: run npx electron-vite build first` };
  const why = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ? ' (ELECTRON_SKIP_BINARY_DOWNLOAD is set, so npm install did not fetch it)' : '';
  return { reason: `no Electron binary: ${exe ?? path.join(pkg, 'dist')} does not exist${why}` };
}

const binary = electronBinary();
const skipReason = 'reason' in binary ? binary.reason : undefined;
if (skipReason) process.stdout.write(`electron.spec.ts: skipping the Electron suite: ${skipReason}\n`);

let app: ElectronApplication;
let page: Page;
let profile: string;

test.describe('Electron app', () => {
  test.skip(skipReason !== undefined, skipReason);

  test.beforeEach(async () => {
    if (!('path' in binary)) return;
    profile = mkdtempSync(path.join(tmpdir(), 'bpfdbg-electron-'));
    app = await electron.launch({
      executablePath: binary.path,
      // Root in a container cannot use Chromium's setuid sandbox; the renderer sandbox flag is still checked below.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN],
      env: { ...process.env, BPFDBG_USER_DATA: profile, ELECTRON_RENDERER_URL: '' },
    });
    page = await app.firstWindow();
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.getByText('desktop', { exact: true })).toBeVisible();
  });

  test.afterEach(async () => {
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the window is sandboxed and isolated, with no Node in the page and only the preload API', async () => {
    // getLastWebPreferences is Electron's internal accessor (not in its typings): use it where it exists.
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0].webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
      const p = contents.getLastWebPreferences?.();
      return p ? { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration, webviewTag: p.webviewTag } : undefined;
    });
    if (prefs) expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    else test.info().annotations.push({ type: 'note', description: 'webContents.getLastWebPreferences is not available; checked by behaviour only' });
    const page_ = await page.evaluate(() => {
      const g = globalThis as unknown as { require?: unknown; process?: unknown; bpfdbg: object };
      return { require: typeof g.require, process: typeof g.process, api: Object.keys(g.bpfdbg).sort() };
    });
    expect(page_).toEqual({ require: 'undefined', process: 'undefined', api: ['host', 'onMenu', 'onMessage', 'send'] });
    // New windows and navigation are refused; the page stays where it is.
    const before = page.url();
    await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/'));
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(app.windows()).toHaveLength(1);
    expect(page.url()).toBe(before);
    // An inline script is blocked by the CSP.
    const ran = await page.evaluate(() => {
      const g = globalThis as unknown as {
        __inline?: number;
        document: { createElement(t: string): { textContent: string }; head: { append(n: unknown): void } };
      };
      const s = g.document.createElement('script');
      s.textContent = 'globalThis.__inline = 1';
      g.document.head.append(s);
      return g.__inline;
    });
    expect(ran).toBeUndefined();
    // The engine refuses a malformed request before it reaches the worker (preload validation).
    const refused = await page.evaluate(() => (globalThis as unknown as { bpfdbg: { send(m: unknown): string | undefined } }).bpfdbg.send({ type: 'request', id: 1, request: { kind: 'open', name: 1 } }));
    expect(refused).toContain('must be');
  });

  test('the application menu has the File, Debug and View items', async () => {
    const labels = await app.evaluate(({ Menu }) => {
      const out: string[] = [];
      const walk = (items: Electron.MenuItem[]): void => {
        for (const i of items) {
          if (i.label) out.push(i.label);
          if (i.submenu) walk(i.submenu.items);
        }
      };
      walk(Menu.getApplicationMenu()?.items ?? []);
      return out;
    });
    for (const l of ['Open Object File (.o)…', 'Open Assembly…', 'Open Raw Bytecode…', 'Open 2013-Dialect Image…', 'Open Recent', 'Save Workspace', 'Open Workspace…', 'Export Listing…', 'Run', 'Continue', 'Step Into', 'Step Over', 'Step Out', 'Step Back', 'Toggle Breakpoint', 'Toggle Light/Dark Theme']) {
      expect(labels, l).toContain(l);
    }
  });

  test('opens an example object, debugs with the keyboard, steps back; a malformed file gives a clear error', async () => {
    await page.getByTestId('file-input').setInputFiles({ name: 'xdp_parse.o', mimeType: 'application/octet-stream', buffer: readFileSync(path.join(EXAMPLES, 'xdp_parse.o')) });
    const listing = page.getByTestId('listing');
    await expect(listing.getByText('r7 = *(u32 *)(r1 + 0x4)')).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, 'electron-object-listing.png') });

    const src = ['r1 = 5', 'r2 = 7', 'r1 += r2', '*(u64 *)(r10 - 8) = r1', 'r0 = r1', 'exit', ''].join('\n');
    await page.getByTestId('file-input').setInputFiles({ name: 'p.s', mimeType: 'text/plain', buffer: Buffer.from(src) });
    const status = page.getByTestId('status');
    await expect(listing.getByText('r2 = 0x7')).toBeVisible();
    await page.keyboard.press('F11');
    await expect(status).toHaveText('ready at insn 0');
    await page.keyboard.press('F11');
    await expect(status).toHaveText('ready at insn 1');
    await listing.locator('.line.insn', { hasText: 'r0 = r1' }).click();
    await page.keyboard.press('F9');
    await page.keyboard.press('F5');
    await expect(status).toHaveText('ready at insn 4');
    await expect(page.getByTestId('stack').locator('[data-slot="fp-8"]')).toContainText('0c 00 00 00 00 00 00 00');
    await page.keyboard.press('Shift+F10');
    await expect(status).toHaveText('ready at insn 3');
    await page.screenshot({ path: path.join(SHOTS, 'electron-debug.png') });

    await page.getByTestId('file-input').setInputFiles({ name: 'broken.o', mimeType: 'application/octet-stream', buffer: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]) });
    await expect(page.getByTestId('notice-error')).toContainText('Could not open broken.o');
  });

  test('File > Save Workspace writes the file atomically; reopening the app restores the program and breakpoints', async () => {
    const wsFile = path.join(profile, 'mine.bpfdbg.json');
    const program = path.join(profile, 'p.s');
    writeFileSync(program, 'r1 = 5\nr2 = 7\nr0 = r1\nexit\n');
    // Native dialogs answered in the main process.
    await app.evaluate(({ dialog }, files) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [files.program] })) as typeof dialog.showOpenDialog;
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: files.wsFile })) as typeof dialog.showSaveDialog;
    }, { program, wsFile });
    const click = (label: string) => app.evaluate(({ Menu, BrowserWindow }, l) => {
      const find = (items: Electron.MenuItem[]): Electron.MenuItem | undefined => {
        for (const i of items) {
          if (i.label === l) return i;
          const s = i.submenu ? find(i.submenu.items) : undefined;
          if (s) return s;
        }
        return undefined;
      };
      const item = find(Menu.getApplicationMenu()?.items ?? []);
      if (!item) throw new Error(`no menu item ${l}`);
      item.click(undefined, BrowserWindow.getAllWindows()[0], undefined as never);
    }, label);
    await click('Open Assembly…');
    await expect(page.getByTestId('listing').getByText('r0 = r1', { exact: true })).toBeVisible();
    await page.getByTestId('listing').locator('.line.insn', { hasText: 'r0 = r1' }).click();
    await page.keyboard.press('F9');
    await expect(page.getByTestId('listing').locator('button.gutter.on')).toHaveCount(1);
    await click('Save Workspace');
    await expect(page.getByTestId('notice-info')).toContainText('Saved the workspace');
    const saved = JSON.parse(readFileSync(wsFile, 'utf8')) as { program: { path: string }; breakpoints: { pc: number }[] };
    expect(saved.program.path).toBe(program);
    expect(saved.breakpoints.map((b) => b.pc)).toEqual([2]);

    // Relaunch: the autosave brings the session back.
    await page.waitForTimeout(2000);
    await app.close();
    app = await electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN],
      env: { ...process.env, BPFDBG_USER_DATA: profile, ELECTRON_RENDERER_URL: '' },
    });
    page = await app.firstWindow();
    await expect(page.getByTestId('listing').getByText('r0 = r1', { exact: true })).toBeVisible();
    await expect(page.getByTestId('listing').locator('button.gutter.on')).toHaveCount(1);
    await page.screenshot({ path: path.join(SHOTS, 'electron-restored.png') });
  });
});
