// Tristate numbers: the kernel's tnum (kernel/bpf/tnum.c) — known bits `value`, unknown bits `mask` — in 64-bit BigInt.
//
// A tnum stands for every u64 x with (x & ~mask) == value; value & mask is always 0. The operations are
// transcriptions of tnum.c so that bounds derived from them, and the log's var_off=(value; mask), match the kernel.

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const U64 = (1n << 64n) - 1n;
const u64 = (x: bigint): bigint => x & U64;

export const tnumUnknown: Tnum = Object.freeze({ value: 0n, mask: U64 });

export function tnumConst(value: bigint): Tnum {
  return { value: u64(value), mask: 0n };
}

/** The smallest tnum covering [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u64(min ^ max);
  const bits = chi === 0n ? 0 : chi.toString(2).length; // fls64
  if (bits > 63) return tnumUnknown;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: u64(min & ~delta), mask: delta };
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  return { value: u64(a.value << BigInt(shift)), mask: u64(a.mask << BigInt(shift)) };
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  return { value: a.value >> BigInt(shift), mask: a.mask >> BigInt(shift) };
}

/** Arithmetic right shift of a 32-bit (insnBitness 32) or 64-bit tnum. */
export function tnumArshift(a: Tnum, minShift: number, insnBitness: 32 | 64): Tnum {
  if (insnBitness === 32) {
    const v = BigInt.asIntN(32, a.value) >> BigInt(minShift);
    const m = BigInt.asIntN(32, a.mask) >> BigInt(minShift);
    return { value: v & 0xffffffffn, mask: m & 0xffffffffn };
  }
  return { value: u64(BigInt.asIntN(64, a.value) >> BigInt(minShift)), mask: u64(BigInt.asIntN(64, a.mask) >> BigInt(minShift)) };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & U64, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & U64, mask: mu };
}

export function tnumNeg(a: Tnum): Tnum {
  return tnumSub(tnumConst(0n), a);
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64 };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64 };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64, mask: mu };
}

/** tnum_union: every value of a or b (kernel/bpf/tnum.c). */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const v = a.value & b.value;
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return { value: v & ~mu & U64, mask: mu };
}

/** tnum_mul as of Linux 6.17+: shift-and-add over a's bits, unioning both outcomes of an unknown bit. */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let acc = tnumConst(0n);
  let x = a;
  let y = b;
  while (x.value || x.mask) {
    if (x.value & 1n) acc = tnumAdd(acc, y);
    else if (x.mask & 1n) acc = tnumUnion(acc, tnumAdd(acc, y));
    x = tnumRshift(x, 1);
    y = tnumLshift(y, 1);
  }
  return acc;
}

export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64, mask: mu };
}

/** Truncates to the low `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = size >= 8 ? U64 : (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

export function tnumEqualsConst(a: Tnum, b: bigint): boolean {
  return tnumIsConst(a) && a.value === u64(b);
}

export function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === U64;
}

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** Whether every value of b is also a value of a. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask & U64) return false;
  return a.value === (b.value & ~a.mask & U64);
}

export function tnumSubreg(a: Tnum): Tnum {
  return tnumCast(a, 4);
}

export function tnumClearSubreg(a: Tnum): Tnum {
  return tnumLshift(tnumRshift(a, 32), 32);
}

export function tnumWithSubreg(reg: Tnum, subreg: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
}

export function tnumConstSubreg(a: Tnum, value: bigint): Tnum {
  return tnumWithSubreg(a, tnumConst(value & 0xffffffffn));
}

/**
 * tnum_step: the smallest member of `t` greater than `z` (for t.value <= z < tmax); `t.value` below the tnum and its
 * largest member tmax from there on. Members are value | d for d within the mask, ordered as d is: starting at z + 1,
 * the highest known bit that disagrees with `value` either can be set (the result keeps the higher bits and takes
 * the least of the lower ones) or must be clear (the bits above it are incremented and the search goes on).
 */
export function tnumStep(t: Tnum, z: bigint): bigint {
  const tmax = t.value | t.mask;
  if (z >= tmax) return tmax;
  if (z < t.value) return t.value;
  const known = ~t.mask & U64;
  let y = z + 1n;
  for (;;) {
    const diff = (y ^ t.value) & known;
    if (diff === 0n) return y;
    const k = BigInt(diff.toString(2).length - 1);
    const low = (1n << (k + 1n)) - 1n;
    if ((t.value >> k) & 1n) return (y & ~low) | (t.value & low);
    y = ((y >> (k + 1n)) + 1n) << (k + 1n);
  }
}

/** tnum_overlap: whether some value fits both (their known bits agree wherever both are known). */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const mu = ~a.mask & ~b.mask;
  return (a.value & mu) === (b.value & mu);
}

export function tnumEq(a: Tnum, b: Tnum): boolean {
  return a.value === b.value && a.mask === b.mask;
}

/** The log's rendering: "(0x0; 0xffffffff)". */
export function tnumPrint(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}
