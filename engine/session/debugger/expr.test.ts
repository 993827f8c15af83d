// Tests of the debugger expression language: precedence, signedness, casts, derefs, faults and diagnostics.
import { describe, expect, it } from 'vitest';
import { evaluate, evaluateCondition, parseAssignment, parseExpr, printExpr, valueToDecimal, type EvalState } from './expr';

/** A 64-byte little "stack" at 0x1000 plus registers, the shape the debugger hands to evaluate(). */
function state(regs: Record<number, bigint>, mem: Record<number, number[]> = {}): EvalState {
  const bytes = new Map<bigint, number>();
  for (const [a, list] of Object.entries(mem)) list.forEach((b, i) => bytes.set(BigInt(a) + BigInt(i), b));
  return {
    reg: (n) => regs[n] ?? 0n,
    read: (addr, size) => {
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        const b = bytes.get(addr + BigInt(i));
        if (b === undefined) return { fault: 'not mapped' };
        out[i] = b;
      }
      return out;
    },
    pc: () => 7,
  };
}

function value(text: string, st: EvalState = state({})): bigint {
  const p = parseExpr(text);
  if (!p.ok) throw new Error(`parse failed: ${p.diagnostic.message}`);
  const r = evaluate(p.expr, st);
  if (!r.ok) throw new Error(`fault: ${r.fault}`);
  return r.value.bits;
}

const M = (1n << 64n) - 1n;

describe('expression parser', () => {
  it('binds like C: * over +, + over <<, << over <, < over ==, == over &, & over ^ over |, && over ||', () => {
    expect(value('1 + 2 * 3')).toBe(7n);
    expect(value('1 << 2 + 1')).toBe(8n);
    expect(value('1 < 2 == 1')).toBe(1n);
    expect(value('6 & 3 == 3')).toBe(0n); // 3 == 3 is 1, 6 & 1 is 0
    expect(value('1 | 6 ^ 3 & 1')).toBe(7n); // 1 | (6 ^ (3 & 1)) = 1 | 7
    expect(value('0 && 1 || 1')).toBe(1n);
    expect(value('1 || 0 && 0')).toBe(1n);
    expect(value('(1 + 2) * 3')).toBe(9n);
    expect(value('10 - 3 - 2')).toBe(5n); // left associative
    expect(value('100 / 10 / 5')).toBe(2n);
  });

  it('prints the parsed tree so precedence is visible', () => {
    const p = parseExpr('r1 == 0 && *(u32*)(r10-8) > 3');
    expect(p.ok && printExpr(p.expr)).toBe('((r1 == 0) && (*(u32 *)((r10 - 8)) > 3))');
    const q = parseExpr('r0 s< -1');
    expect(q.ok && printExpr(q.expr)).toBe('(r0 s< -1)');
  });

  it('reports the column of bad input', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['r1 == ', 7, /expected an expression/],
      ['r11 + 1', 1, /no register 'r11'/],
      ['r1 $ 2', 4, /unexpected character/],
      ['(r1 + 2', 8, /expected '\)'/],
      ['r1 r2', 4, /unexpected 'r2'/],
      ['*(u32*)', 8, /expected an expression/],
      ['(u32 *)r1', 1, /must be dereferenced/],
      ['foo + 1', 1, /unknown name 'foo'/],
      ['0x1ffffffffffffffff', 1, /does not fit/],
      ['12ab', 1, /bad number/],
    ];
    for (const [text, column, msg] of cases) {
      const p = parseExpr(text);
      expect(p.ok, text).toBe(false);
      if (!p.ok) {
        expect(p.diagnostic.column, text).toBe(column);
        expect(p.diagnostic.message, text).toMatch(msg);
        expect(p.diagnostic.code).toBe('debug.expr-syntax');
      }
    }
  });

  it('parses assignments to registers and memory, and refuses other targets', () => {
    const a = parseAssignment('*(u32*)(r10-4) = 7');
    expect(a.ok && a.expr.target.kind).toBe('deref');
    const b = parseAssignment('w1 = 0x10');
    expect(b.ok && b.expr.target.kind === 'reg' && b.expr.target.width).toBe(32);
    const c = parseAssignment('r1 + 1 = 2');
    expect(c.ok).toBe(false);
    const d = parseAssignment('r1 == 2');
    expect(!d.ok && d.diagnostic.message).toMatch(/expected '='/);
  });
});

describe('expression evaluation', () => {
  it('uses 64-bit unsigned arithmetic by default', () => {
    expect(value('0 - 1')).toBe(M);
    expect(value('-1')).toBe(M);
    expect(value('r1 < 0', state({ 1: M }))).toBe(0n); // unsigned: max u64 is not below 0
    expect(value('r1 > 5', state({ 1: M }))).toBe(1n);
    expect(value('r1 / 2', state({ 1: M }))).toBe(M >> 1n);
    expect(value('r1 >> 60', state({ 1: M }))).toBe(15n);
    expect(value('0xffffffffffffffff + 2')).toBe(1n);
  });

  it('compares signed with s< s> s<= s>= and after signed casts', () => {
    const st = state({ 0: M - 4n }); // -5
    expect(value('r0 s< -1', st)).toBe(1n);
    expect(value('r0 s> -1', st)).toBe(0n);
    expect(value('r0 s<= -5', st)).toBe(1n);
    expect(value('r0 s>= -5', st)).toBe(1n);
    expect(value('r0 < -1', st)).toBe(1n); // unsigned: 2^64-5 < 2^64-1
    expect(value('r0 < 3', st)).toBe(0n); // unsigned
    expect(value('(s64)r0 < 3', st)).toBe(1n); // signed after the cast
    expect(value('(s64)r0 / 5', st)).toBe(M); // -5 / 5 = -1, truncating like C
    expect(value('(s64)r0 % 3', st)).toBe(M - 1n); // -5 % 3 = -2
    expect(value('(s64)r0 >> 1', st)).toBe(M - 2n); // arithmetic shift
    expect(value('r0 s>> 1', st)).toBe(M - 2n);
    expect(value('r0 >> 63', st)).toBe(1n);
  });

  it('casts truncate and extend', () => {
    const st = state({ 2: 0x1_8000_00ffn });
    expect(value('(u32)r2', st)).toBe(0x8000_00ffn);
    expect(value('(s32)r2', st)).toBe(0xffff_ffff_8000_00ffn);
    expect(value('(u8)r2', st)).toBe(0xffn);
    expect(value('(s8)r2', st)).toBe(M);
    expect(value('(u16)r2', st)).toBe(0xffn);
    expect(value('(r2 & 0xff) != 7', st)).toBe(1n);
    expect(value('w2', st)).toBe(0x8000_00ffn);
    expect(value('(int)r2', st)).toBe(0xffff_ffff_8000_00ffn);
  });

  it('reads memory little-endian with the deref size and signedness', () => {
    const st = state({ 10: 0x1010n, 1: 0x1000n }, { 0x1000: [0xfe, 0xff, 0xff, 0xff, 0x04, 0, 0, 0], 0x1008: [5, 0, 0, 0, 0, 0, 0, 0x80] });
    expect(value('*(u32*)(r10-16)', st)).toBe(0xffff_fffen);
    expect(value('*(s32 *)(r10 - 16)', st)).toBe(M - 1n);
    expect(value('*(s32 *)(r10 - 16) s< 0', st)).toBe(1n);
    expect(value('*(s32 *)(r10 - 16) < 0', st)).toBe(1n); // signed deref compares signed against a literal
    expect(value('*(u8*)(r10-16)', st)).toBe(0xfen);
    expect(value('*(s8*)(r10-16)', st)).toBe(M - 1n);
    expect(value('*(u16*)(r10-16)', st)).toBe(0xfffen);
    expect(value('*(s16*)(r10-16)', st)).toBe(M - 1n);
    expect(value('*(u64 *)(r1 + 8)', st)).toBe(0x8000_0000_0000_0005n);
    expect(value('*(r1 + 8)', st)).toBe(0x8000_0000_0000_0005n);
    expect(value('r1 == 0x1000 && *(u32*)(r10-12) > 3', st)).toBe(1n);
    expect(value('pc', st)).toBe(7n);
  });

  it('turns faults into data: unreadable memory, division by zero', () => {
    const st = state({ 1: 0x2000n });
    const p = parseExpr('r2 == 0 && *(u32 *)(r1 + 4) == 1');
    if (!p.ok) throw new Error('parse');
    const r = evaluate(p.expr, st);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.fault).toMatch(/cannot read 4 bytes at 0x2004: not mapped/);
      expect(r.column).toBe(12);
    }
    const c = evaluateCondition(p.expr, st);
    expect(c).toEqual({ value: false, fault: expect.stringMatching(/0x2004/) });
    const d = parseExpr('5 / r3');
    expect(d.ok && evaluate(d.expr, st)).toMatchObject({ ok: false, fault: 'division by zero' });
  });

  it('short-circuits && and || so a guarded deref does not fault', () => {
    const p = parseExpr('r1 != 0 && *(u8 *)r1 == 2');
    if (!p.ok) throw new Error('parse');
    expect(evaluateCondition(p.expr, state({ 1: 0n }))).toEqual({ value: false });
    const q = parseExpr('r1 == 0 || *(u8 *)r1 == 2');
    if (!q.ok) throw new Error('parse');
    expect(evaluateCondition(q.expr, state({ 1: 0n }))).toEqual({ value: true });
  });

  it('prints signed values in signed decimal', () => {
    const p = parseExpr('(s32)r1');
    if (!p.ok) throw new Error('parse');
    const r = evaluate(p.expr, state({ 1: 0xffff_fff0n }));
    expect(r.ok && valueToDecimal(r.value)).toBe('-16');
    const q = parseExpr('r1');
    if (!q.ok) throw new Error('parse');
    const s = evaluate(q.expr, state({ 1: M }));
    expect(s.ok && valueToDecimal(s.value)).toBe(M.toString());
  });
});
