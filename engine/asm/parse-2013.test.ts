import { describe, expect, it } from 'vitest';
import { encode2013, FORMS_2013, makeInsn2013, type Insn2013 } from '../isa/ebpf2013';
import { exampleText } from '../../tests/support/examples';

import { parse2013 } from './parse-2013';

const FILTER_EX1_C = exampleText('2013/filter_ex1.c');
const FILTER_EX2_C = exampleText('2013/filter_ex2.c');

const hex = (insns: readonly Insn2013[]) => Array.from(encode2013(insns), (b) => b.toString(16).padStart(2, '0')).join(' ');

/** The macro text that produces a given form, with the seed's argument orders (ISA-13). */
function macroFor(id: string): string {
  const f = FORMS_2013.find((x) => x.id === id)!;
  const SZ: Record<number, string> = { 1: 'BPF_B', 2: 'BPF_H', 4: 'BPF_W', 8: 'BPF_DW' };
  const op = f.kind === 'neg' ? 'BPF_NEG' : f.kind === 'bswap' ? `BPF_BSWAP${f.swapBits}` : f.kind === 'mov' ? 'BPF_MOV'
    : f.aluOp ? `BPF_${f.aluOp.toUpperCase()}` : f.cond ? `BPF_J${f.cond.toUpperCase()}` : '';
  switch (f.macro) {
    case 'BPF_INSN_ALU': return `BPF_INSN_ALU(${op}, R7, ${f.kind === 'neg' || f.kind === 'bswap' ? '0' : '__fp__'})`;
    case 'BPF_INSN_ALU_IMM': return `BPF_INSN_ALU_IMM(${op}, R7, -123456)`;
    case 'BPF_INSN_LD': return `BPF_INSN_LD(${SZ[f.size!]}, R7, __fp__, -5)`;
    case 'BPF_INSN_ST': return `BPF_INSN_ST(${SZ[f.size!]}, R7, -5, __fp__)`;
    case 'BPF_INSN_ST_IMM': return `BPF_INSN_ST_IMM(${SZ[f.size!]}, R7, -5, -123456)`;
    case 'BPF_INSN_XADD': return `BPF_INSN_XADD(${SZ[f.size!]}, R7, -5, __fp__)`;
    case 'BPF_INSN_JUMP': return f.kind === 'ja' ? 'BPF_INSN_JUMP(BPF_JA, 0, 0, -5)' : `BPF_INSN_JUMP(${op}, R7, __fp__, -5)`;
    case 'BPF_INSN_JUMP_IMM': return `BPF_INSN_JUMP_IMM(${op}, R7, -123456, -5)`;
    case 'BPF_INSN_CALL': return 'BPF_INSN_CALL(-123456)';
    default: return 'BPF_INSN_RET()';
  }
}

describe('2013 macro parser', () => {
  it('parses a macro for every 2013 form into exactly that form', () => {
    for (const f of FORMS_2013) {
      const r = parse2013(macroFor(f.id));
      expect(r.diagnostics, f.id).toEqual([]);
      expect(r.insns.map((i) => i.form.id), f.id).toEqual([f.id]);
      const want = makeInsn2013(f.id, { dst: f.dst === 'reg' ? 7 : 0, src: f.src === 'reg' ? 10 : 0, off: f.off === 'value' ? -5 : 0, imm: f.imm === 'value' ? -123456 : 0 });
      expect(hex(r.insns), f.id).toBe(hex([want]));
    }
  });

  it('IT-05: BPF_INSN_JUMP(BPF_JA,0,0,8) is 0d 00 08 00 00 00 00 00; ST and LD take their arguments in different orders', () => {
    expect(hex(parse2013('BPF_INSN_JUMP(BPF_JA, 0, 0, 8)').insns)).toBe('0d 00 08 00 00 00 00 00');
    expect(hex(parse2013('BPF_INSN_ST(BPF_DW, __fp__, -32, R7)').insns)).toBe('db 7a e0 ff 00 00 00 00');
    expect(hex(parse2013('BPF_INSN_LD(BPF_DW, R1, R6, 104)').insns)).toBe('d9 61 68 00 00 00 00 00');
  });

  it('reads the seed\'s C example files: instructions, tables and the sized strtab', () => {
    const e1 = parse2013(FILTER_EX1_C);
    expect(e1.diagnostics).toEqual([]);
    expect(e1.insns.length).toBe(24);
    expect(e1.tables).toEqual([]);
    expect(e1.strtab!.length).toBe(46);
    expect(e1.lines[0]).toBe(6);
    const e2 = parse2013(FILTER_EX2_C);
    expect(e2.insns.length).toBe(40);
    expect(e2.tables).toEqual([{ type: 1, keySize: 8, elemSize: 8, maxEntries: 4096, param1: 0 }]);
    expect(e2.strtab!.length).toBe(69);
    expect(new TextDecoder().decode(e2.strtab!.subarray(52, 68))).toBe('bpf_table_update');
  });

  it('applies C sizing to char arrays: NUL added, padding, exact fit, too long', () => {
    const s = (decl: string) => parse2013(`struct bpf_insn p[] = { BPF_INSN_RET() };\n${decl}`);
    expect(Array.from(s('char strtab[] = "\\0ab";').strtab!)).toEqual([0, 97, 98, 0]);
    expect(Array.from(s('char strtab[5] = "\\0ab";').strtab!)).toEqual([0, 97, 98, 0, 0]);
    expect(Array.from(s('char strtab[3] = "\\0ab";').strtab!)).toEqual([0, 97, 98]);
    expect(Array.from(s('char strtab[] = "\\0a" "\\x62\\101";').strtab!)).toEqual([0, 97, 98, 65, 0]);
    const tooLong = s('char strtab[2] = "\\0ab";');
    expect(tooLong.diagnostics).toMatchObject([{ code: 'asm2013.string-too-long', line: 2, column: 1 }]);
  });

  it('reports mistakes with line and column, never throwing', () => {
    const src = [
      'BPF_INSN_ALU(BPF_MOV, R1, R2)',
      'BPF_INSN_ALU_IMM(BPF_NEG, R1, 0)',
      'BPF_INSN_JUMP_IMM(BPF_JEQ, R1, 0)',
      'BPF_INSN_LD(BPF_DW, 11, R1, 0)',
      '  BPF_INSN_ALUX(BPF_ADD, R1, R2)',
      'BPF_INSN_ALU_IMM(BPF_ADD, R1, 0x100000000)',
      'BPF_INSN_ST_IMM(BPF_W, R1, 40000, 1)',
      'BPF_INSN_ALU(BPF_DW, R1, FOO)',
      'BPF_INSN_RET()',
    ].join('\n');
    const r = parse2013(src);
    expect(r.diagnostics.map((d) => [d.line, d.column, d.code])).toEqual([
      [2, 1, 'isa2013.invalid-opcode'],
      [3, 33, 'asm2013.expected'],
      [4, 1, 'isa2013.bad-register'],
      [5, 3, 'asm2013.unknown-macro'],
      [6, 31, 'asm2013.range'],
      [7, 28, 'asm2013.range'],
      [8, 14, 'asm2013.symbol-family'],
      [8, 14, 'asm2013.masked'],
      [8, 26, 'asm2013.unknown-symbol'],
    ]);
    expect(r.diagnostics[0].message).toMatch(/neg must use the X form/);
    expect(r.insns.map((i) => i.form.id)).toEqual(['mov_reg', 'invalid', 'invalid', 'ret']);
    expect(r.lines).toEqual([1, 2, 4, 9]);
  });

  it('survives arbitrary text', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    const alphabet = 'BPF_INSN_ALU(,)R1 2-"\\/*{}[];=\nchar struct bpf_insn bpf_table 0x';
    for (let n = 0; n < 500; n++) {
      let s = FILTER_EX2_C.slice(0, rnd() % FILTER_EX2_C.length);
      for (let k = 0; k < 20; k++) s += alphabet[rnd() % alphabet.length];
      const r = parse2013(s);
      expect(r.insns.length).toBe(r.lines.length);
    }
  });
});
