// Scalar bounds: the kernel's signed/unsigned 64- and 32-bit ranges plus tnum, with its ALU and branch rules.
//
// Transcribed from kernel/bpf/verifier.c (Linux 6.18): __update_reg_bounds, __reg_deduce_bounds,
// __reg_bound_offset, reg_bounds_sync, the scalar{32,}_min_max_* helpers of adjust_scalar_min_max_vals,
// is_scalar_branch_taken and regs_refine_cond_op. All values are BigInt: u64/s64 fields hold their C value
// (unsigned fields in [0, 2^64), signed in [-2^63, 2^63)); u32/s32 likewise.
import {
  tnumAdd, tnumAnd, tnumArshift, tnumCast, tnumClearSubreg, tnumConst, tnumIntersect, tnumIsConst, tnumLshift, tnumMul,
  tnumNeg, tnumOr, tnumOverlap, tnumRange, tnumRshift, tnumStep, tnumSub, tnumSubreg, tnumUnknown, tnumWithSubreg, tnumXor, type Tnum,
} from './tnum';

export const U64_MAX = (1n << 64n) - 1n;
export const S64_MAX = (1n << 63n) - 1n;
export const S64_MIN = -(1n << 63n);
export const U32_MAX = 0xffffffffn;
export const S32_MAX = 0x7fffffffn;
export const S32_MIN = -0x80000000n;

export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
export const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
export const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** The numeric part of a register state (struct bpf_reg_state's var_off and eight bounds). */
export interface Bounds {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: bigint;
  s32max: bigint;
  u32min: bigint;
  u32max: bigint;
}

export function unboundedBounds(): Bounds {
  return { varOff: tnumUnknown, smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX, s32min: S32_MIN, s32max: S32_MAX, u32min: 0n, u32max: U32_MAX };
}

export function markUnbounded(b: Bounds): void {
  Object.assign(b, unboundedBounds());
}

export function mark64Unbounded(b: Bounds): void {
  b.smin = S64_MIN; b.smax = S64_MAX; b.umin = 0n; b.umax = U64_MAX;
}

export function mark32Unbounded(b: Bounds): void {
  b.s32min = S32_MIN; b.s32max = S32_MAX; b.u32min = 0n; b.u32max = U32_MAX;
}

/** __mark_reg_known: exactly the 64-bit value v. */
export function markKnown(b: Bounds, v: bigint): void {
  b.varOff = tnumConst(v);
  b.smin = b.smax = s64(v);
  b.umin = b.umax = u64(v);
  b.s32min = b.s32max = s32(v);
  b.u32min = b.u32max = u32(v);
}

export function markKnown32(b: Bounds, v: bigint): void {
  b.varOff = tnumWithSubreg(b.varOff, tnumConst(u32(v)));
  b.s32min = b.s32max = s32(v);
  b.u32min = b.u32max = u32(v);
}

export function constBounds(v: bigint): Bounds {
  const b = unboundedBounds();
  markKnown(b, v);
  return b;
}

function updateBounds32(b: Bounds): void {
  const t = tnumSubreg(b.varOff);
  b.s32min = max(b.s32min, s32(t.value | (t.mask & 0x80000000n)));
  b.s32max = min(b.s32max, s32(t.value | (t.mask & 0x7fffffffn)));
  b.u32min = max(b.u32min, t.value);
  b.u32max = min(b.u32max, t.value | t.mask);
}

function updateBounds64(b: Bounds): void {
  const t = b.varOff;
  b.smin = max(b.smin, s64(t.value | (t.mask & (1n << 63n))));
  b.smax = min(b.smax, s64(t.value | (t.mask & S64_MAX)));
  b.umin = max(b.umin, t.value);
  b.umax = min(b.umax, t.value | t.mask);
  // 6.18: the u64 range and the tnum may share a single value; the register is then that constant
  // (___mark_reg_known). Three shapes: only umin, only the tnum's largest member, or one member in between.
  // Constant tnums too: a range contradicting a constant (a dead branch) collapses onto it here, not into a violation.
  const next = tnumStep(t, b.umin);
  const uminIn = (b.umin & ~t.mask) === t.value;
  const tmax = t.value | t.mask;
  if (uminIn && next > b.umax) markKnown(b, b.umin);
  else if (!uminIn && next === tmax) markKnown(b, tmax);
  else if (!uminIn && next <= b.umax && tnumStep(t, next) > b.umax) markKnown(b, next);
}

export function updateBounds(b: Bounds): void {
  updateBounds32(b);
  updateBounds64(b);
}

function deduce32(b: Bounds): void {
  if (b.umin >> 32n === b.umax >> 32n) {
    b.u32min = max(b.u32min, u32(b.umin));
    b.u32max = min(b.u32max, u32(b.umax));
    if (s32(b.umin) <= s32(b.umax)) {
      b.s32min = max(b.s32min, s32(b.umin));
      b.s32max = min(b.s32max, s32(b.umax));
    }
  }
  if (b.smin >> 32n === b.smax >> 32n) {
    if (u32(b.smin) <= u32(b.smax)) {
      b.u32min = max(b.u32min, u32(b.smin));
      b.u32max = min(b.u32max, u32(b.smax));
    }
    if (s32(b.smin) <= s32(b.smax)) {
      b.s32min = max(b.s32min, s32(b.smin));
      b.s32max = min(b.s32max, s32(b.smax));
    }
  }
  if (u32((b.umin >> 32n) + 1n) === u32(b.umax >> 32n) && s32(b.umin) < 0n && s32(b.umax) >= 0n) {
    b.s32min = max(b.s32min, s32(b.umin));
    b.s32max = min(b.s32max, s32(b.umax));
  }
  if (u32((u64(b.smin) >> 32n) + 1n) === u32(u64(b.smax) >> 32n) && s32(b.smin) < 0n && s32(b.smax) >= 0n) {
    b.s32min = max(b.s32min, s32(b.smin));
    b.s32max = min(b.s32max, s32(b.smax));
  }
  if (s32(b.u32min) <= s32(b.u32max)) {
    b.s32min = max(b.s32min, s32(b.u32min));
    b.s32max = min(b.s32max, s32(b.u32max));
  }
  if (u32(b.s32min) <= u32(b.s32max)) {
    b.u32min = max(u32(b.s32min), b.u32min);
    b.u32max = min(u32(b.s32max), b.u32max);
  } else if (b.u32max < u32(b.s32min)) {
    // The s32 range wraps the sign boundary and the u32 range meets only its non-negative part (as deduce64).
    b.s32min = s32(b.u32min);
    b.u32max = min(b.u32max, u32(b.s32max));
  } else if (u32(b.s32max) < b.u32min) {
    // ... or only its negative part.
    b.s32max = s32(b.u32max);
    b.u32min = max(b.u32min, u32(b.s32min));
  }
}

function deduce64(b: Bounds): void {
  if (s64(b.umin) <= s64(b.umax)) {
    b.smin = max(b.smin, s64(b.umin));
    b.smax = min(b.smax, s64(b.umax));
  }
  if (u64(b.smin) <= u64(b.smax)) {
    b.umin = max(u64(b.smin), b.umin);
    b.umax = min(u64(b.smax), b.umax);
  } else if (b.umax < u64(b.smin)) {
    // The s64 range wraps the sign boundary and the u64 range meets only its positive part.
    b.smin = s64(b.umin);
    b.umax = min(b.umax, u64(b.smax));
  } else if (u64(b.smax) < b.umin) {
    // ... or only its negative part.
    b.smax = s64(b.umax);
    b.umin = max(b.umin, u64(b.smin));
  }
}

function deduceMixed(b: Bounds): void {
  const hi = ~0xffffffffn;
  b.umin = max(b.umin, u64((b.umin & hi) | b.u32min));
  b.umax = min(b.umax, u64((b.umax & hi) | b.u32max));
  b.smin = max(b.smin, s64((b.smin & hi) | b.u32min));
  b.smax = min(b.smax, s64((b.smax & hi) | b.u32max));
  if (b.s32min >= 0n && b.smin >= S32_MIN && b.smax <= S32_MAX) {
    b.smin = b.s32min;
    b.smax = b.s32max;
    b.umin = b.s32min;
    b.umax = b.s32max;
    b.varOff = tnumIntersect(b.varOff, tnumRange(b.smin, b.smax));
  }
}

export function deduceBounds(b: Bounds): void {
  deduce32(b);
  deduce64(b);
  deduceMixed(b);
}

/** __reg_bound_offset: learn var_off bits from the unsigned ranges. */
export function boundOffset(b: Bounds): void {
  const v64 = tnumIntersect(b.varOff, tnumRange(b.umin, b.umax));
  const v32 = tnumIntersect(tnumSubreg(v64), tnumRange(b.u32min, b.u32max));
  b.varOff = tnumOr(tnumClearSubreg(v64), v32);
}

/** reg_bounds_sync. */
export function boundsSync(b: Bounds): void {
  if (b.varOff.mask === 0n && syncKnown(b)) return;
  updateBounds(b);
  deduceBounds(b);
  deduceBounds(b);
  boundOffset(b);
  updateBounds(b);
}

/**
 * reg_bounds_sync's result for a constant var_off whose value every range already contains: each step only
 * intersects ranges that all contain that one value, so they all end as exactly it (the __mark_reg_known state).
 * A shortcut for the commonest case (constants, loop counters); false leaves other cases to the full sync.
 */
function syncKnown(b: Bounds): boolean {
  const v = b.varOff.value;
  const sv = s64(v);
  if (b.umin > v || b.umax < v || b.smin > sv || b.smax < sv) return false;
  const v32 = u32(v);
  const sv32 = s32(v);
  if (b.u32min > v32 || b.u32max < v32 || b.s32min > sv32 || b.s32max < sv32) return false;
  b.smin = b.smax = sv;
  b.umin = b.umax = v;
  b.s32min = b.s32max = sv32;
  b.u32min = b.u32max = v32;
  return true;
}

/** Whether the bounds describe no value at all (reg_bounds_sanity_check's conditions). */
export function boundsInvalid(b: Bounds): boolean {
  return b.umin > b.umax || b.smin > b.smax || b.u32min > b.u32max || b.s32min > b.s32max ||
    (tnumIsConst(b.varOff) && (b.umin !== b.varOff.value || b.umax !== b.varOff.value ||
      b.smin !== s64(b.varOff.value) || b.smax !== s64(b.varOff.value)));
}

/**
 * reg_bounds_sanity_check's finding: the bounds describe no value, or a constant tnum disagrees with them. The kernel
 * (not built with BPF_F_TEST_REG_INVARIANTS) logs it as a verifier bug, forgets the ranges and goes on; such states
 * come from branches it could not see are dead (tests/verifier/reg-invariants.test.ts).
 */
export function boundsSanity(b: Bounds): string | undefined {
  if (b.umin > b.umax || b.smin > b.smax || b.u32min > b.u32max || b.s32min > b.s32max) return 'range bounds violation';
  if (b.varOff.mask === 0n) {
    const v = b.varOff.value;
    if (b.umin !== v || b.umax !== v || b.smin !== s64(v) || b.smax !== s64(v)) return 'const tnum out of sync with range bounds';
  }
  if ((b.varOff.mask & U32_MAX) === 0n) {
    const v = b.varOff.value & U32_MAX;
    if (b.u32min !== v || b.u32max !== v || b.s32min !== s32(v) || b.s32max !== s32(v)) return 'const subreg tnum out of sync with range bounds';
  }
  return undefined;
}

/** The log line of a sanity violation ("verifier bug: REG INVARIANTS VIOLATION (true_reg2): ..."), as 6.18 prints it. */
export function boundsSanityLine(b: Bounds, ctx: string, msg: string): string {
  const h64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
  const h32 = (v: bigint): string => `0x${BigInt.asUintN(32, v).toString(16)}`;
  return `verifier bug: REG INVARIANTS VIOLATION (${ctx}): ${msg} u64=[${h64(b.umin)}, ${h64(b.umax)}] s64=[${h64(b.smin)}, ${h64(b.smax)}] ` +
    `u32=[${h32(b.u32min)}, ${h32(b.u32max)}] s32=[${h32(b.s32min)}, ${h32(b.s32max)}] var_off=(${h64(b.varOff.value)}, ${h64(b.varOff.mask)})\n`;
}

/** zext_32_to_64 (__reg_assign_32_into_64 after truncating var_off). */
export function zext32To64(b: Bounds): void {
  b.varOff = tnumSubreg(b.varOff);
  b.umin = b.u32min;
  b.umax = b.u32max;
  if (b.s32min >= 0n && b.s32max >= 0n) {
    b.smin = b.s32min;
    b.smax = b.s32max;
  } else {
    b.smin = 0n;
    b.smax = U32_MAX;
  }
}

// ---- ALU ----

// The ALU bound helpers compute the exact (unbounded) result and compare it with its wrap to detect overflow, as
// the kernel's check_*_overflow do; written out without tuples because they run on every ALU instruction.

function add32(d: Bounds, s: Bounds): void {
  const a = d.s32min + s.s32min;
  const b = d.s32max + s.s32max;
  if (a < S32_MIN || a > S32_MAX || b < S32_MIN || b > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = a; d.s32max = b; }
  const c = d.u32min + s.u32min;
  const e = d.u32max + s.u32max;
  d.u32min = u32(c); d.u32max = u32(e);
  if (d.u32min === c && d.u32max !== e) { d.u32min = 0n; d.u32max = U32_MAX; }
}

function add64(d: Bounds, s: Bounds): void {
  const a = d.smin + s.smin;
  const b = d.smax + s.smax;
  if (a < S64_MIN || a > S64_MAX || b < S64_MIN || b > S64_MAX) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = a; d.smax = b; }
  const c = d.umin + s.umin;
  const e = d.umax + s.umax;
  d.umin = u64(c); d.umax = u64(e);
  if (d.umin === c && d.umax !== e) { d.umin = 0n; d.umax = U64_MAX; }
}

function sub32(d: Bounds, s: Bounds): void {
  const a = d.s32min - s.s32max;
  const b = d.s32max - s.s32min;
  if (a < S32_MIN || a > S32_MAX || b < S32_MIN || b > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = a; d.s32max = b; }
  const c = d.u32min - s.u32max;
  const e = d.u32max - s.u32min;
  d.u32min = u32(c); d.u32max = u32(e);
  if (d.u32min !== c && d.u32max === e) { d.u32min = 0n; d.u32max = U32_MAX; }
}

function sub64(d: Bounds, s: Bounds): void {
  const a = d.smin - s.smax;
  const b = d.smax - s.smin;
  if (a < S64_MIN || a > S64_MAX || b < S64_MIN || b > S64_MAX) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = a; d.smax = b; }
  const c = d.umin - s.umax;
  const e = d.umax - s.umin;
  d.umin = u64(c); d.umax = u64(e);
  if (d.umin !== c && d.umax === e) { d.umin = 0n; d.umax = U64_MAX; }
}

const mulOv = (a: bigint, b: bigint, bits: 32 | 64, signed: boolean): [bigint, boolean] => {
  const r = a * b;
  const wrapped = signed ? BigInt.asIntN(bits, r) : BigInt.asUintN(bits, r);
  return [wrapped, wrapped !== r];
};

function mul32(d: Bounds, s: Bounds): void {
  const [a, o1] = mulOv(d.u32max, s.u32max, 32, false);
  const [b, o2] = mulOv(d.u32min, s.u32min, 32, false);
  if (o1 || o2) { d.u32min = 0n; d.u32max = U32_MAX; } else { d.u32max = a; d.u32min = b; }
  const prods = [mulOv(d.s32min, s.s32min, 32, true), mulOv(d.s32min, s.s32max, 32, true), mulOv(d.s32max, s.s32min, 32, true), mulOv(d.s32max, s.s32max, 32, true)];
  if (prods.some(([, o]) => o)) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else {
    d.s32min = prods.reduce((m, [v]) => min(m, v), prods[0][0]);
    d.s32max = prods.reduce((m, [v]) => max(m, v), prods[0][0]);
  }
}

function mul64(d: Bounds, s: Bounds): void {
  const [a, o1] = mulOv(d.umax, s.umax, 64, false);
  const [b, o2] = mulOv(d.umin, s.umin, 64, false);
  if (o1 || o2) { d.umin = 0n; d.umax = U64_MAX; } else { d.umax = a; d.umin = b; }
  const prods = [mulOv(d.smin, s.smin, 64, true), mulOv(d.smin, s.smax, 64, true), mulOv(d.smax, s.smin, 64, true), mulOv(d.smax, s.smax, 64, true)];
  if (prods.some(([, o]) => o)) { d.smin = S64_MIN; d.smax = S64_MAX; } else {
    d.smin = prods.reduce((m, [v]) => min(m, v), prods[0][0]);
    d.smax = prods.reduce((m, [v]) => max(m, v), prods[0][0]);
  }
}

function signed32FromUnsigned(d: Bounds): void {
  if (s32(d.u32min) <= s32(d.u32max)) { d.s32min = s32(d.u32min); d.s32max = s32(d.u32max); } else { d.s32min = S32_MIN; d.s32max = S32_MAX; }
}
function signed64FromUnsigned(d: Bounds): void {
  if (s64(d.umin) <= s64(d.umax)) { d.smin = s64(d.umin); d.smax = s64(d.umax); } else { d.smin = S64_MIN; d.smax = S64_MAX; }
}

function bitop32(d: Bounds, s: Bounds, op: 'and' | 'or' | 'xor'): void {
  const srcKnown = tnumIsConst(tnumSubreg(s.varOff));
  const dstKnown = tnumIsConst(tnumSubreg(d.varOff));
  const t = tnumSubreg(d.varOff);
  if (srcKnown && dstKnown) { markKnown32(d, t.value); return; }
  if (op === 'and') { d.u32min = t.value; d.u32max = min(d.u32max, s.u32max); }
  else if (op === 'or') { d.u32min = max(d.u32min, s.u32min); d.u32max = t.value | t.mask; }
  else { d.u32min = t.value; d.u32max = t.value | t.mask; }
  signed32FromUnsigned(d);
}

function bitop64(d: Bounds, s: Bounds, op: 'and' | 'or' | 'xor'): void {
  const srcKnown = tnumIsConst(s.varOff);
  const dstKnown = tnumIsConst(d.varOff);
  if (srcKnown && dstKnown) { markKnown(d, d.varOff.value); return; }
  const t = d.varOff;
  if (op === 'and') { d.umin = t.value; d.umax = min(d.umax, s.umax); }
  else if (op === 'or') { d.umin = max(d.umin, s.umin); d.umax = t.value | t.mask; }
  else { d.umin = t.value; d.umax = t.value | t.mask; }
  signed64FromUnsigned(d);
  updateBounds(d);
}

function lsh32Bounds(d: Bounds, uminVal: bigint, umaxVal: bigint): void {
  d.s32min = S32_MIN; d.s32max = S32_MAX;
  if (umaxVal > 31n || d.u32max > 1n << (31n - umaxVal)) { d.u32min = 0n; d.u32max = U32_MAX; }
  else { d.u32min = u32(d.u32min << uminVal); d.u32max = u32(d.u32max << umaxVal); }
}

function lsh64Bounds(d: Bounds, uminVal: bigint, umaxVal: bigint): void {
  d.smax = uminVal === 32n && umaxVal === 32n && d.s32max >= 0n ? d.s32max << 32n : S64_MAX;
  d.smin = uminVal === 32n && umaxVal === 32n && d.s32min >= 0n ? d.s32min << 32n : S64_MIN;
  if (d.umax > 1n << (63n - umaxVal)) { d.umin = 0n; d.umax = U64_MAX; }
  else { d.umin = u64(d.umin << uminVal); d.umax = u64(d.umax << umaxVal); }
}

export type ScalarAluOp = 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'smod' | 'xor' | 'arsh' | 'neg';

/** is_safe_to_compute_dst_reg_range: shifts need a constant amount below the width; div/mod are not tracked. */
export function safeToCompute(op: ScalarAluOp, src: Bounds, alu32: boolean): boolean {
  const bits = alu32 ? 32n : 64n;
  const srcConst = alu32
    ? tnumIsConst(tnumSubreg(src.varOff)) && src.s32min === src.s32max && src.u32min === src.u32max
    : tnumIsConst(src.varOff) && src.smin === src.smax && src.umin === src.umax;
  switch (op) {
    case 'add': case 'sub': case 'neg': case 'and': case 'xor': case 'or': case 'mul':
      return true;
    case 'lsh': case 'rsh': case 'arsh':
      return srcConst && src.umax < bits;
    default:
      return false;
  }
}

/** adjust_scalar_min_max_vals for two scalars (after safeToCompute). Mutates d. */
export function scalarAlu(d: Bounds, s: Bounds, op: ScalarAluOp, alu32: boolean): void {
  if (!alu32 && d.varOff.mask === 0n && s.varOff.mask === 0n && constFastPath(d, s, op)) return;
  switch (op) {
    case 'add':
      add32(d, s); add64(d, s);
      d.varOff = tnumAdd(d.varOff, s.varOff);
      break;
    case 'sub':
      sub32(d, s); sub64(d, s);
      d.varOff = tnumSub(d.varOff, s.varOff);
      break;
    case 'neg': {
      const old: Bounds = { ...d };
      markKnown(d, 0n);
      sub32(d, old); sub64(d, old);
      d.varOff = tnumNeg(old.varOff);
      break;
    }
    case 'mul':
      d.varOff = tnumMul(d.varOff, s.varOff);
      mul32(d, s); mul64(d, s);
      break;
    case 'and': case 'or': case 'xor':
      d.varOff = op === 'and' ? tnumAnd(d.varOff, s.varOff) : op === 'or' ? tnumOr(d.varOff, s.varOff) : tnumXor(d.varOff, s.varOff);
      bitop32(d, s, op); bitop64(d, s, op);
      break;
    case 'lsh':
      if (alu32) {
        const sub = tnumSubreg(d.varOff);
        lsh32Bounds(d, s.u32min, s.u32max);
        d.varOff = tnumSubreg(tnumLshift(sub, Number(s.u32min)));
        mark64Unbounded(d);
        updateBounds32(d);
      } else {
        lsh64Bounds(d, s.umin, s.umax);
        lsh32Bounds(d, s.umin, s.umax);
        d.varOff = tnumLshift(d.varOff, Number(s.umin));
        updateBounds(d);
      }
      break;
    case 'rsh':
      if (alu32) {
        const sub = tnumSubreg(d.varOff);
        d.s32min = S32_MIN; d.s32max = S32_MAX;
        d.varOff = tnumRshift(sub, Number(s.u32min));
        d.u32min >>= s.u32max;
        d.u32max >>= s.u32min;
        mark64Unbounded(d);
        updateBounds32(d);
      } else {
        d.smin = S64_MIN; d.smax = S64_MAX;
        d.varOff = tnumRshift(d.varOff, Number(s.umin));
        d.umin >>= s.umax;
        d.umax >>= s.umin;
        mark32Unbounded(d);
        updateBounds(d);
      }
      break;
    case 'arsh':
      if (alu32) {
        const sh = s.u32min;
        d.s32min = s32(d.s32min >> sh);
        d.s32max = s32(d.s32max >> sh);
        d.varOff = tnumArshift(tnumSubreg(d.varOff), Number(sh), 32);
        d.u32min = 0n; d.u32max = U32_MAX;
        mark64Unbounded(d);
        updateBounds32(d);
      } else {
        const sh = s.umin;
        d.smin >>= sh;
        d.smax >>= sh;
        d.varOff = tnumArshift(d.varOff, Number(sh), 64);
        d.umin = 0n; d.umax = U64_MAX;
        mark32Unbounded(d);
        updateBounds(d);
      }
      break;
    default:
      markUnbounded(d);
      return;
  }
  if (alu32) zext32To64(d);
  boundsSync(d);
}

/** Whether the bounds are exactly those of the constant var_off (the __mark_reg_known state). */
function isExactConst(b: Bounds): boolean {
  const v = b.varOff.value;
  if (b.umin !== v || b.umax !== v) return false;
  const sv = s64(v);
  if (b.smin !== sv || b.smax !== sv) return false;
  const v32 = u32(v);
  const sv32 = s32(v);
  return b.u32min === v32 && b.u32max === v32 && b.s32min === sv32 && b.s32max === sv32;
}

/**
 * 64-bit add/sub/and/or/xor of two exact constants: the general path computes each range exactly or, on overflow,
 * unbounded, the tnum result is the constant, and reg_bounds_sync then collapses every range to it (the known-const
 * branch of scalar_min_max_and/or/xor does so directly). Same result with one BigInt operation instead of dozens;
 * counters in loops run this for every iteration. False leaves everything else to the general path.
 */
function constFastPath(d: Bounds, s: Bounds, op: ScalarAluOp): boolean {
  if (op !== 'add' && op !== 'sub' && op !== 'and' && op !== 'or' && op !== 'xor') return false;
  if (!isExactConst(d) || !isExactConst(s)) return false;
  const a = d.varOff.value;
  const b = s.varOff.value;
  const v = op === 'add' ? u64(a + b) : op === 'sub' ? u64(a - b) : op === 'and' ? a & b : op === 'or' ? a | b : a ^ b;
  markKnown(d, v);
  return true;
}

/** coerce_reg_to_size: truncation to `size` bytes (narrow loads, 32-bit moves). */
export function coerceToSize(b: Bounds, size: number): void {
  b.varOff = tnumCast(b.varOff, size);
  const mask = size >= 8 ? U64_MAX : (1n << BigInt(size * 8)) - 1n;
  if ((b.umin & ~mask) === (b.umax & ~mask)) {
    b.umin &= mask;
    b.umax &= mask;
  } else {
    b.umin = 0n;
    b.umax = mask;
  }
  b.smin = b.umin;
  b.smax = b.umax;
  // Narrower than 32 bits, the subregister is truncated too: it takes the 64-bit bounds. At 4 bytes the 32-bit
  // bounds already describe the value and stay (le32 of a sign-extended s16 keeps s32 [-32768, 32767]).
  if (size < 4) {
    b.u32min = b.umin; b.u32max = b.umax; b.s32min = b.umin; b.s32max = b.umax;
  }
  boundsSync(b);
}

// ---- branches ----

export type Cond = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sgt' | 'sge' | 'slt' | 'sle' | 'set' | 'nset';

export const REV_COND: Record<Cond, Cond> = { eq: 'ne', ne: 'eq', gt: 'le', le: 'gt', ge: 'lt', lt: 'ge', sgt: 'sle', sle: 'sgt', sge: 'slt', slt: 'sge', set: 'nset', nset: 'set' };
export const FLIP_COND: Record<Cond, Cond> = { eq: 'eq', ne: 'ne', set: 'set', nset: 'nset', gt: 'lt', lt: 'gt', ge: 'le', le: 'ge', sgt: 'slt', slt: 'sgt', sge: 'sle', sle: 'sge' };

export function isConst(b: Bounds, jmp32: boolean): boolean {
  return jmp32 ? tnumIsConst(tnumSubreg(b.varOff)) : tnumIsConst(b.varOff);
}
export function constValue(b: Bounds, jmp32: boolean): bigint {
  return jmp32 ? u32(b.varOff.value) : b.varOff.value;
}

/** is_scalar_branch_taken: 1 always, 0 never, -1 unknown. */
export function scalarBranchTaken(r1: Bounds, r2: Bounds, op: Cond, jmp32: boolean, same = false): 0 | 1 | -1 {
  let t1 = jmp32 ? tnumSubreg(r1.varOff) : r1.varOff;
  let t2 = jmp32 ? tnumSubreg(r2.varOff) : r2.varOff;
  const umin1 = jmp32 ? r1.u32min : r1.umin, umax1 = jmp32 ? r1.u32max : r1.umax;
  const smin1 = jmp32 ? r1.s32min : r1.smin, smax1 = jmp32 ? r1.s32max : r1.smax;
  const umin2 = jmp32 ? r2.u32min : r2.umin, umax2 = jmp32 ? r2.u32max : r2.umax;
  const smin2 = jmp32 ? r2.s32min : r2.smin, smax2 = jmp32 ? r2.s32max : r2.smax;
  if (same) {
    switch (op) {
      case 'ge': case 'le': case 'sge': case 'sle': case 'eq': return 1;
      case 'gt': case 'lt': case 'sgt': case 'slt': case 'ne': return 0;
      case 'set':
        if (tnumIsConst(t1)) return t1.value !== 0n ? 1 : 0;
        return smin1 <= -1n && smax1 >= 1n ? -1 : 0;
      default: break;
    }
  }
  switch (op) {
    case 'eq':
    case 'ne': {
      const eq = op === 'eq';
      if (tnumIsConst(t1) && tnumIsConst(t2)) return (t1.value === t2.value) === eq ? 1 : 0;
      // 6.18: known bits that differ decide it too (tnum_overlap).
      if (!tnumOverlap(t1, t2)) return eq ? 0 : 1;
      if (umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2) return eq ? 0 : 1;
      if (!jmp32 && (r1.u32min > r2.u32max || r1.u32max < r2.u32min || r1.s32min > r2.s32max || r1.s32max < r2.s32min)) return eq ? 0 : 1;
      return -1;
    }
    case 'set': {
      if (!isConst(r2, jmp32)) { const t = t1; t1 = t2; t2 = t; if (!isConst(r1, jmp32)) return -1; }
      if ((~t1.mask & t1.value) & t2.value) return 1;
      if (!((t1.mask | t1.value) & t2.value)) return 0;
      return -1;
    }
    case 'gt': return umin1 > umax2 ? 1 : umax1 <= umin2 ? 0 : -1;
    case 'sgt': return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
    case 'lt': return umax1 < umin2 ? 1 : umin1 >= umax2 ? 0 : -1;
    case 'slt': return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
    case 'ge': return umin1 >= umax2 ? 1 : umax1 < umin2 ? 0 : -1;
    case 'sge': return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
    case 'le': return umax1 <= umin2 ? 1 : umin1 > umax2 ? 0 : -1;
    case 'sle': return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
    default: return -1;
  }
}

/** regs_refine_cond_op: narrow r1 and r2 assuming `r1 op r2` holds. */
export function refineCond(a: Bounds, c: Bounds, opIn: Cond, jmp32: boolean): void {
  let op = opIn;
  let r1 = a;
  let r2 = c;
  if (op === 'ge' || op === 'gt' || op === 'sge' || op === 'sgt') {
    op = FLIP_COND[op];
    r1 = c; r2 = a;
  }
  // The ne/set/nset rules need a constant on the right: swap it there if the left one is (no closure: hot path).
  if ((op === 'ne' || op === 'set' || op === 'nset') && !isConst(r2, jmp32)) { const t = r1; r1 = r2; r2 = t; }
  switch (op) {
    case 'eq':
      if (jmp32) {
        r1.u32min = max(r1.u32min, r2.u32min); r1.u32max = min(r1.u32max, r2.u32max);
        r1.s32min = max(r1.s32min, r2.s32min); r1.s32max = min(r1.s32max, r2.s32max);
        r2.u32min = r1.u32min; r2.u32max = r1.u32max; r2.s32min = r1.s32min; r2.s32max = r1.s32max;
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = max(r1.umin, r2.umin); r1.umax = min(r1.umax, r2.umax);
        r1.smin = max(r1.smin, r2.smin); r1.smax = min(r1.smax, r2.smax);
        r2.umin = r1.umin; r2.umax = r1.umax; r2.smin = r1.smin; r2.smax = r1.smax;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      break;
    case 'ne': {
      if (!isConst(r2, jmp32)) break;
      const v = constValue(r2, jmp32);
      if (jmp32) {
        if (r1.u32min === u32(v)) r1.u32min = u32(r1.u32min + 1n);
        if (r1.u32max === u32(v)) r1.u32max = u32(r1.u32max - 1n);
        if (r1.s32min === s32(v)) r1.s32min = s32(r1.s32min + 1n);
        if (r1.s32max === s32(v)) r1.s32max = s32(r1.s32max - 1n);
      } else {
        if (r1.umin === u64(v)) r1.umin = u64(r1.umin + 1n);
        if (r1.umax === u64(v)) r1.umax = u64(r1.umax - 1n);
        if (r1.smin === s64(v)) r1.smin = s64(r1.smin + 1n);
        if (r1.smax === s64(v)) r1.smax = s64(r1.smax - 1n);
      }
      break;
    }
    case 'set': {
      if (!isConst(r2, jmp32)) break;
      const v = constValue(r2, jmp32);
      if (v === 0n || (v & (v - 1n)) !== 0n) break;
      if (jmp32) r1.varOff = tnumWithSubreg(r1.varOff, tnumOr(tnumSubreg(r1.varOff), tnumConst(v)));
      else r1.varOff = tnumOr(r1.varOff, tnumConst(v));
      break;
    }
    case 'nset': {
      if (!isConst(r2, jmp32)) break;
      const v = constValue(r2, jmp32);
      // 6.17+: forget the ranges before narrowing the tnum, so a dead branch cannot leave them contradicting it.
      mark64Unbounded(r1);
      mark32Unbounded(r1);
      if (jmp32) r1.varOff = tnumWithSubreg(r1.varOff, tnumAnd(tnumSubreg(r1.varOff), tnumConst(u32(~v))));
      else r1.varOff = tnumAnd(r1.varOff, tnumConst(u64(~v)));
      break;
    }
    case 'le':
      if (jmp32) { r1.u32max = min(r1.u32max, r2.u32max); r2.u32min = max(r1.u32min, r2.u32min); }
      else { r1.umax = min(r1.umax, r2.umax); r2.umin = max(r1.umin, r2.umin); }
      break;
    case 'lt':
      if (jmp32) { r1.u32max = min(r1.u32max, u32(r2.u32max - 1n)); r2.u32min = max(u32(r1.u32min + 1n), r2.u32min); }
      else { r1.umax = min(r1.umax, u64(r2.umax - 1n)); r2.umin = max(u64(r1.umin + 1n), r2.umin); }
      break;
    case 'sle':
      if (jmp32) { r1.s32max = min(r1.s32max, r2.s32max); r2.s32min = max(r1.s32min, r2.s32min); }
      else { r1.smax = min(r1.smax, r2.smax); r2.smin = max(r1.smin, r2.smin); }
      break;
    case 'slt':
      if (jmp32) { r1.s32max = min(r1.s32max, s32(r2.s32max - 1n)); r2.s32min = max(s32(r1.s32min + 1n), r2.s32min); }
      else { r1.smax = min(r1.smax, s64(r2.smax - 1n)); r2.smin = max(s64(r1.smin + 1n), r2.smin); }
      break;
    default:
      break;
  }
}

export { tnumUnknown };
