// 64-bit multiply/divide/modulo on 32-bit halves against BigInt, at the edges of each fast path.
import { describe, expect, it } from 'vitest';
import { OUT, div64, mod64, mul64, sdiv64, smod64 } from './wide';

const M64 = (1n << 64n) - 1n;
const join = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const out = (): bigint => join(OUT[0], OUT[1]);
const lo = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const hi = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Deterministic xorshift values mixed with edge cases around 2^21 (the two-division path) and 2^32. */
function* values(n: number): Generator<bigint> {
  const edges = [0n, 1n, 2n, 3n, 0x1ffffdn, 0x1ffffen, 0x1fffffn, 0x200000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, M64, M64 - 1n, 1000003n, 65521n];
  yield* edges;
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < n; i++) {
    x ^= (x << 13n) & M64;
    x ^= x >> 7n;
    x ^= (x << 17n) & M64;
    // Vary the magnitude: divisors of every bit length.
    yield x >> BigInt(i % 64);
  }
}

/** Failures as text (expect() per case would dominate the test's time). */
function check(bad: string[], what: string, got: bigint, want: bigint): void {
  if (got !== want && bad.length < 5) bad.push(`${what}: got ${got}, want ${want}`);
}

describe('wide arithmetic agrees with BigInt', () => {
  const as = [...values(300)];
  const bs = [...values(300)];
  it('mul64', () => {
    const bad: string[] = [];
    for (const a of as) for (const b of bs) {
      mul64(lo(a), hi(a), lo(b), hi(b));
      check(bad, `${a} * ${b}`, out(), (a * b) & M64);
    }
    expect(bad).toEqual([]);
  });
  it('div64 and mod64 (by zero: 0 and dst unchanged)', () => {
    const bad: string[] = [];
    for (const a of as) for (const b of bs) {
      div64(lo(a), hi(a), lo(b), hi(b));
      check(bad, `${a} / ${b}`, out(), b === 0n ? 0n : a / b);
      mod64(lo(a), hi(a), lo(b), hi(b));
      check(bad, `${a} % ${b}`, out(), b === 0n ? a : a % b);
    }
    expect(bad).toEqual([]);
  });
  it('sdiv64 and smod64 (truncating; INT64_MIN / -1 wraps)', () => {
    const bad: string[] = [];
    for (const a of as) for (const b of bs) {
      const sa = s64(a);
      const sb = s64(b);
      sdiv64(lo(a), hi(a), lo(b), hi(b));
      check(bad, `${sa} s/ ${sb}`, out(), sb === 0n ? 0n : BigInt.asUintN(64, sa / sb));
      smod64(lo(a), hi(a), lo(b), hi(b));
      check(bad, `${sa} s% ${sb}`, out(), sb === 0n ? a : BigInt.asUintN(64, sa % sb));
    }
    expect(bad).toEqual([]);
  });
  it('divisors of 2^32 and more: dividends next to a multiple, where the double estimate of the quotient is one off', () => {
    // x = q * y + r with r in {0, 1, y - 2, y - 1}: the quotient's fraction is within 2^-19 of 0 or 1 here.
    const bad: string[] = [];
    let seed = 0x2545f4914f6cdd1dn;
    const next = (): bigint => {
      seed ^= (seed << 13n) & M64;
      seed ^= seed >> 7n;
      seed ^= (seed << 17n) & M64;
      return seed;
    };
    let cases = 0;
    while (cases < 20000) {
      const y = (next() >> BigInt(Number(next() % 32n))) | 0x100000000n;
      const q = next() & 0xffffffffn;
      for (const r of [0n, 1n, y - 2n, y - 1n]) {
        const x = q * y + r;
        if (x > M64) continue;
        cases++;
        div64(lo(x), hi(x), lo(y), hi(y));
        check(bad, `${x} / ${y}`, out(), q);
        mod64(lo(x), hi(x), lo(y), hi(y));
        check(bad, `${x} % ${y}`, out(), r);
      }
    }
    expect(bad).toEqual([]);
  });
});
