import { describe, expect, it } from 'vitest';
import { decode2013, encode2013, FORMS_2013, makeInsn2013 } from '../isa/ebpf2013';
import { exampleText } from '../../tests/support/examples';

import { parse2013 } from './parse-2013';
import { printInsn2013, printProgram2013 } from './print-2013';

const FILTER_EX1_C = exampleText('2013/filter_ex1.c');
const FILTER_EX2_C = exampleText('2013/filter_ex2.c');

/** SEEDS-SPEC Appendix A.2 (ISA-16, IT-05), verbatim. */
const GOLDEN_A2 = `== filter_ex1
 0  c2 0a ec ff 6c 6f 00 00   code_c2 *(u32 *)(r10 -20) = 28524
 1  d9 16 68 00 00 00 00 00   code_d9 r6 = *(u64 *)(r1 +104)
 2  bc 61 00 00 00 00 00 00   code_bc r1 = r6
 3  04 01 00 00 20 00 00 00   code_04 r1 += 32
 4  85 00 00 00 01 00 00 00   code_85 call 1
 5  bc 07 00 00 00 00 00 00   code_bc r7 = r0
 6  b4 03 00 00 02 00 00 00   code_b4 r3 = 2
 7  bc a2 00 00 00 00 00 00   code_bc r2 = r10
 8  04 02 00 00 ec ff ff ff   code_04 r2 += -20
 9  bc 71 00 00 00 00 00 00   code_bc r1 = r7
10  85 00 00 00 12 00 00 00   code_85 call 18
11  55 00 0b 00 00 00 00 00   code_55 if r0 != 0x0 goto pc+11
12  c2 0a f0 ff 73 6b 62 20   code_c2 *(u32 *)(r10 -16) = 543320947
13  c2 0a f4 ff 25 70 20 64   code_c2 *(u32 *)(r10 -12) = 1679847461
14  c2 0a f8 ff 65 76 20 25   code_c2 *(u32 *)(r10 -8) = 622884453
15  c2 0a fc ff 70 20 0a 00   code_c2 *(u32 *)(r10 -4) = 663664
16  b4 05 00 00 00 00 00 00   code_b4 r5 = 0
17  bc 74 00 00 00 00 00 00   code_bc r4 = r7
18  bc 63 00 00 00 00 00 00   code_bc r3 = r6
19  b4 02 00 00 10 00 00 00   code_b4 r2 = 16
20  bc a1 00 00 00 00 00 00   code_bc r1 = r10
21  04 01 00 00 f0 ff ff ff   code_04 r1 += -16
22  85 00 00 00 1d 00 00 00   code_85 call 29
23  06 00 00 00 00 00 00 00   code_06 ret
== filter_ex2
 0  bc 16 00 00 00 00 00 00   code_bc r6 = r1
 1  da 0a e0 ff 00 00 00 00   code_da *(u64 *)(r10 -32) = 0
 2  d9 61 68 00 00 00 00 00   code_d9 r1 = *(u64 *)(r6 +104)
 3  04 01 00 00 20 00 00 00   code_04 r1 += 32
 4  85 00 00 00 01 00 00 00   code_85 call 1
 5  bc 07 00 00 00 00 00 00   code_bc r7 = r0
 6  db 7a e0 ff 00 00 00 00   code_db *(u64 *)(r10 -32) = r7
 7  bc a3 00 00 00 00 00 00   code_bc r3 = r10
 8  04 03 00 00 e0 ff ff ff   code_04 r3 += -32
 9  b4 02 00 00 00 00 00 00   code_b4 r2 = 0
10  bc 61 00 00 00 00 00 00   code_bc r1 = r6
11  85 00 00 00 12 00 00 00   code_85 call 18
12  15 00 12 00 00 00 00 00   code_15 if r0 == 0x0 goto pc+18
13  b4 01 00 00 01 00 00 00   code_b4 r1 = 1
14  fb 10 00 00 00 00 00 00   code_fb lock *(u64 *)(r0 +0) += r1
15  d9 01 00 00 00 00 00 00   code_d9 r1 = *(u64 *)(r0 +0)
16  94 01 00 00 10 27 00 00   code_94 r1 %= 10000
17  55 01 15 00 00 00 00 00   code_55 if r1 != 0x0 goto pc+21
18  c2 0a e8 ff 64 65 76 20   code_c2 *(u32 *)(r10 -24) = 544630116
19  c2 0a ec ff 25 70 20 20   code_c2 *(u32 *)(r10 -20) = 538996773
20  c2 0a f0 ff 70 6b 74 5f   code_c2 *(u32 *)(r10 -16) = 1601465200
21  c2 0a f4 ff 63 6e 74 20   code_c2 *(u32 *)(r10 -12) = 544501347
22  c2 0a f8 ff 25 64 0a 00   code_c2 *(u32 *)(r10 -8) = 680997
23  b4 05 00 00 00 00 00 00   code_b4 r5 = 0
24  d9 04 00 00 00 00 00 00   code_d9 r4 = *(u64 *)(r0 +0)
25  bc 73 00 00 00 00 00 00   code_bc r3 = r7
26  b4 02 00 00 14 00 00 00   code_b4 r2 = 20
27  bc a1 00 00 00 00 00 00   code_bc r1 = r10
28  04 01 00 00 e8 ff ff ff   code_04 r1 += -24
29  85 00 00 00 23 00 00 00   code_85 call 35
30  0d 00 08 00 00 00 00 00   code_0d goto pc+8
31  da 0a e8 ff 00 00 00 00   code_da *(u64 *)(r10 -24) = 0
32  bc a4 00 00 00 00 00 00   code_bc r4 = r10
33  04 04 00 00 e8 ff ff ff   code_04 r4 += -24
34  bc a3 00 00 00 00 00 00   code_bc r3 = r10
35  04 03 00 00 e0 ff ff ff   code_04 r3 += -32
36  b4 02 00 00 00 00 00 00   code_b4 r2 = 0
37  bc 61 00 00 00 00 00 00   code_bc r1 = r6
38  85 00 00 00 34 00 00 00   code_85 call 52
39  06 00 00 00 00 00 00 00   code_06 ret
`;

function golden(name: string): string {
  const block = GOLDEN_A2.split(/^== /m).find((b) => b.startsWith(name + '\n'))!;
  return block.slice(name.length + 1);
}

describe('pr_info_bpf_insn printer', () => {
  it('IT-05: prints both examples exactly as Appendix A.2', () => {
    for (const [name, src] of [['filter_ex1', FILTER_EX1_C], ['filter_ex2', FILTER_EX2_C]] as const) {
      const p = parse2013(src);
      // Print from the bytes, as the kernel would, not from the parser's objects.
      const insns = decode2013(encode2013(p.insns)).insns;
      expect(printProgram2013(insns)).toBe(golden(name));
    }
  });

  it('annotates every register operand with (0x<value>) when a register file is given', () => {
    const regs = [0n, 0xffff880808e3a300n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 0xffffc90000123e00n, 0n, 0n, 0n, 0n, 0n];
    const p = (id: string, f: object) => printInsn2013(makeInsn2013(id, f), regs);
    expect(p('mov_reg', { dst: 1, src: 6 })).toBe('code_bc r1(0xffff880808e3a300) = r6(0x6)');
    expect(p('add_imm', { dst: 1, imm: -16 })).toBe('code_04 r1(0xffff880808e3a300) += -16');
    expect(p('stxdw', { dst: 10, src: 7, off: -32 })).toBe('code_db *(u64 *)(r10(0xffffc90000123e00) -32) = r7(0x7)');
    expect(p('xadddw', { dst: 0, src: 1 })).toBe('code_fb lock *(u64 *)(r0(0x0) +0) += r1(0xffff880808e3a300)');
    expect(p('stw', { dst: 10, off: -4, imm: 663664 })).toBe('code_c2 *(u32 *)(r10(0xffffc90000123e00) -4) = 663664');
    expect(p('ldxdw', { dst: 6, src: 1, off: 104 })).toBe('code_d9 r6 = *(u64 *)(r1(0xffff880808e3a300) +104)');
    expect(p('jne_imm', { dst: 0, imm: -1, off: 11 })).toBe('code_55 if r0(0x0) != 0xffffffff goto pc+11');
    expect(p('jsgt_reg', { dst: 2, src: 3, off: -2 })).toBe('code_6d if r2(0x2) s> r3(0x3) goto pc-2');
    expect(p('ja', { off: 8 })).toBe('code_0d goto pc+8');
    expect(p('call', { imm: 29 })).toBe('code_85 call 29');
    expect(p('ret', {})).toBe('code_06 ret');
    expect(printInsn2013(makeInsn2013('mov_imm', { dst: 1, imm: 1 }), [-1n, -1n])).toBe('code_b4 r1(0xffffffffffffffff) = 1');
  });

  it('prints every form and every opcode byte without throwing, with the seed\'s BUG texts and a guarded jmp table', () => {
    for (const f of FORMS_2013) expect(printInsn2013(makeInsn2013(f.id))).toMatch(/^code_[0-9a-f]{2} /);
    const at = (code: number) => printInsn2013({ code, dst: 1, src: 2, off: 3, imm: 4 });
    expect(at(0x23)).toBe('BUG_23');
    expect(at(0x62)).toBe('BUG_st_62');
    expect(at(0x61)).toBe('BUG_ldx_61');
    expect(at(0x05)).toBe('code_05 if r1 jmp 0x4 goto pc+3');
    expect(at(0x95)).toBe('code_95 if r1 BUG 0x4 goto pc+3');
    expect(at(0xfd)).toBe('code_fd if r1 BUG r2 goto pc+3');
    expect(at(0xf4)).toBe('code_f4 r1 BUG 4');
    expect(at(0x8d)).toBe('code_8d call 4');
    expect(at(0x00)).toBe('code_00 ld');
    expect(at(0x07)).toBe('code_07 misc');
    for (let c = 0; c < 256; c++) expect(at(c).length).toBeGreaterThan(4);
  });

  it('can name the helper a call resolves to', () => {
    const p = parse2013(FILTER_EX1_C);
    const text = printProgram2013(p.insns, { strtab: p.strtab! });
    expect(text).toContain('code_85 call 18 <bpf_memcmp>');
    expect(text).toContain('code_85 call 29 <bpf_trace_printk>');
  });
});
