// End-to-end: the built renderer in Chromium through the web host and the real engine worker.
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const EXAMPLES = path.join(__dirname, '..', '..', 'resources', 'examples');
const SHOTS = path.join(__dirname, 'screenshots');
/** The web host's workspace directory (playwright.config.ts: --workspaces test-results/e2e/workspaces). */
const WORKSPACES = path.join(__dirname, '..', '..', 'test-results', 'e2e', 'workspaces');

/**
 * Every test starts as a first start: the previous test's autosave (and its .bak) would otherwise be
 * restored at startup (a program, breakpoints, the verifier tab re-verifying a 1M-insn loop...).
 */
function forgetAutosave(): void {
  let names: string[] = [];
  try {
    names = readdirSync(WORKSPACES);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith('autosave.') || n.startsWith('.autosave.')) rmSync(path.join(WORKSPACES, n), { force: true });
}

async function openFile(page: Page, name: string, buffer: Buffer, mimeType = 'application/octet-stream'): Promise<void> {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer });
}

async function ready(page: Page): Promise<void> {
  forgetAutosave();
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

test('the splitters resize the state panes and the console area', async ({ page }) => {
  await ready(page);
  await openFile(page, 'xdp_parse.o', readFileSync(path.join(EXAMPLES, 'xdp_parse.o')));
  await expect(page.getByTestId('listing').getByText('xdp_drop_discard:')).toBeVisible();
  const state = page.getByTestId('state-area');
  const bottom = page.getByTestId('bottom-area');
  const width = async (): Promise<number> => (await state.boundingBox())?.width ?? 0;
  const height = async (): Promise<number> => (await bottom.boundingBox())?.height ?? 0;
  const w0 = await width();
  const bar = await page.getByTestId('split-state').boundingBox();
  if (!bar) throw new Error('no state splitter');
  // Drag the bar 120 px to the left: the state panes to its right grow by as much.
  await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
  await page.mouse.down();
  await page.mouse.move(bar.x + bar.width / 2 - 60, bar.y + bar.height / 2, { steps: 4 });
  await page.mouse.move(bar.x + bar.width / 2 - 120, bar.y + bar.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect.poll(width).toBeCloseTo(w0 + 120, 0);
  // The keyboard: ArrowUp on the focused console splitter moves it up 10 px, the console grows.
  const h0 = await height();
  await page.getByTestId('split-bottom').focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect.poll(height).toBeCloseTo(h0 + 20, 0);
  await page.screenshot({ path: path.join(SHOTS, 'resized-panes.png') });
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
  const slot = page.getByTestId('stack').locator('[data-slot="fp-8"]');
  await expect(slot).toContainText('0c 00 00 00 00 00 00 00');
  await expect(slot).toContainText('spilled scalar');
  await expect(slot).toContainText('spilled r1 at pc 3');
  await page.getByTestId('tab-maps').click();
  await expect(page.getByTestId('maps')).toContainText('The program has no maps.');
  await page.getByTestId('tab-stack').click();
  await page.screenshot({ path: path.join(SHOTS, 'debug-breakpoint.png') });

  await page.keyboard.press('Shift+F10');
  await expect(status).toHaveText('ready at insn 3');
  // Stepping the store forward again: the slot it writes is highlighted as the last write.
  await page.keyboard.press('F11');
  await expect(status).toHaveText('ready at insn 4');
  await expect(page.getByTestId('stack').locator('tr.written')).toHaveText(/fp-8/);
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

test('registers: number formats, changed-since-last-step, editing while paused', async ({ page }) => {
  await ready(page);
  await openFile(page, 'e.s', Buffer.from('r1 = -2\nr2 = r1\nr0 = r2\nexit\n'), 'text/plain');
  await expect(page.getByTestId('listing').getByText('r0 = r2', { exact: true })).toBeVisible();
  const status = page.getByTestId('status');
  const registers = page.getByTestId('registers');
  const r1 = registers.locator('tr[data-reg="r1"]');
  await page.keyboard.press('F11');
  await expect(status).toHaveText('ready at insn 0');
  await page.keyboard.press('F11');
  await expect(r1).toContainText('0xfffffffffffffffe');
  await expect(r1).toHaveClass(/changed/);
  await page.getByTestId('format-signed').click();
  await expect(r1).toContainText('-2');
  await page.getByTestId('format-unsigned').click();
  await expect(r1).toContainText('18446744073709551614');
  await page.getByTestId('format-hex').click();
  await page.keyboard.press('F11');
  await expect(status).toHaveText('ready at insn 2');
  await expect(r1).not.toHaveClass(/changed/);
  await expect(registers.locator('tr[data-reg="r2"]')).toHaveClass(/changed/);

  // Edit r2 (decimal input); the program returns it.
  await registers.locator('tr[data-reg="r2"] td.value').dblclick();
  const editor = registers.getByLabel('New value of r2');
  await editor.fill('1234');
  await editor.press('Enter');
  await expect(registers.locator('tr[data-reg="r2"]')).toContainText('0x4d2');
  await registers.locator('tr[data-reg="r3"] td.value').dblclick();
  await registers.getByLabel('New value of r3').fill('bogus');
  await registers.getByLabel('New value of r3').press('Enter');
  await expect(page.getByTestId('notice-error')).toContainText('r3: "bogus" is not a number');
  await page.screenshot({ path: path.join(SHOTS, 'registers-edit.png') });
  await registers.getByLabel('New value of r3').press('Escape');
  await page.keyboard.press('F5');
  await expect(status).toContainText('exited with r0 = 0x4d2');
  // The whole status is shown (it wraps in a narrow column rather than being cut off).
  await page.getByTestId('split-state').focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
  expect(await status.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= (el.parentElement?.getBoundingClientRect().right ?? 0) + 0.5)).toBe(true);
});

test('kprobe inputs and maps: pt_regs by name, probe_read memory, map entry added before the run', async ({ page }) => {
  await ready(page);
  await openFile(page, 'kprobe_openat.o', readFileSync(path.join(EXAMPLES, 'kprobe_openat.o')));
  await expect(page.getByTestId('listing').getByText('trace_openat2:')).toBeVisible();
  await page.getByTestId('tab-inputs').click();
  const inputs = page.getByTestId('inputs');
  await inputs.getByRole('button', { name: 'Start the program' }).click();
  await expect(page.getByTestId('status')).toHaveText('ready at insn 0');
  await expect(page.getByTestId('run-type')).toHaveValue('kprobe');
  // The filename pointer is pt_regs->si; it points at a string in kernel memory.
  await inputs.locator('input[data-field="si"]').fill('0xffff888200100000');
  await page.getByTestId('add-memory').click();
  await inputs.getByLabel('Address of memory 0').fill('0xffff888200100000');
  await inputs.getByLabel('Content of memory 0').fill('/etc/passwd');
  await page.getByTestId('apply-inputs').click();
  await expect(inputs).toContainText('at 0xffff888200100000');
  await expect(page.getByTestId('console')).toContainText('Restarted trace_openat2 with new inputs');
  await page.screenshot({ path: path.join(SHOTS, 'inputs-kprobe.png') });

  await page.getByTestId('tab-maps').click();
  const opens = page.getByTestId('maps').locator('[data-map="opens"]');
  await expect(opens).toContainText('hash · key 4 B · value 48 B · max 1024');
  await expect(opens).toContainText('0 entries');
  // A wrong key size is an error in the notice bar, not a silent no-op.
  await opens.getByLabel('New key for opens').fill('01 02');
  await opens.getByLabel('New value for opens').fill('00');
  await opens.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByTestId('notice-error')).toContainText('opens key: 2 bytes given; 4 needed');
  // The simulated task's pid (4242, get_current_pid_tgid >> 32) with count 41.
  await opens.getByLabel('New key for opens').fill('4242');
  await opens.getByLabel('New value for opens').fill(`29 ${'00 '.repeat(47).trim()}`);
  await opens.getByRole('button', { name: 'Add' }).click();
  await expect(opens).toContainText('1 entry');
  await expect(opens).toContainText('92 10 00 00 = 4242');
  await page.keyboard.press('F5');
  await expect(page.getByTestId('status')).toContainText('exited');
  const entry = opens.locator('tr.entry').first();
  await expect(entry).toContainText('2a 00 00 00 00 00 00 00');
  await expect(entry).toContainText('/etc/passwd');
  await page.screenshot({ path: path.join(SHOTS, 'maps-after-run.png') });

  // Edit the count in place, then delete the entry.
  await entry.getByRole('button', { name: 'Edit' }).click();
  await opens.getByLabel('New value for key 92 10 00 00 of opens').fill(`07 ${'00 '.repeat(47).trim()}`);
  await opens.getByRole('button', { name: 'Set' }).click();
  await expect(entry).toContainText('07 00 00 00 00 00 00 00');
  await entry.getByRole('button', { name: 'Delete' }).click();
  await expect(opens).toContainText('0 entries');
});

test('verifier pane: verdict, first error linked to the listing, log levels, abstract state beside concrete registers', async ({ page }) => {
  await ready(page);
  await openFile(page, 'bad.s', Buffer.from('r1 = 1\nr0 = r2\nexit\n'), 'text/plain');
  const listing = page.getByTestId('listing');
  await expect(listing.getByText('r0 = r2', { exact: true })).toBeVisible();
  await page.getByTestId('verifier-tab').click();
  const pane = page.getByTestId('verifier');
  await expect(page.getByTestId('verdict')).toContainText('rejected as socket_filter');
  await expect(page.getByTestId('verifier-error')).toContainText('R2 !read_ok');
  // The listing marks the error line.
  await expect(listing.locator('.line.verifier-error')).toContainText('r0 = r2');
  await page.getByTestId('verifier-error').getByRole('button', { name: 'insn 1' }).click();
  await expect(listing.locator('.line.selected')).toContainText('r0 = r2');
  await expect(page.getByTestId('verifier-state')).toContainText('before insn 1');
  await expect(page.getByTestId('verifier-state')).toContainText('R1');
  await expect(page.getByTestId('verifier-log')).toContainText('R2 !read_ok');
  await page.getByTestId('log-level').selectOption('2');
  await expect(page.getByTestId('verifier-log')).toContainText('0: R1=ctx() R10=fp0');
  await page.screenshot({ path: path.join(SHOTS, 'verifier-reject.png') });

  // An accepted object program: states at the paused pc beside the concrete values.
  await openFile(page, 'xdp_parse.o', readFileSync(path.join(EXAMPLES, 'xdp_parse.o')));
  await expect(listing.getByText('xdp_drop_discard:')).toBeVisible();
  await expect(page.getByTestId('verdict')).toContainText('accepted as xdp');
  await page.keyboard.press('F11');
  await expect(page.getByTestId('status')).toHaveText('ready at insn 0');
  await expect(page.getByTestId('verifier-state')).toContainText('concrete');
  await expect(page.getByTestId('verifier-state')).toContainText('ctx()');
  await expect(page.getByTestId('registers').locator('tr[data-reg="r1"]')).toContainText('ctx()');
  await pane.getByTestId('prog-type').selectOption('kprobe');
  await expect(page.getByTestId('verdict')).toContainText('as kprobe');
  await page.screenshot({ path: path.join(SHOTS, 'verifier-accept.png') });
});


test('xdp inputs: a UDP packet to port 9 is dropped and counted in the per-CPU map', async ({ page }) => {
  await ready(page);
  await openFile(page, 'xdp_parse.o', readFileSync(path.join(EXAMPLES, 'xdp_parse.o')));
  await expect(page.getByTestId('listing').getByText('xdp_drop_discard:')).toBeVisible();
  await page.getByTestId('tab-inputs').click();
  await page.getByTestId('inputs').getByRole('button', { name: 'Start the program' }).click();
  await expect(page.getByTestId('run-type')).toHaveValue('xdp');
  // Ethernet (IPv4) + IPv4 (ihl 5, UDP, 127.0.0.1 -> 127.0.0.1) + UDP 7 -> 9.
  const frame = [
    'ff ff ff ff ff ff 00 00 00 00 00 01 08 00',
    '45 00 00 1c 00 00 00 00 40 11 00 00 7f 00 00 01 7f 00 00 01',
    '00 07 00 09 00 08 00 00',
  ].join('\n');
  await page.getByTestId('input-bytes').fill(frame);
  await page.getByTestId('apply-inputs').click();
  await expect(page.getByTestId('console')).toContainText('Restarted xdp_drop_discard with new inputs (xdp)');
  await page.keyboard.press('F5');
  // XDP_DROP is 1.
  await expect(page.getByTestId('status')).toContainText('exited with r0 = 0x1');
  await page.getByTestId('tab-maps').click();
  const counts = page.getByTestId('maps').locator('[data-map="proto_count"]');
  await expect(counts).toContainText('percpu_array');
  await expect(counts.locator('tr.entry', { hasText: '11 00 00 00 = 17' })).toContainText('01 00 00 00 00 00 00 00 = u64 1');
  await expect(counts).toContainText('1 non-zero of 256 elements');
  // Set another element (TCP, 6) by index.
  await counts.getByLabel('New key for proto_count').fill('6');
  await counts.getByLabel('New value for proto_count').fill('5');
  await counts.getByRole('button', { name: 'Set' }).click();
  await expect(counts.locator('tr.entry', { hasText: '06 00 00 00 = 6' })).toContainText('= u64 5');
  await page.screenshot({ path: path.join(SHOTS, 'xdp-packet-maps.png') });
  await page.getByTestId('theme').click();
  await page.getByTestId('tab-stack').click();
  await page.getByTestId('stack-all').check();
  await expect(page.getByTestId('stack').locator('tr[data-slot="fp-512"]')).toContainText('uninit');
  await page.screenshot({ path: path.join(SHOTS, 'xdp-stack-light.png') });
  await page.getByTestId('theme').click();

  // A malformed packet text is an error in the notice bar.
  await page.getByTestId('tab-inputs').click();
  await page.getByTestId('input-bytes').fill('ff f');
  await page.getByTestId('apply-inputs').click();
  await expect(page.getByTestId('notice-error')).toContainText('not whole hex bytes');
});

test('a verification that runs long can be stopped: a notice says so (not an error) and the engine keeps the program', async ({ page }) => {
  await ready(page);
  // r0 changes every iteration, so no two states match: the verifier walks to its 1M-instruction limit.
  await openFile(page, 'spin.s', Buffer.from('r0 = 0\nloop:\nr0 += 1\ngoto loop\n'), 'text/plain');
  await expect(page.getByTestId('listing').getByText('goto loop', { exact: true })).toBeVisible();
  await page.getByTestId('verifier-tab').click();
  const stop = page.getByTestId('verify-stop');
  await expect(stop).toBeVisible();
  await stop.click();
  // The verifier polls the cancel flag (820e792): it stops without an engine restart, so the document stays open.
  // Stopping is what the user asked for: an info notice, no error.
  await expect(page.getByTestId('notice-info').first()).toContainText('Verification stopped.');
  await expect(stop).toBeHidden();
  await expect(page.getByTestId('notice-error')).toHaveCount(0);
  await expect(page.getByTestId('listing').getByText('goto loop', { exact: true })).toBeVisible();
  await expect(page.getByTestId('verifier-stopped')).toContainText('Stopped before a verdict');
  await page.keyboard.press('F11');
  await expect(page.getByTestId('status')).toHaveText('ready at insn 0');
  await page.screenshot({ path: path.join(SHOTS, 'verifier-stopped.png') });
});

test('call stack and watch expressions in a bpf-to-bpf call: frames with source lines, values at each stop, changes, errors in place, saved in a workspace', async ({ page }) => {
  await ready(page);
  await openFile(page, 'subprog_loop.o', readFileSync(path.join(EXAMPLES, 'subprog_loop.o')));
  const listing = page.getByTestId('listing');
  await expect(listing.getByText('keep_odd:')).toBeVisible();
  await page.getByTestId('program-select').selectOption({ label: 'keep_all — socket (25 insns)' });
  await expect(listing.getByText('fold16:')).toBeVisible();
  // A 100-byte packet, so skb->len (r6, then fold16's argument) is not zero.
  await page.getByTestId('tab-inputs').click();
  await page.getByTestId('inputs').getByRole('button', { name: 'Start the program' }).click();
  await expect(page.getByTestId('run-type')).toHaveValue('socket_filter');
  await page.getByTestId('input-bytes').fill(Array(100).fill('ab').join(' '));
  await page.getByTestId('apply-inputs').click();
  await expect(page.getByTestId('console')).toContainText('Restarted keep_all with new inputs');
  // Break on `w0 += w3` inside fold16 (resources/examples/subprog_loop.objdump: fold16 line 18, `sum += v & 0xffff;`).
  await listing.locator('.line.insn', { hasText: 'w0 += w3' }).click();
  await page.keyboard.press('F9');
  await expect(listing.locator('button.gutter.on')).toHaveCount(1);
  await page.keyboard.press('F5');
  const status = page.getByTestId('status');
  await expect(status).toHaveText('ready at insn 12');

  await page.getByTestId('tab-calls').click();
  const calls = page.getByTestId('callstack');
  const frames = calls.locator('li.frame');
  await expect(frames).toHaveCount(2);
  await expect(frames.nth(0)).toContainText('#0fold16insn 12subprog_loop.c:18');
  await expect(frames.nth(0)).toContainText('sum += v & 0xffff;');
  await expect(frames.nth(1)).toContainText('#1keep_allinsn 2subprog_loop.c:53');
  await expect(frames.nth(1)).toContainText('return fold16(skb->len) ? skb->len : 0;');
  // The caller's frame: its call instruction is selected in the listing.
  await frames.nth(1).click();
  await expect(listing.locator('.line.selected')).toContainText('call fold16');
  await page.screenshot({ path: path.join(SHOTS, 'call-stack.png') });
  // Its stack slots: the Stack tab, scrolled to frame 1.
  await frames.nth(1).getByRole('button', { name: 'Stack slots of frame 1' }).click();
  await expect(page.getByTestId('stack').locator('[data-frame="1"]')).toBeVisible();
  await expect(page.getByTestId('stack').locator('[data-frame="1"]')).toContainText('keep_all');

  await page.getByTestId('tab-watches').click();
  const watches = page.getByTestId('watches');
  for (const e of ['r1', 'w0 + 1', '(s32)w0 - 200', 'r1 +', '*(u64 *)(r10 - 8)']) {
    await page.getByTestId('watch-input').fill(e);
    await page.getByTestId('watch-input').press('Enter');
  }
  const row = (e: string) => watches.locator(`tr[data-watch="${e}"]`);
  // r1 is skb->len (the packet less its Ethernet header, as the kernel's test_run pulls it): the watch shows what the registers pane shows.
  const reg = async (r: string): Promise<bigint> => BigInt((await page.getByTestId('registers').locator(`tr[data-reg="${r}"] td.value`).innerText()).trim());
  const r1 = await reg('r1');
  expect(r1).toBeGreaterThan(0n);
  await expect(row('r1').getByTestId('watch-hex')).toHaveText(`0x${r1.toString(16)}`);
  await expect(row('r1').getByTestId('watch-dec')).toHaveText(String(r1));
  await expect(row('(s32)w0 - 200').getByTestId('watch-dec')).toHaveText(String(BigInt.asIntN(32, await reg('r0')) - 200n));
  await expect(row('r1 +').getByTestId('watch-error')).toContainText('column');
  await expect(row('*(u64 *)(r10 - 8)').getByTestId('watch-hex')).toHaveText('0x0');
  await page.screenshot({ path: path.join(SHOTS, 'watches.png') });
  // Two steps: `w0 += w3` (w0 stays), then `r1 >>= 0x10` (r1 becomes 0): only r1 is marked changed.
  await page.keyboard.press('F11');
  await expect(status).toHaveText('ready at insn 13');
  await page.keyboard.press('F11');
  await expect(status).toHaveText('ready at insn 14');
  await expect(row('r1').getByTestId('watch-hex')).toHaveText('0x0');
  await expect(row('r1')).toHaveClass(/changed/);
  await expect(row('w0 + 1')).not.toHaveClass(/changed/);
  // Step back: r1 is 100 again, and marked as changed again.
  await page.keyboard.press('Shift+F10');
  await expect(status).toHaveText('ready at insn 13');
  await expect(row('r1').getByTestId('watch-hex')).toHaveText(`0x${r1.toString(16)}`);
  await expect(row('r1')).toHaveClass(/changed/);
  await page.screenshot({ path: path.join(SHOTS, 'watches-changed.png') });

  // Edit in place, remove, and get them back from a saved workspace.
  await row('r1 +').locator('th').dblclick();
  await watches.getByLabel('New text of watch r1 +').fill('r1 + 1');
  await watches.getByLabel('New text of watch r1 +').press('Enter');
  await expect(row('r1 + 1').getByTestId('watch-hex')).toHaveText(`0x${(r1 + 1n).toString(16)}`);
  await page.getByTestId('workspace-menu').click();
  await page.getByTestId('workspace-name').fill('watches-e2e');
  await page.getByTestId('workspace-save').click();
  await expect(page.getByTestId('notice-info')).toContainText('Saved the workspace to watches-e2e');
  await row('w0 + 1').hover();
  await watches.getByRole('button', { name: 'Remove watch w0 + 1' }).click();
  await expect(row('w0 + 1')).toHaveCount(0);
  await page.getByTestId('workspace-menu').click();
  await page.getByTestId('workspace-open-watches-e2e').click();
  await expect(row('w0 + 1')).toHaveCount(1);
  await expect(watches.locator('tr.watch')).toHaveCount(5);
});

test('the View menu hides and shows the state panes and the console area; Reset Layout brings the defaults back', async ({ page }) => {
  await ready(page);
  await openFile(page, 'xdp_parse.o', readFileSync(path.join(EXAMPLES, 'xdp_parse.o')));
  await expect(page.getByTestId('listing').getByText('xdp_drop_discard:')).toBeVisible();
  const state = page.getByTestId('state-area');
  const bottom = page.getByTestId('bottom-area');
  const listingWidth = async (): Promise<number> => (await page.getByTestId('listing').boundingBox())?.width ?? 0;
  const w0 = await listingWidth();
  await page.getByTestId('view-menu').click();
  await page.getByTestId('view-state').click();
  await expect(state).toBeHidden();
  await expect(page.getByTestId('split-state')).toBeHidden();
  // The listing takes the whole width.
  await expect.poll(listingWidth).toBeGreaterThan(w0 + 300);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('view-popover')).toBeHidden();
  // Ctrl+J: the console area.
  await page.keyboard.press('Control+j');
  await expect(bottom).toBeHidden();
  await page.screenshot({ path: path.join(SHOTS, 'view-listing-only.png') });
  // Focusing the console brings its area back.
  await page.keyboard.press('Control+`');
  await expect(bottom).toBeVisible();
  // A state tab from the View menu brings the state column back.
  await page.getByTestId('view-menu').click();
  await page.getByTestId('view-calls').click();
  await expect(state).toBeVisible();
  await expect(page.getByTestId('callstack')).toBeVisible();
  // Resize, hide, then reset: everything back at its default size.
  const defaultWidth = (await state.boundingBox())?.width ?? 0;
  await page.getByTestId('split-state').focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await state.boundingBox())?.width ?? 0).toBeCloseTo(defaultWidth + 50, 0);
  await page.keyboard.press('Control+b');
  await expect(state).toBeHidden();
  await page.getByTestId('view-menu').click();
  await page.getByTestId('view-reset').click();
  await expect(state).toBeVisible();
  await expect(page.getByTestId('stack')).toBeVisible();
  await expect.poll(async () => (await state.boundingBox())?.width ?? 0).toBeCloseTo(defaultWidth, 0);
});

test('a conditional breakpoint set and edited in the Breakpoints tab decides where the run stops', async ({ page }) => {
  await ready(page);
  await openFile(page, 'loop.s', Buffer.from(['r0 = 0', 'r1 = 5', 'loop:', 'r0 += r1', 'r1 -= 1', 'if r1 != 0 goto loop', 'exit', ''].join('\n')), 'text/plain');
  const listing = page.getByTestId('listing');
  await listing.locator('.line.insn', { hasText: 'r1 -= 0x1' }).click();
  await page.getByTestId('breakpoints-tab').click();
  const pane = page.getByTestId('breakpoints');
  await expect(page.getByTestId('bp-pc')).toHaveValue('3');
  await page.getByTestId('bp-condition').fill('r1 == 2');
  await page.getByTestId('bp-add').click();
  await expect(listing.locator('button.gutter.on')).toHaveCount(1);
  await expect(page.getByTestId('breakpoints-tab')).toContainText('Breakpoints (1)');
  await page.keyboard.press('F5');
  await expect(page.getByTestId('status')).toHaveText('ready at insn 3');
  await expect(page.getByTestId('registers').locator('tr[data-reg="r1"]')).toContainText('0x2');
  // Edit the condition in place; a bad one is refused where the user looks.
  const cond = pane.getByLabel('Condition of breakpoint 1');
  await cond.fill('r1 ==');
  await cond.press('Enter');
  await expect(page.getByTestId('notice-error')).toContainText('bad condition');
  await cond.fill('r1 == 1');
  await cond.press('Enter');
  await page.keyboard.press('F5');
  await expect(page.getByTestId('registers').locator('tr[data-reg="r1"]')).toContainText('0x1');
  await page.screenshot({ path: path.join(SHOTS, 'breakpoints-conditional.png') });
  await pane.getByLabel('Breakpoint 1 enabled').uncheck();
  await expect(listing.locator('button.gutter.on')).toHaveCount(0);
  await page.keyboard.press('F5');
  await expect(page.getByTestId('status')).toContainText('exited');
});

test('tail calls: a prog_array slot filled in the Maps pane, a breakpoint in the target program, the listing follows the run into it', async ({ page }) => {
  await ready(page);
  // tests/fixtures/tail-calls: a clang-built XDP dispatcher tail-calling per-protocol parsers through jmp_table.
  await openFile(page, 'tail_calls.o', readFileSync(path.join(__dirname, '..', 'fixtures', 'tail-calls', 'tail_calls.o')));
  const listing = page.getByTestId('listing');
  const programs = page.getByTestId('program-select');
  await programs.selectOption(await programs.locator('option', { hasText: /^\s*dispatch —/ }).getAttribute('value') ?? '');
  await expect(listing.getByText('dispatch:', { exact: true })).toBeVisible();
  // An IPv4/UDP frame (EtherType 0x0800, protocol 17): the dispatcher tail-calls slot 0.
  await page.getByTestId('tab-inputs').click();
  await page.getByTestId('inputs').getByRole('button', { name: 'Start the program' }).click();
  await expect(page.getByTestId('run-type')).toHaveValue('xdp');
  const frame = Buffer.alloc(64);
  frame.set([0x08, 0x00], 12);
  frame[14] = 0x45;
  frame[23] = 17;
  await page.getByTestId('input-bytes').fill([...frame].map((b) => b.toString(16).padStart(2, '0')).join(' '));
  await page.getByTestId('apply-inputs').click();
  await expect(page.getByTestId('console')).toContainText('Restarted dispatch with new inputs (xdp)');

  await page.getByTestId('tab-maps').click();
  const table = page.getByTestId('maps').locator('[data-map="jmp_table"]');
  await expect(table).toContainText('0 of 4 slots filled');
  await table.getByLabel('Slot of jmp_table to fill').fill('0');
  await table.getByLabel('Program for the slot of jmp_table').selectOption({ label: 'parse_ipv4' });
  await table.getByRole('button', { name: 'Fill' }).click();
  const slot = table.locator('tr[data-slot="0"]');
  await expect(slot.getByLabel('Program in slot 0 of jmp_table')).toHaveValue(await table.getByLabel('Program for the slot of jmp_table').inputValue());
  await expect(table).toContainText('1 of 4 slots filled');

  // Show parse_ipv4's listing (the session stays) and break on its check of the IP protocol byte.
  await slot.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('listing-program')).toContainText('parse_ipv4');
  const check = listing.locator('.line.insn', { hasText: 'r1 = *(u8 *)(r6 + 0x17)' });
  await check.locator('button.gutter').click();
  await expect(check.locator('button.gutter.on')).toHaveCount(1);
  await page.getByTestId('breakpoints-tab').click();
  await expect(page.getByTestId('breakpoints').getByTestId('bp-program')).toHaveText('parse_ipv4');
  await page.getByTestId('listing-back').click();
  await expect(listing.getByText('dispatch:', { exact: true })).toBeVisible();
  await expect(page.getByTestId('listing-program')).toBeHidden();

  // Run: the stop is in parse_ipv4, whose listing comes up with the current line there.
  await page.keyboard.press('F5');
  await expect(page.getByTestId('status')).toHaveText(/^ready at insn 9/);
  await expect(page.getByTestId('listing-program')).toContainText('parse_ipv4');
  await expect(listing.locator('.line.current')).toContainText('r1 = *(u8 *)(r6 + 0x17)');
  await expect(page.getByTestId('console')).toContainText('parse_ipv4');
  await page.screenshot({ path: path.join(SHOTS, 'tail-call.png') });
});

test('listing: column headers sit over their columns; the gutter shows conditional and disabled breakpoints', async ({ page }) => {
  await ready(page);
  await openFile(page, 'loop.s', Buffer.from(['r0 = 0', 'r1 = 5', 'loop:', 'r0 += r1', 'r1 -= 1', 'if r1 != 0 goto loop', 'exit', ''].join('\n')), 'text/plain');
  const listing = page.getByTestId('listing');
  const row = listing.locator('.line.insn', { hasText: 'r0 += r1' });
  await expect(row).toBeVisible();
  for (const column of ['pc', 'bytes', 'text']) {
    const head = await listing.locator(`.head .${column}`).boundingBox();
    const cell = await row.locator(`.${column}`).boundingBox();
    expect(Math.abs((head?.x ?? 0) - (cell?.x ?? 1e9)), column).toBeLessThan(1);
  }
  await row.locator('button.gutter').click();
  await expect(row.locator('button.gutter.on')).toHaveCount(1);
  await page.getByTestId('console').click();
  await page.keyboard.type('break *3 if r1 == 2');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('console')).toContainText('Breakpoint 2');
  await page.keyboard.type('disable 1');
  await page.keyboard.press('Enter');
  const cond = listing.locator('.line.insn', { hasText: 'r1 -= 0x1' }).locator('button.gutter');
  await expect(cond).toHaveClass(/cond/);
  await expect(cond).toHaveAttribute('title', /if r1 == 2/);
  await expect(row.locator('button.gutter')).toHaveClass(/off/);
  await page.screenshot({ path: path.join(SHOTS, 'listing-gutter.png') });
  // A click on the disabled one enables it; the status shows it stops there again.
  await row.locator('button.gutter').click();
  await expect(row.locator('button.gutter')).toHaveClass(/on/);
  await page.keyboard.press('F5');
  await expect(page.getByTestId('status')).toHaveText('ready at insn 2');
});
