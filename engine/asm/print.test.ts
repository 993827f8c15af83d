// The printer on a small program in all three flavours; the expected text was read off
// llvm-objdump-19 (llvm), the bpf_conformance disassembler's rules (conformance) and a Linux 6.18
// verifier log (kernel). The suites in tests/llvm and tests/kernel-disasm compare every form live.
import { describe, expect, it } from 'vitest';
import { makeInsn, makeLdImm64 } from '../isa';
import { printInsn, printProgram } from './print';

const PROGRAM = [
  makeInsn('ldxdw', { dst: 1, src: 10, off: -8 }),
  makeInsn('add32_reg', { dst: 1, src: 2 }),
  makeInsn('jsgt_imm', { dst: 1, imm: 16, off: 2 }),
  makeInsn('call', { imm: 1 }),
  makeInsn('atomic64_fetch_add', { dst: 1, src: 0, off: 0 }),
  makeLdImm64('lddw', 1, 0x123456789n),
  makeInsn('ldxw', { dst: 1, src: 2, off: 4 }),
  makeInsn('mov64_imm', { dst: 0, imm: -1 }),
  makeInsn('exit'),
];

describe('printProgram', () => {
  it('llvm syntax, as llvm-objdump-19 prints (hex), with labels for jump targets', () => {
    expect(printProgram(PROGRAM)).toBe(
      [
        'r1 = *(u64 *)(r10 - 0x8)',
        'w1 += w2',
        'if r1 s> 0x10 goto .L5',
        'call 0x1',
        'r0 = atomic_fetch_add((u64 *)(r1 + 0x0), r0)',
        '.L5:',
        'r1 = 0x123456789 ll',
        'r1 = *(u32 *)(r2 + 0x4)',
        'r0 = -0x1',
        'exit',
        '',
      ].join('\n'),
    );
  });

  it('llvm syntax in decimal with alu32 w registers and without labels', () => {
    expect(printProgram(PROGRAM, { hex: false, alu32: true, labels: false }).split('\n').slice(0, 7)).toEqual([
      'r1 = *(u64 *)(r10 - 8)', 'w1 += w2', 'if r1 s> 16 goto +2', 'call 1',
      'r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)', 'r1 = 4886718345 ll', 'w1 = *(u32 *)(r2 + 4)',
    ]);
  });

  it('conformance syntax', () => {
    expect(printProgram(PROGRAM, { syntax: 'conformance' })).toBe(
      [
        'ldxdw %r1, [%r10-8]', 'add32 %r1, %r2', 'jsgt %r1, 0x10, L5', 'call 1', 'lock fetch add [%r1], %r0', 'L5:',
        'lddw %r1, 0x123456789', 'ldxw %r1, [%r2+4]', 'mov %r0, -1', 'exit', '',
      ].join('\n'),
    );
  });

  it('kernel flavour, as the verifier log prints', () => {
    expect(printProgram(PROGRAM, { syntax: 'kernel', helperName: (id) => (id === 1 ? 'bpf_map_lookup_elem' : undefined) })).toBe(
      [
        '0: (79) r1 = *(u64 *)(r10 -8)', '1: (0c) w1 += w2', '2: (65) if r1 s> 0x10 goto pc+2', '3: (85) call bpf_map_lookup_elem#1',
        '4: (db) r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)', '5: (18) r1 = 0x123456789', '7: (61) r1 = *(u32 *)(r2 +4)',
        '8: (b7) r0 = -1', '9: (95) exit', '',
      ].join('\n'),
    );
  });
});

describe('printInsn', () => {
  it('prints objdump notes after jump offsets and labels when given', () => {
    const j = makeInsn('ja', { off: -3 });
    expect(printInsn(j, { pc: 10, targetNote: (t) => `<prog+0x${(t * 8).toString(16)}>` })).toBe('goto -0x3 <prog+0x40>');
    expect(printInsn(j, { pc: 10, labelAt: (t) => (t === 8 ? 'LBB0_1' : undefined) })).toBe('goto LBB0_1');
    expect(printInsn(j)).toBe('goto -0x3');
  });

  it('keeps llvm-inexpressible forms distinct with our own spellings', () => {
    expect(printInsn(makeInsn('call_local', { imm: -4 }))).toBe('call pc-0x4');
    expect(printInsn(makeInsn('call_kfunc', { imm: 77, off: 2 }))).toBe('call kfunc 0x4d, 0x2');
    expect(printInsn(makeInsn('ldindh', { src: 3, imm: 14 }))).toBe('r0 = *(u16 *)skb[r3 + 0xe]');
    expect(printInsn(makeLdImm64('lddw_map_value', 1, (8n << 32n) | 5n))).toBe('ld_pseudo r1, 0x2, 0x800000005');
  });
});
