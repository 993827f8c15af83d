// bpfdbg asm run in-process through main() with an in-memory CliIO.
import { describe, expect, it } from 'vitest';
import { decode } from '../../../engine/isa';
import type { CliIO } from '../io';
import { main } from '../main';
import { defaultOutput } from './asm';

function fakeIO(files: Record<string, string>, stdin = '') {
  const written = new Map<string, Uint8Array>();
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file '${p}'`);
      return new TextEncoder().encode(files[p]);
    },
    writeFile: (p, d) => void written.set(p, typeof d === 'string' ? new TextEncoder().encode(d) : d),
    readStdin: () => new TextEncoder().encode(stdin),
  };
  return { io, written, out: () => out.join(''), err: () => err.join('') };
}

describe('bpfdbg asm', () => {
  it('writes FILE.bin with the bytecode of an llvm-syntax file', async () => {
    const f = fakeIO({ 'dir/prog.s': 'r0 = 0x123456789 ll\nif r0 > 5 goto out\nr0 = 1\nout:\nexit\n' });
    expect(await main(['asm', 'dir/prog.s'], f.io)).toBe(0);
    expect(f.err()).toBe('');
    const d = decode(f.written.get('dir/prog.bin')!);
    expect(d.diagnostics).toEqual([]);
    expect(d.insns.map((i) => i.form.id)).toEqual(['lddw', 'jgt_imm', 'mov64_imm', 'exit']);
    expect(d.insns[1].off).toBe(1);
  });

  it('reads conformance syntax with --syntax and writes to -o', async () => {
    const f = fakeIO({ 'a.asm': 'mov %r0, 1\nlock fetch add [%r10-8], %r0\nexit\n' });
    expect(await main(['asm', 'a.asm', '--syntax', 'conformance', '-o', 'out/x.bin'], f.io)).toBe(0);
    expect([...f.written.keys()]).toEqual(['out/x.bin']);
    expect(Array.from(f.written.get('out/x.bin')!.subarray(8, 16))).toEqual([0xdb, 0x0a, 0xf8, 0xff, 0x01, 0, 0, 0]);
  });

  it('reads standard input when told', async () => {
    const f = fakeIO({}, 'exit\n');
    expect(await main(['asm', '-', '-o', 'e.bin'], f.io)).toBe(0);
    expect(Array.from(f.written.get('e.bin')!)).toEqual([0x95, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('prints file:line:col diagnostics and exits 1 without writing', async () => {
    const f = fakeIO({ 'bad.s': 'r0 = 1\n  r1 += foo\ngoto nowhere\n' });
    expect(await main(['asm', 'bad.s'], f.io)).toBe(1);
    expect(f.err()).toBe(
      "bad.s:2:9: error: expected a number or an r register, found 'foo' [asm.expected]\n" +
        "bad.s:3:6: error: undefined label 'nowhere' [asm.undefined-label]\n",
    );
    expect(f.written.size).toBe(0);
  });

  it('exits 1 when the file cannot be read', async () => {
    const f = fakeIO({});
    expect(await main(['asm', 'missing.s'], f.io)).toBe(1);
    expect(f.err()).toMatch(/^bpfdbg asm: cannot read missing.s: ENOENT/);
  });

  it('exits 2 on usage errors', async () => {
    for (const argv of [['asm'], ['asm', 'a.s', 'b.s'], ['asm', 'a.s', '--syntax', 'gas'], ['asm', '-'], ['asm', 'a.s', '--frob']]) {
      const f = fakeIO({ 'a.s': 'exit\n' });
      expect(await main(argv, f.io)).toBe(2);
      expect(f.err()).toMatch(/^bpfdbg asm: .*\nusage: bpfdbg asm FILE\.s/);
      expect(f.written.size).toBe(0);
    }
  });

  it('names the default output after the input', () => {
    expect(defaultOutput('a.s')).toBe('a.bin');
    expect(defaultOutput('dir.v2/prog')).toBe('dir.v2/prog.bin');
    expect(defaultOutput('.hidden')).toBe('.hidden.bin');
    expect(defaultOutput('x/y.asm')).toBe('x/y.bin');
  });
});
