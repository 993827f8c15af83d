// bpfdbg verify on 2013 images: the seed-003 bpf_check profile, hardened by default, faithful-legacy on request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeInsn2013 } from '../../../engine/isa/ebpf2013';
import { writeImage2013 } from '../../../engine/obj/image-2013';
import type { CliIO } from '../io';
import { main } from '../main';

const EXAMPLES = join(__dirname, '../../../resources/examples/2013');

function run(files: Record<string, Uint8Array>, argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readFile: (p) => {
      const f = files[p] ?? new Uint8Array(readFileSync(p));
      return f;
    },
    writeFile: () => undefined,
    readStdin: () => new Uint8Array(),
  };
  return main(['verify', ...argv], io).then((code) => ({ code, out, err }));
}

/** ldx r10 = *(u64 *)(r1 + 112); ret: the VER-16b hole (VT-21). */
const LDX_R10 = writeImage2013({
  insns: [makeInsn2013('ldxdw', { dst: 10, src: 1, off: 112 }), makeInsn2013('ret')],
  strtab: new TextEncoder().encode('\0'),
});

describe('bpfdbg verify, 2013 images', () => {
  it('accepts filter_ex1.bpf and filter_ex2.bpf with the seed\'s insn_processed (25, 42)', async () => {
    for (const [file, n] of [['filter_ex1.bpf', 25], ['filter_ex2.bpf', 42]] as const) {
      const r = await run({}, [join(EXAMPLES, file)]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`insn_processed ${n}\n`);
      const j = JSON.parse((await run({}, [join(EXAMPLES, file), '--json', '--profile', 'faithful-legacy'])).out);
      expect(j).toMatchObject({ verdict: 'accept', error: null, processed: n, profile: 'faithful-legacy', quirks: [] });
    }
  });

  it('hardened (default) rejects ldx into r10 with exit 1; faithful-legacy accepts it and reports the quirk', async () => {
    const h = await run({ 'p.bpf': LDX_R10 }, ['p.bpf', '--json']);
    expect(h.code).toBe(1);
    expect(JSON.parse(h.out)).toMatchObject({ verdict: 'reject', error: { insn: 0, message: 'frame pointer is read only', errno: -13 }, profile: 'hardened' });
    const f = await run({ 'p.bpf': LDX_R10 }, ['p.bpf', '--profile', 'faithful-legacy']);
    expect(f.code).toBe(0);
    expect(f.out).toBe('insn_processed 2\n');
    expect(f.err).toMatch(/quirk VER-16b at insn 0/);
  });

  it('prints the seed log of a rejection: the message, "insn #N" and the instruction', async () => {
    const img = writeImage2013({
      insns: [makeInsn2013('ldxdw', { dst: 2, src: 1, off: 80 }), makeInsn2013('ret')],
      strtab: new TextEncoder().encode('\0'),
    });
    const r = await run({ 'ax.bpf': img }, ['ax.bpf']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('invalid bpf_context access off=80 size=8\ninsn #0\ncode_d9 r2 = *(u64 *)(r1 +80)\n');
  });

  it('--profile is for 2013 images only', async () => {
    const r = await run({ 'ok.s': new TextEncoder().encode('r0 = 0\nexit\n') }, ['ok.s', '--profile', 'hardened']);
    expect(r.code).toBe(2);
  });
});
