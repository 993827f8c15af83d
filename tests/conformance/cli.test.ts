// `bpfdbg test` and `bpfdbg conformance-plugin` run in-process on the .data files of this folder and on format edge cases.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../../engine/asm';
import { encode } from '../../engine/isa';
import { bpfAvailability } from '../../engine/host/bpf';
import { main } from '../../main/cli/main';
import type { CliIO } from '../../main/cli/io';
import { parseDataFile } from '../../main/cli/commands/test';
import { runConformanceInKernel } from './kernel-oracle';

const avail = bpfAvailability();
const CLANG = ['/usr/bin/clang-19', '/usr/bin/clang'].find((c) => existsSync(c));
const files = readdirSync(__dirname).filter((f) => f.endsWith('.data')).sort().map((f) => join(__dirname, f));

function capture(stdin: Uint8Array = new Uint8Array(0), extraFiles: Record<string, string> = {}): { io: CliIO; out: () => string } {
  let out = '';
  const io: CliIO = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    readFile: (p) => (p in extraFiles ? new TextEncoder().encode(extraFiles[p]) : new Uint8Array(readFileSync(p))),
    writeFile: () => undefined,
    readStdin: () => stdin,
  };
  return { io, out: () => out };
}

function base16(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `${b.toString(16).padStart(2, '0')}  `).join('');
}

describe('bpfdbg test', () => {
  it('passes every .data file of tests/conformance and ends with "N passed, M failed"', async () => {
    const { io, out } = capture();
    const code = await main(['test', ...files], io);
    const lines = out().trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`${files.length} passed, 0 failed`);
    expect(lines.filter((l) => l.startsWith('PASS '))).toHaveLength(files.length);
    expect(code).toBe(0);
  });

  it('reports a wrong expected result, a broken file and an unreadable one as FAIL and exits 1', async () => {
    const good = readFileSync(files[0], 'utf8');
    const wrong = good.replace(/-- result\n.*\n?/, '-- result\n0x1\n');
    const { io, out } = capture(new Uint8Array(0), { 'wrong.data': wrong, 'broken.data': '-- asm\nmov %r0, 1\nexit\n', 'asmerr.data': '-- asm\nmov %r0, 1\nfrob %r1\nexit\n-- result\n1\n' });
    const code = await main(['test', 'wrong.data', 'broken.data', 'asmerr.data', 'missing.data'], io);
    const text = out();
    expect(text).toMatch(/^FAIL wrong\.data: r0 = 0x[0-9a-f]+, expected 0x1$/m);
    expect(text).toMatch(/^FAIL broken\.data: no -- result or -- error section$/m);
    expect(text).toMatch(/^FAIL asmerr\.data: .*:3:/m);
    expect(text).toMatch(/^FAIL missing\.data: cannot read/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('0 passed, 4 failed');
    expect(code).toBe(1);
  });

  it.skipIf(!avail.ok)('runs -- raw programs and -- mem as the kernel does', async () => {
    // r0 = *(u32 *)(r1 + 1); r0 += r2; exit, written as raw instruction words (low byte = opcode)
    const raw = '-- raw\n0x0000000000011061\n0x000000000000200f\n0x0000000000000095\n-- mem\n11 22 33 44 55 66\n-- result\nRESULT\n';
    const d = parseDataFile(raw.replace('RESULT', '0'));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const k = runConformanceInKernel(d.file.raw!, d.file.mem);
    expect(k.ok, k.ok ? '' : `${k.error}\n${k.log}`).toBe(true);
    if (!k.ok) return;
    const { io, out } = capture(new Uint8Array(0), { 'raw.data': raw.replace('RESULT', `0x${k.r0.toString(16)}`) });
    expect(await main(['test', 'raw.data'], io)).toBe(0);
    expect(out()).toContain('1 passed, 0 failed');
  });

  it('passes an -- error test when the program faults and fails it when it does not', async () => {
    const faults = '-- asm\nmov %r1, 0\nldxdw %r0, [%r1]\nexit\n-- error\nsome reference message\n';
    const fine = '-- asm\nmov %r0, 0\nexit\n-- error\nsome reference message\n';
    const { io, out } = capture(new Uint8Array(0), { 'faults.data': faults, 'fine.data': fine });
    await main(['test', 'faults.data', 'fine.data'], io);
    expect(out()).toMatch(/^PASS faults\.data: failed as expected/m);
    expect(out()).toMatch(/^FAIL fine\.data: expected an error/m);
  });
});

describe('bpfdbg conformance-plugin', () => {
  for (const f of files.slice(0, 4)) {
    it(`prints r0 in hex for ${f.split('/').at(-1)} (program as base16 on stdin, memory as base16 argument)`, async () => {
      const d = parseDataFile(readFileSync(f, 'utf8'));
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      const program = encode(parse(d.file.asm!, { syntax: 'conformance' }).insns);
      const { io, out } = capture(new TextEncoder().encode(`${base16(program)}\n`));
      const code = await main(['conformance-plugin', base16(d.file.mem)], io);
      expect(out()).toBe(`${d.file.result!.toString(16)}\n`);
      expect(code).toBe(0);
    });
  }

  it('accepts --program and raw bytecode on stdin, and reports a fault with exit 1', async () => {
    const prog = Uint8Array.of(0xb7, 0, 0, 0, 0x2a, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
    const a = capture();
    expect(await main(['conformance-plugin', '--program', base16(prog)], a.io)).toBe(0);
    expect(a.out()).toBe('2a\n');
    const b = capture(prog);
    expect(await main(['conformance-plugin', ''], b.io)).toBe(0);
    expect(b.out()).toBe('2a\n');
    // r0 = *(u64 *)(r1 + 8) with only 4 bytes of memory
    const oob = Uint8Array.of(0x79, 0x10, 8, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
    const c = capture(new TextEncoder().encode(base16(oob)));
    expect(await main(['conformance-plugin', '01 02 03 04'], c.io)).toBe(1);
    expect(c.out().length).toBeGreaterThan(1);
  });

  it.skipIf(!CLANG)(`runs the first program of an ELF object with --elf${CLANG ? '' : ' (skipped: no clang-19 in /usr/bin)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-plugin-'));
    writeFileSync(join(dir, 'p.c'), '__attribute__((section("xdp"), used)) int prog(void *ctx) { return 0x1234; }\n');
    execFileSync(CLANG!, ['-target', 'bpf', '-O2', '-c', join(dir, 'p.c'), '-o', join(dir, 'p.o')]);
    const elf = new Uint8Array(readFileSync(join(dir, 'p.o')));
    const { io, out } = capture(new TextEncoder().encode(base16(elf)));
    expect(await main(['conformance-plugin', '', '--elf'], io)).toBe(0);
    expect(out()).toBe('1234\n');
  });
});
