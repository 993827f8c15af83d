// End-to-end: the built renderer in Chromium through the web host and the real engine worker.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const EXAMPLES = path.join(__dirname, '..', '..', 'resources', 'examples');
const SHOTS = path.join(__dirname, 'screenshots');

async function openFile(page: Page, name: string, buffer: Buffer, mimeType = 'application/octet-stream'): Promise<void> {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer });
}

async function ready(page: Page): Promise<void> {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.getByTestId('empty')).toBeVisible();
  await expect(page.getByText('browser mode')).toBeVisible();
}

test('opens an example object and shows its listing with source lines', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await ready(page);
  await openFile(page, 'xdp_parse.o', readFileSync(path.join(EXAMPLES, 'xdp_parse.o')));
  const listing = page.getByTestId('listing');
  await expect(listing.getByText('xdp_drop_discard:')).toBeVisible();
  // The first instruction as llvm-objdump prints it (resources/examples/xdp_parse.objdump).
  await expect(listing.getByText('r7 = *(u32 *)(r1 + 0x4)')).toBeVisible();
  await expect(listing.getByText('61 17 04 00 00 00 00 00')).toBeVisible();
  await expect(listing.getByText('void *data_end = (void *)(long)ctx->data_end;')).toBeVisible();
  const programs = page.getByTestId('program-select');
  await expect(programs.locator('option')).toHaveCount(2);
  await page.screenshot({ path: path.join(SHOTS, 'object-listing-dark.png') });

  await programs.selectOption({ index: 1 });
  await expect(listing.getByText('tc_drop_discard:')).toBeVisible();

  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.screenshot({ path: path.join(SHOTS, 'object-listing-light.png') });
  expect(errors).toEqual([]);
});

test('raw bytecode with a bad instruction: diagnostics point into the listing', async ({ page }) => {
  await ready(page);
  const words = [[0xb7, 0, 0, 0, 7, 0, 0, 0], [0xff, 0, 0, 0, 0, 0, 0, 0], [0x95, 0, 0, 0, 0, 0, 0, 0]];
  await openFile(page, 'bad.bin', Buffer.from(words.flat()));
  const listing = page.getByTestId('listing');
  await expect(listing.locator('.line.invalid')).toContainText('<unknown>');
  await expect(page.getByTestId('diagnostics')).toContainText('unknown opcode 0xff');
  await page.getByTestId('diagnostics').getByRole('button', { name: /insn 1/ }).click();
  await page.screenshot({ path: path.join(SHOTS, 'raw-diagnostics.png') });
});

test('a malformed object gives a clear error where the listing would be', async ({ page }) => {
  await ready(page);
  const bad = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]);
  await openFile(page, 'broken.o', bad);
  const card = page.getByTestId('open-error');
  await expect(card).toBeVisible();
  await expect(card).toContainText('Could not open broken.o');
  await expect(card).toContainText('shorter than the 64-byte ELF64 header');
  await expect(page.getByTestId('notice-error')).toContainText('Could not open broken.o');
  await expect(page.getByTestId('diagnostics')).toContainText('obj.elf.truncated');
  await page.screenshot({ path: path.join(SHOTS, 'malformed-object.png') });
});

test('assembly text is assembled and listed with its source lines', async ({ page }) => {
  await ready(page);
  const asm = ['entry:', '  r0 = 0', '  r1 = 10', 'loop:', '  r0 += r1', '  r1 -= 1', '  if r1 != 0 goto loop', '  exit', ''].join('\n');
  await openFile(page, 'loop.s', Buffer.from(asm), 'text/plain');
  const listing = page.getByTestId('listing');
  await expect(listing.getByText('loop:', { exact: true })).toBeVisible();
  await expect(listing.getByText('if r1 != 0x0 goto loop')).toBeVisible();
  // r1 -= 1 is sub with an immediate (0x17), as llvm-mc encodes it.
  await expect(listing.getByText('17 01 00 00 01 00 00 00')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'assembly-listing.png') });
});

test('a 100k-instruction program scrolls to its end', async ({ page }) => {
  await ready(page);
  const n = 100_000;
  const bytes = Buffer.alloc(n * 8);
  for (let i = 0; i < n - 1; i++) bytes.set([0x07, 0x00, 0x00, 0x00, i & 0xff, 0, 0, 0], i * 8);
  bytes.set([0x95, 0, 0, 0, 0, 0, 0, 0], (n - 1) * 8);
  await openFile(page, 'big.bin', bytes);
  const listing = page.getByTestId('listing');
  await expect(listing.getByText('r0 += 0x1', { exact: true })).toBeVisible();
  const viewport = listing.locator('.viewport');
  await viewport.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await expect(listing.getByText('99999', { exact: true })).toBeVisible();
  await expect(listing.getByText('exit', { exact: true })).toBeVisible();
  // Keyboard selection moves between instruction lines.
  await listing.getByText('99998', { exact: true }).click();
  await viewport.press('ArrowDown');
  await expect(listing.locator('.line.selected')).toContainText('exit');
  // Only the visible window is in the DOM, not 100k rows.
  expect(await listing.locator('.line').count()).toBeLessThan(200);
  await viewport.evaluate((el) => {
    el.scrollTop = el.scrollHeight / 2;
  });
  await expect(listing.getByText('50000', { exact: true })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'big-program-middle.png') });
});

test('debugs a program with the keyboard: step, breakpoint, run, step back, console', async ({ page }) => {
  await ready(page);
  const src = ['r1 = 5', 'r2 = 7', 'r1 += r2', '*(u64 *)(r10 - 8) = r1', 'r0 = r1', 'exit', ''].join('\n');
  await openFile(page, 'p.s', Buffer.from(src), 'text/plain');
  const listing = page.getByTestId('listing');
  const status = page.getByTestId('status');
  const registers = page.getByTestId('registers');
  await expect(listing.getByText('r2 = 0x7')).toBeVisible();

  await page.keyboard.press('F11');
  await expect(status).toHaveText('ready at insn 0');
  await page.keyboard.press('F11');
  await expect(status).toHaveText('ready at insn 1');
  await expect(registers.locator('tr', { hasText: 'r1' }).first()).toContainText('0x5');

  await listing.locator('.line.insn', { hasText: 'r0 = r1' }).click();
  await page.keyboard.press('F9');
  await expect(listing.locator('button.gutter.on')).toHaveCount(1);
  await page.keyboard.press('F5');
  await expect(status).toHaveText('ready at insn 4');
  await expect(page.getByTestId('console')).toContainText('Breakpoint 1');
  await expect(page.getByTestId('stack')).toContainText('fp-8: 0c 00 00 00 00 00 00 00');
  await expect(page.getByTestId('maps')).toContainText('not available yet');
  await page.screenshot({ path: path.join(SHOTS, 'debug-breakpoint.png') });

  await page.keyboard.press('Shift+F10');
  await expect(status).toHaveText('ready at insn 3');
  await page.getByTestId('console').click();
  await page.keyboard.type('print r1');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('console')).toContainText('$1 = 12 (0xc)');

  await page.keyboard.press('F5');
  await expect(status).toHaveText('ready at insn 4');
  await page.keyboard.press('F5');
  await expect(status).toContainText('exited at insn');
  await expect(status).toContainText('r0 = 0xc');
  await page.screenshot({ path: path.join(SHOTS, 'debug-exited.png') });
});

test('Stop cancels a run that would not end by itself', async ({ page }) => {
  await ready(page);
  await openFile(page, 'loop.s', Buffer.from('r0 = 0\nloop:\nr0 += 1\ngoto loop\n'), 'text/plain');
  await expect(page.getByTestId('listing').getByText('goto loop', { exact: true })).toBeVisible();
  await page.keyboard.press('F5');
  const stop = page.getByTestId('stop');
  await expect(stop).toBeVisible();
  await stop.click();
  await expect(stop).toBeHidden();
  await expect(page.getByTestId('status')).toHaveText(/^ready at insn [0-2]$/);
  await expect(page.getByTestId('console')).toContainText('cancel');
});
