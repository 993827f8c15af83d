// The seed's holes (SEEDS-SPEC items tagged {BUG}, and one found while porting): for each, a program that
// faithful-legacy mode wrongly accepts (or rejects) exactly as bpf_check does, reporting a quirk, and that
// hardened mode treats correctly.
import { describe, expect, it } from 'vitest';
import type { RawInsn2013 } from '../../asm/print-2013';
import type { Table2013 } from '../../isa/ebpf2013';
import { verify2013, type Mode2013, type Verify2013Result } from './index';

const DW = 0x18, B = 0x10;
const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn2013 => ({ code, dst, src, off, imm });
const st = (sz: number, a: number, off: number, imm: number) => I(0x02 | 0xc0 | sz, a, 0, off, imm);
const stx = (sz: number, a: number, off: number, x: number) => I(0x03 | 0xc0 | sz, a, x, off);
const ldx = (sz: number, a: number, x: number, off: number) => I(0x01 | 0xc0 | sz, a, x, off);
const movK = (a: number, imm: number) => I(0xb4, a, 0, 0, imm);
const mov = (a: number, x: number) => I(0xbc, a, x);
const jeqK = (a: number, imm: number, off: number) => I(0x15, a, 0, off, imm);
const ret = I(0x06);
const STRTAB = new TextEncoder().encode('\0bpf_load_pointer\0');
const TABLE: Table2013 = { type: 1, keySize: 8, elemSize: 16, maxEntries: 4096, param1: 0 };

const run = (insns: RawInsn2013[], mode: Mode2013, tables: Table2013[] = [TABLE]): Verify2013Result => verify2013({ insns, tables, strtab: STRTAB }, { mode });
const faithful = (insns: RawInsn2013[], tables?: Table2013[]) => run(insns, 'faithful-legacy', tables);
const hardened = (insns: RawInsn2013[], tables?: Table2013[]) => run(insns, 'hardened', tables);

describe('2013 verifier holes: faithful-legacy reproduces them, hardened closes them', () => {
  it('VT-18b / VER-07: a jump to a negative index is undefined behaviour in the seed; hardened: -EACCES', () => {
    const prog = [jeqK(1, 0, -5), ret];
    const f = faithful(prog);
    expect(f.verdict).toBe('reject');
    expect(f.error).toMatchObject({ code: 'legacy.undefined', rule: 'VER-07', printed: false });
    expect(f.quirks.map((q) => q.rule)).toEqual(['VER-07']);
    expect(hardened(prog).error).toMatchObject({ errno: -13, message: 'jump out of range from insn 0 to -4', insn: 0 });
  });

  it('VT-21 / VER-16b: ldx into r10 is accepted by the seed (the JIT would overwrite rbp)', () => {
    const prog = [ldx(DW, 10, 1, 112), ret];
    const f = faithful(prog);
    expect(f.verdict).toBe('accept');
    expect(f.processed).toBe(2);
    expect(f.quirks).toEqual([expect.objectContaining({ insn: 0, rule: 'VER-16b' })]);
    expect(hardened(prog).error).toMatchObject({ errno: -13, message: 'frame pointer is read only', insn: 0, rule: 'VER-16b' });
  });

  it('VER-16b: a fill from a spill slot into r10 also bypasses check_reg_arg', () => {
    const prog = [stx(DW, 10, -8, 1), ldx(DW, 10, 10, -8), ret];
    expect(faithful(prog).verdict).toBe('accept');
    expect(hardened(prog).error).toMatchObject({ message: 'frame pointer is read only', insn: 1 });
  });

  it('VT-20: an ALU write to r10 fails in both modes, but the seed prints no message (only "insn #0" and the insn)', () => {
    const f = faithful([I(0x04, 10, 0, 0, -8), ret]);
    expect(f.error).toMatchObject({ errno: -13, printed: false });
    expect(f.log).toEqual(['insn #0', 'code_04 r10 += -8']);
    expect(hardened([I(0x04, 10, 0, 0, -8), ret]).log).toEqual(['frame pointer is read only', 'insn #0', 'code_04 r10 += -8']);
  });

  it('VT-66 / VER-16c: registers 11..15 are never rejected; regs[11+k] overlays stack[k] (fp-480+k)', () => {
    // mov r11, 5 writes CONST_ARG (10) into the type of stack byte fp-480: the seed's own state corrupts itself.
    const prog = [movK(11, 5), ret];
    const f = faithful(prog);
    expect(f.verdict).toBe('accept');
    expect(f.quirks.map((q) => q.rule)).toEqual(['VER-16c']);
    expect(f.states.get(1)?.[0].stack).toEqual([{ off: -480, type: 10, ptr: 1, imm: 5 }]);
    expect(hardened(prog).error).toMatchObject({ errno: -22, rule: 'VER-16c', insn: 0 });
    // read of r12 before any write: stack[1].ptr's low byte is 0, so "R12 !read_ok" as the seed would say
    expect(faithful([mov(0, 12), ret]).error?.message).toBe('R12 !read_ok');
  });

  it('VT-59 / VER-18: mov r1, r1 destroys the ctx type in the seed; hardened treats it as a no-op', () => {
    const prog = [mov(1, 1), ldx(DW, 2, 1, 112), ret];
    const f = faithful(prog);
    expect(f.error).toMatchObject({ errno: -13, message: 'invalid mem access 0', insn: 1 });
    expect(f.quirks.map((q) => q.rule)).toEqual(['VER-18']);
    expect(hardened(prog).verdict).toBe('accept');
    expect(hardened([mov(10, 10), ret]).error?.message).toBe('frame pointer is read only');
  });

  it('VT-46 / VT-47 / VER-45: class ld (0x00) and class 7 instructions are accepted unchecked by the seed', () => {
    for (const code of [0x00, 0x20, 0x07]) {
      const prog = [I(code, 3, 4, 0, 0), ret];
      const f = faithful(prog);
      expect(f.verdict).toBe('accept');
      expect(f.processed).toBe(2);
      expect(f.quirks.map((q) => q.rule)).toEqual(['VER-45']);
      expect(hardened(prog).error).toMatchObject({ errno: -22, rule: 'VER-45', insn: 0, message: `unknown opcode 0x${code.toString(16).padStart(2, '0')}` });
    }
  });

  it('VT-48 / VER-23: stx with mode IMM (or any mode) passes the seed', () => {
    const prog = [movK(1, 0), I(0x03 | 0x18, 10, 1, -8), ret];
    const f = faithful(prog);
    expect(f.verdict).toBe('accept');
    expect(f.processed).toBe(3);
    expect(f.quirks.map((q) => q.rule)).toEqual(['VER-23']);
    expect(hardened(prog).error).toMatchObject({ rule: 'VER-23', insn: 1 });
  });

  it('VER-21: undefined ALU op 0xf0, jump ops 0x90.. and call with the X bit pass the seed', () => {
    for (const insn of [I(0xf4, 1, 0, 0, 1), I(0x95, 1, 0, 0, 0), I(0x8d, 0, 0, 0, 1)]) {
      const prog = insn.code === 0xf4 ? [movK(1, 0), insn, ret] : insn.code === 0x95 ? [insn, ret] : [insn, ret];
      const f = faithful(prog);
      expect(f.verdict, insn.code.toString(16)).toBe('accept');
      expect(f.quirks.map((q) => q.rule)).toEqual(['VER-21']);
      expect(hardened(prog).error, insn.code.toString(16)).toMatchObject({ errno: -22, rule: 'VER-21' });
    }
  });

  it('VER-31 (found while porting): xadd of ctx into the stack is recorded as a spill, so its fill is a "ctx" pointer of value old+ctx', () => {
    // st [fp-8] = 0x1000; lock [fp-8] += r1 (ctx); r2 = [fp-8] (typed ctx, value ctx + 0x1000); r3 = [r2 + 112]
    const prog = [st(DW, 10, -8, 0x1000), I(0x03 | 0xe0 | DW, 10, 1, -8), ldx(DW, 2, 10, -8), ldx(DW, 3, 2, 112), ret];
    const f = faithful(prog);
    expect(f.verdict).toBe('accept');
    expect(f.quirks.map((q) => q.rule)).toEqual(['VER-31']);
    expect(hardened(prog).error).toMatchObject({ errno: -13, message: 'xadd of a pointer into the stack', insn: 1 });
    // xadd reads the bytes: hardened also refuses it on never-written stack
    expect(hardened([movK(1, 1), I(0x03 | 0xe0 | DW, 10, 1, -8), ret]).error?.message).toBe('invalid read from stack off -8+0 size 8');
  });

  it('MAP-03: table definitions are never validated by the seed; hardened refuses key_size 0', () => {
    const prog = [ret];
    const bad: Table2013 = { ...TABLE, keySize: 0 };
    expect(faithful(prog, [bad]).verdict).toBe('accept');
    expect(hardened(prog, [bad]).error).toMatchObject({ errno: -22, rule: 'MAP-03', insn: null });
  });

  it('both modes keep the seed verdicts where there is no hole (VT-05 st [r10-480], byte stores)', () => {
    for (const mode of ['hardened', 'faithful-legacy'] as const) {
      const r = run([st(DW, 10, -480, 0), st(B, 10, -1, 0), ret], mode);
      expect(r.verdict).toBe('accept');
      expect(r.quirks).toEqual([]);
    }
  });
});
