// Soundness of the hardened profile: generated 2013 programs that verify2013 accepts never fault when they run
// (transcoded with the 2013 helper set, engine/kernel/run-2013) on several random pt_regs contexts.
import { describe, expect, it } from 'vitest';
import type { RawInsn2013 } from '../../asm/print-2013';
import { decode2013, encode2013 } from '../../isa/ebpf2013';
import { Kernel, prepare2013 } from '../../kernel';
import { prepareRun } from '../../interp';
import { verify2013 } from './index';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NAMES = ['bpf_load_pointer', 'bpf_memcmp', 'bpf_trace_printk', 'bpf_table_lookup', 'bpf_table_update', 'bpf_dump_stack'];
const STRTAB = new TextEncoder().encode(`\0${NAMES.join('\0')}\0`);
const ID = Object.fromEntries(NAMES.map((n) => [n, new TextDecoder().decode(STRTAB).indexOf(`\0${n}\0`) + 1]));
const TABLES = [{ type: 1, keySize: 8, elemSize: 16, maxEntries: 64, param1: 0 }];
const SIZES = [0x00, 0x08, 0x10, 0x18];
const BYTES = [4, 2, 1, 8];

function generate(r: () => number): RawInsn2013[] {
  const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn2013 => ({ code, dst, src, off, imm });
  const int = (n: number) => Math.floor(r() * n);
  // reads and writes use r7..r9 (callee-saved, so calls keep them); r6 keeps ctx; 64 bytes of stack start written
  const reg = () => 7 + int(3);
  const out: RawInsn2013[] = [I(0xbc, 6, 1), I(0xb4, 7, 0, 0, 1), I(0xb4, 8, 0, 0, 2), I(0xb4, 9, 0, 0, 3)];
  for (let o = -64; o < 0; o += 8) if (r() < 0.8) out.push(I(0xda, 10, 0, o, o));
  const chunks = 2 + int(10);
  const jumps: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const k = int(11);
    const sz = int(4);
    const off = -BYTES[sz] * (1 + int(64 / BYTES[sz]));
    if (k === 0) out.push(I(0x02 | 0xc0 | SIZES[sz], 10, 0, off, int(1000) - 500));
    else if (k === 1) out.push(I(0x03 | 0xc0 | SIZES[sz], 10, reg(), off));
    else if (k === 2) out.push(I(0x01 | 0xc0 | SIZES[sz], reg(), 10, off));
    else if (k === 3) out.push(I(0xb4, reg(), 0, 0, int(64) - 8));
    else if (k === 4) out.push(I(0x04 | (int(12) << 4) | (r() < 0.5 ? 0x08 : 0), reg(), reg(), 0, int(70) - 3));
    else if (k === 5) out.push(I(0xd9, reg(), 6, 0, 0), { ...I(0xd9, 0, 6), dst: reg(), off: 88 + 8 * int(4) });
    else if (k === 6) { jumps.push(out.length); out.push(I(0x05 | (1 + int(7)) << 4 | (r() < 0.5 ? 0x08 : 0), reg(), reg(), 0, int(4))); }
    else if (k === 7) out.push(I(0xbc, 1, reg()), I(0x85, 0, 0, 0, ID.bpf_load_pointer), I(0xbc, reg(), 0));
    else if (k === 8) {
      out.push(I(0xda, 10, 0, -8, int(4)), I(0xbc, 1, 6), I(0xb4, 2), I(0xbc, 3, 10), I(0x04, 3, 0, 0, -8), I(0x85, 0, 0, 0, ID.bpf_table_lookup));
      out.push(I(r() < 0.8 ? 0x15 : 0x55, 0, 0, 2, 0), I(0xb4, 7, 0, 0, 1), I(r() < 0.5 ? 0xfb : 0xdb, 0, 7, 8 * int(2)));
    } else if (k === 9) {
      out.push(I(0xda, 10, 0, -8, int(4)), I(0xda, 10, 0, -24, 1), I(0xda, 10, 0, -16, 2), I(0xbc, 1, 6), I(0xb4, 2));
      out.push(I(0xbc, 3, 10), I(0x04, 3, 0, 0, -8), I(0xbc, 4, 10), I(0x04, 4, 0, 0, -24), I(0x85, 0, 0, 0, ID.bpf_table_update));
    } else {
      out.push(I(0xda, 10, 0, -16, 0x7825), I(0xda, 10, 0, -8, 0), I(0xbc, 1, 10), I(0x04, 1, 0, 0, -16), I(0xb4, 2, 0, 0, 8 + int(9)));
      out.push(I(0xbc, 3, reg()), I(0x85, 0, 0, 0, ID.bpf_trace_printk));
    }
  }
  out.push(I(0x06));
  for (const j of jumps) out[j] = { ...out[j], off: int(out.length - 1 - j) };
  return out;
}

describe('2013 verifier soundness (hardened)', () => {
  it('accepted programs never fault in the interpreter (300 programs x 3 contexts)', () => {
    const r = rng(3);
    let accepted = 0;
    let ran = 0;
    for (let p = 0; p < 300; p++) {
      const raw = generate(r);
      const res = verify2013({ insns: raw, tables: TABLES, strtab: STRTAB });
      if (res.verdict !== 'accept') continue;
      accepted++;
      const k = new Kernel();
      const insns = decode2013(encode2013(raw as never)).insns;
      const prep = prepare2013(k, { dialect: 'ebpf-2013', insns, tables: TABLES, strtab: STRTAB });
      if ('error' in prep) throw new Error(`program ${p}: ${prep.error}`);
      for (let c = 0; c < 3; c++) {
        const regs = new Uint8Array(168);
        for (let i = 0; i < regs.length; i++) regs[i] = Math.floor(r() * 256);
        const run = prepareRun(prep.insns, { type: 'kprobe', kernel: k, ctx: regs });
        if (!('machine' in run)) throw new Error(`program ${p}: ${run.message}`);
        run.machine.run({ budget: 100_000 });
        expect(run.machine.fault, `program ${p} context ${c}`).toBeUndefined();
        run.machine.dispose();
        ran++;
      }
    }
    expect(accepted).toBeGreaterThan(60);
    expect(ran).toBe(accepted * 3);
  });

  it('the xadd-spill hole (VER-31) is real: faithful-legacy accepts a program that then reads outside ctx', () => {
    // *(u64 *)(fp-8) = 0x100000; lock *(u64 *)(fp-8) += r1; r2 = *(u64 *)(fp-8); r3 = *(u64 *)(r2 + 112); ret
    const raw: RawInsn2013[] = [
      { code: 0xda, dst: 10, src: 0, off: -8, imm: 0x100000 }, { code: 0xfb, dst: 10, src: 1, off: -8, imm: 0 },
      { code: 0xd9, dst: 2, src: 10, off: -8, imm: 0 }, { code: 0xd9, dst: 3, src: 2, off: 112, imm: 0 }, { code: 0x06, dst: 0, src: 0, off: 0, imm: 0 },
    ];
    expect(verify2013({ insns: raw, tables: [], strtab: STRTAB }, { mode: 'faithful-legacy' }).verdict).toBe('accept');
    expect(verify2013({ insns: raw, tables: [], strtab: STRTAB }).verdict).toBe('reject');
    const k = new Kernel();
    const prep = prepare2013(k, { dialect: 'ebpf-2013', insns: decode2013(encode2013(raw as never)).insns, tables: [], strtab: STRTAB });
    if ('error' in prep) throw new Error(prep.error);
    const run = prepareRun(prep.insns, { type: 'kprobe', kernel: k, ctx: new Uint8Array(168) });
    if (!('machine' in run)) throw new Error(run.message);
    run.machine.run({ budget: 100 });
    // the load through the filled "ctx" pointer (ctx + 0x100000 + 112)
    expect(run.machine.fault).toMatchObject({ code: 'mem_unmapped', pc: 3 });
    run.machine.dispose();
  });
});
