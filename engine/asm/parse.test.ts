// Round trips parse(print(x)) == x for every form in both syntaxes, and the parser's diagnostics.
import { describe, expect, it } from 'vitest';
import { encode, FORMS, jumpTarget, makeInsn, type Insn, type InsnForm } from '../isa';
import { parse } from './parse';
import { printInsn, printProgram, slotPcs, type PrintOptions } from './print';
import type { Syntax } from './spelling';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OFF_EXTREMES = [-32768, 32767, 0, -1, 1];
const IMM_EXTREMES = [-2147483648, 2147483647, 0, -1, 1, 10, -10, 11, -11];

/** Operand sets for a form: every register in turn, extreme and random offsets and immediates. */
function samples(form: InsnForm, rand: () => number, n: number): Insn[] {
  const out: Insn[] = [];
  const pick = <T,>(xs: readonly T[], i: number): T => (i < xs.length ? xs[i] : xs[Math.floor(rand() * xs.length)]);
  for (let i = 0; i < n; i++) {
    const off = i < OFF_EXTREMES.length ? OFF_EXTREMES[i] : Math.floor(rand() * 65536) - 32768;
    const imm = i < IMM_EXTREMES.length ? IMM_EXTREMES[i] : (Math.floor(rand() * 4294967296) | 0);
    const imm2 = pick(IMM_EXTREMES, (i + 3) % 12);
    const z = (use: InsnForm['dst'], v: number): number => (use === 'zero' ? 0 : v);
    out.push(makeInsn(form.id, { dst: z(form.dst, i % 11), src: z(form.src, (i * 7 + 3) % 11), off: z(form.off, off), imm: z(form.imm, imm), imm2 }));
  }
  return out;
}

function same(a: Insn, b: Insn | undefined): boolean {
  return !!b && a.form.id === b.form.id && a.code === b.code && a.dst === b.dst && a.src === b.src && a.off === b.off && a.imm === b.imm && (a.imm2 ?? 0) === (b.imm2 ?? 0);
}

const MODES: Array<{ name: string; opts: PrintOptions }> = [
  { name: 'llvm hex', opts: { syntax: 'llvm' } },
  { name: 'llvm hex alu32', opts: { syntax: 'llvm', alu32: true } },
  { name: 'llvm decimal', opts: { syntax: 'llvm', hex: false } },
  { name: 'conformance', opts: { syntax: 'conformance' } },
];

describe('parse(print(x)) == x', () => {
  for (const { name, opts } of MODES) {
    it(`every form, ${name}`, () => {
      const rand = rng(42);
      const failures: string[] = [];
      let count = 0;
      for (const form of FORMS) {
        for (const insn of samples(form, rand, 40)) {
          const text = printInsn(insn, opts);
          const r = parse(text, { syntax: opts.syntax as Syntax });
          count++;
          if (r.diagnostics.length || r.insns.length !== 1 || !same(insn, r.insns[0])) {
            failures.push(`${form.id}: "${text}" -> ${r.insns[0]?.form.id} ${r.diagnostics.map((d) => d.message).join('; ')}`);
          }
        }
      }
      expect(failures.slice(0, 10)).toEqual([]);
      expect(count).toBe(FORMS.length * 40);
    });
  }

  for (const syntax of ['llvm', 'conformance'] as Syntax[]) {
    it(`whole programs with labels, ${syntax}`, () => {
      const rand = rng(7);
      const forms = FORMS.filter((f) => f.kind !== 'invalid');
      for (let round = 0; round < 20; round++) {
        const insns = Array.from({ length: 60 }, () => samples(forms[Math.floor(rand() * forms.length)], rand, 12)[Math.floor(rand() * 12)]);
        // Point jumps at instruction starts inside the program so that labels print.
        const pcs = slotPcs(insns);
        const fixed = insns.map((insn, i) => {
          if (jumpTarget(insn, pcs[i]) === undefined) return insn;
          const delta = pcs[Math.floor(rand() * pcs.length)] - (pcs[i] + 1);
          return insn.form.id === 'gotol' || insn.form.kind === 'call' ? { ...insn, imm: delta } : { ...insn, off: delta };
        });
        const text = printProgram(fixed, { syntax });
        const r = parse(text, { syntax });
        expect(r.diagnostics).toEqual([]);
        expect(encode(r.insns)).toEqual(encode(fixed));
        expect(r.insns.every((x, i) => same(fixed[i], x))).toBe(true);
      }
    });
  }
});

describe('llvm syntax input', () => {
  it('reads what llvm-mc reads: labels, comments, statement separators, directives, objdump notes', () => {
    const r = parse(
      [
        '\t.text',
        '\t.globl\tprog',
        'prog:                          # the entry',
        '\tr1 = *(u64 *)(r10 - 8)   // load',
        '\tif r1 s> 0x10 goto LBB0_2 ; w1 += w2',
        '/* a block',
        '   comment */ r0 = 4294967295',
        'LBB0_2: r0 = 0x123456789 ll',
        '\tgoto -0x4 <prog+0x8>',
        '\texit',
      ].join('\n'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.insns.map((i) => i.form.id)).toEqual(['ldxdw', 'jsgt_imm', 'add32_reg', 'mov64_imm', 'lddw', 'ja', 'exit']);
    expect(r.insns[1].off).toBe(2);
    expect(r.insns[3].imm).toBe(-1);
    expect(r.insns[5].off).toBe(-4);
    expect(r.labels).toEqual(new Map([['prog', 0], ['LBB0_2', 4]]));
    expect(r.lineOfInsn).toEqual([4, 5, 5, 7, 8, 9, 10]);
  });

  it('accepts r and w registers for 32-bit loads and stores, and call LABEL as a local call', () => {
    const r = parse('w1 = *(u32 *)(r2 + 4)\nr1 = *(u32 *)(r2 + 4)\n*(u8 *)(r1 - 1) = w3\nf: call f\n');
    expect(r.diagnostics).toEqual([]);
    expect(encode([r.insns[0]])).toEqual(encode([r.insns[1]]));
    expect(r.insns[3].form.id).toBe('call_local');
    expect(r.insns[3].imm).toBe(-1);
  });
});

describe('conformance syntax input', () => {
  it('reads the suite spellings', () => {
    const r = parse(
      [
        'mov %r0, 1',
        'mov32 %r1, 0xffffffff',
        'ldxdw %r1, [%r10-8]',
        'stxw [%r1+4], %r2',
        'jsgt %r1, 0x10, +3',
        'jeq32 %r1, %r2, done',
        'lddw %r0, 0x123456789',
        'lock fetch add32 [%r1], %r2',
        'lock cmpxchg [%r1+8], %r3',
        'movsx1632 %r1, %r2',
        'call local done',
        'call %r5',
        'be16 %r0 # swap',
        'done:',
        'ja exit',
        'exit',
      ].join('\n'),
      { syntax: 'conformance' },
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.insns.map((i) => i.form.id)).toEqual([
      'mov64_imm', 'mov32_imm', 'ldxdw', 'stxw', 'jsgt_imm', 'jeq32_reg', 'lddw', 'atomic32_fetch_add', 'atomic64_cmpxchg',
      'movsx32_16', 'call_local', 'callx', 'be16', 'ja', 'exit',
    ]);
    expect(r.insns[5].off).toBe(8);
    expect(r.insns[10].imm).toBe(2);
    expect(r.insns[13].off).toBe(0);
    expect(r.labels.get('exit')).toBe(15);
  });
});

describe('diagnostics', () => {
  const one = (text: string, syntax: Syntax = 'llvm') => {
    const r = parse(text, { syntax, file: 'x.s' });
    expect(r.diagnostics.length).toBe(1);
    const d = r.diagnostics[0];
    return `${d.line}:${d.column} ${d.code} ${d.message}`;
  };

  it('names line, column and what was expected', () => {
    expect(one('r0 = 1\n  r1 += foo')).toBe("2:9 asm.expected expected a number or an r register, found 'foo'");
    expect(one('w1 = *(u32 *)(x2 + 4)')).toBe("1:15 asm.expected-register expected an r register, found 'x2'");
    expect(one('r1 = -r2')).toBe("1:7 asm.expected-register expected r1 (the same register as before), found 'r2'");
    expect(one('r1 = *(u64 *)(r10 + 40000)')).toBe('1:19 asm.offset-range offset 40000 does not fit in 16 bits');
    expect(one('r1 += 0x100000000')).toBe('1:7 asm.immediate-range immediate 4294967296 does not fit in 32 bits');
    expect(one('r1 = 0x100000000')).toBe("1:17 asm.expected-token expected 'll' at end of statement");
    expect(one('frob r1')).toBe("1:1 asm.unknown-instruction unknown instruction 'frob'");
    expect(one('exit now')).toBe("1:6 asm.trailing-tokens expected end of statement, found 'now'");
    expect(one('goto nowhere')).toBe("1:6 asm.undefined-label undefined label 'nowhere'");
    expect(one('a: exit\na: exit')).toBe("2:1 asm.duplicate-label label 'a' is already defined");
    expect(one('ldxdw %r1, [%r10-8', 'conformance')).toBe("1:19 asm.expected-token expected ']' at end of statement");
    expect(one('jeq %r1, 1', 'conformance')).toBe("1:11 asm.expected-token expected ',' at end of statement");
  });

  it('truncates conformance immediates wider than 32 bits with a warning, as the suite does', () => {
    const r = parse('mov32 %r1, 0x876543210', { syntax: 'conformance' });
    expect(r.insns[0].imm).toBe(0x76543210);
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.message])).toEqual([['warning', 'asm.immediate-truncated', 'immediate 0x876543210 truncated to 32 bits (0x76543210)']]);
    expect(parse('w1 = 0x876543210').diagnostics[0].code).toBe('asm.immediate-range');
  });

  it('warns about registers beyond r10 (accepted, as the conformance suite uses them in negative tests)', () => {
    const r = parse('mov %r11, 1', { syntax: 'conformance' });
    expect(r.insns[0].dst).toBe(11);
    expect(r.diagnostics.map((d) => [d.severity, d.code])).toEqual([['warning', 'asm.invalid-register']]);
  });

  it('never throws on garbage', () => {
    const rand = rng(99);
    const alphabet = 'r0w1%[]()+-*=<>&|^!s,:;#/ ll 0x1f 99999999999999999999 goto if call lock exit \n\t.';
    for (const syntax of ['llvm', 'conformance'] as Syntax[]) {
      let text = '';
      for (let i = 0; i < 20000; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      const r = parse(text, { syntax });
      expect(r.diagnostics.length).toBeGreaterThan(0);
      expect(r.diagnostics.every((d) => d.line !== undefined && d.column !== undefined)).toBe(true);
    }
  });
});
