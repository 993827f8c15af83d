// Soundness of the tnum and bounds arithmetic: every concrete result must lie inside the abstract result.
import { describe, expect, it } from 'vitest';
import { boundsSync, refineCond, REV_COND, scalarAlu, scalarBranchTaken, safeToCompute, unboundedBounds, u32, u64, s32, s64, type Bounds, type Cond, type ScalarAluOp } from './bounds';
import { tnumAdd, tnumAnd, tnumConst, tnumMul, tnumOr, tnumRange, tnumSub, tnumXor, type Tnum } from './tnum';

/** Deterministic xorshift so failures reproduce. */
function rng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s ^= (s << 13n) & u64(-1n);
    s ^= s >> 7n;
    s ^= (s << 17n) & u64(-1n);
    return u64(s);
  };
}

const contains = (t: Tnum, x: bigint): boolean => (x & ~t.mask & u64(-1n)) === t.value;

function boundsContain(b: Bounds, x: bigint): boolean {
  const v = u64(x);
  return contains(b.varOff, v) && b.umin <= v && v <= b.umax && b.smin <= s64(v) && s64(v) <= b.smax &&
    b.u32min <= u32(v) && u32(v) <= b.u32max && b.s32min <= s32(v) && s32(v) <= b.s32max;
}

/** A random abstract value built from an interval, plus concrete members of it. */
function sample(next: () => bigint): { b: Bounds; members: bigint[] } {
  const kind = Number(next() % 4n);
  const width = [8n, 16n, 32n, 64n][kind];
  const a = next() & ((1n << width) - 1n);
  const span = next() & ((1n << BigInt(Number(next() % width) + 1)) - 1n);
  const lo = next() % 3n === 0n ? u64(-a) : a;
  const hi = u64(lo + span);
  const b = unboundedBounds();
  if (hi >= lo) {
    b.umin = lo;
    b.umax = hi;
  }
  boundsSync(b);
  const members: bigint[] = [];
  for (let i = 0; i < 6; i++) {
    const cand = u64(b.umin + (span ? next() % (span + 1n) : 0n));
    if (boundsContain(b, cand)) members.push(cand);
  }
  return { b, members };
}

function concrete(op: ScalarAluOp, x: bigint, y: bigint, alu32: boolean): bigint {
  const W = alu32 ? 32 : 64;
  const X = BigInt.asUintN(W, x);
  const Y = BigInt.asUintN(W, y);
  let r: bigint;
  switch (op) {
    case 'add': r = X + Y; break;
    case 'sub': r = X - Y; break;
    case 'mul': r = X * Y; break;
    case 'and': r = X & Y; break;
    case 'or': r = X | Y; break;
    case 'xor': r = X ^ Y; break;
    case 'lsh': r = X << (Y % BigInt(W)); break;
    case 'rsh': r = X >> (Y % BigInt(W)); break;
    case 'arsh': r = BigInt.asIntN(W, X) >> (Y % BigInt(W)); break;
    case 'neg': r = -X; break;
    default: throw new RangeError(op);
  }
  return BigInt.asUintN(W, r);
}

describe('tnum operations are sound', () => {
  it('add, sub, and, or, xor, mul contain every concrete result', () => {
    const next = rng(0x9e3779b97f4a7c15n);
    for (let i = 0; i < 3000; i++) {
      const x = next();
      const y = next();
      const a: Tnum = { value: 0n, mask: 0n };
      const ma = next() & next() & next();
      const mb = next() & next() & next();
      const ta = { ...a, value: x & ~ma & u64(-1n), mask: ma };
      const tb = { value: y & ~mb & u64(-1n), mask: mb };
      const xa = u64(ta.value | (next() & ma));
      const yb = u64(tb.value | (next() & mb));
      expect(contains(tnumAdd(ta, tb), u64(xa + yb))).toBe(true);
      expect(contains(tnumSub(ta, tb), u64(xa - yb))).toBe(true);
      expect(contains(tnumAnd(ta, tb), xa & yb)).toBe(true);
      expect(contains(tnumOr(ta, tb), xa | yb)).toBe(true);
      expect(contains(tnumXor(ta, tb), xa ^ yb)).toBe(true);
      expect(contains(tnumMul(ta, tb), u64(xa * yb))).toBe(true);
    }
  });

  it('tnum_range covers its interval and nothing wider than the next power of two', () => {
    expect(tnumRange(0n, 0xffn)).toEqual({ value: 0n, mask: 0xffn });
    expect(tnumRange(16n, 31n)).toEqual({ value: 16n, mask: 15n });
    expect(tnumRange(5n, 5n)).toEqual(tnumConst(5n));
  });
});

describe('scalar ALU bounds are sound', () => {
  const ops: ScalarAluOp[] = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'lsh', 'rsh', 'arsh', 'neg'];
  for (const alu32 of [false, true]) {
    for (const op of ops) {
      it(`${op}${alu32 ? '32' : '64'}`, () => {
        const next = rng(BigInt(ops.indexOf(op) + 1) * 0x2545f4914f6cdd1dn + (alu32 ? 7n : 0n));
        let checked = 0;
        for (let i = 0; i < 400; i++) {
          const d = sample(next);
          let s = sample(next);
          if (op === 'lsh' || op === 'rsh' || op === 'arsh') {
            const k = next() % (alu32 ? 32n : 64n);
            const b = unboundedBounds();
            b.umin = b.umax = k;
            boundsSync(b);
            s = { b, members: [k] };
          }
          if (!safeToCompute(op, s.b, alu32)) continue;
          const r: Bounds = { ...d.b };
          scalarAlu(r, op === 'neg' ? r : { ...s.b }, op, alu32);
          for (const x of d.members) {
            for (const y of s.members) {
              const v = concrete(op, x, y, alu32);
              if (!boundsContain(r, v)) throw new Error(`${op}: ${x} ${y} -> ${v} not in ${JSON.stringify(r, (_, z) => (typeof z === 'bigint' ? z.toString() : z))}`);
              checked++;
            }
          }
        }
        expect(checked).toBeGreaterThan(100);
      });
    }
  }
});

describe('branch refinement is sound', () => {
  const conds: Cond[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sgt', 'sge', 'slt', 'sle', 'set'];
  const holds = (c: Cond, x: bigint, y: bigint, w: 32 | 64): boolean => {
    const ux = BigInt.asUintN(w, x), uy = BigInt.asUintN(w, y);
    const sx = BigInt.asIntN(w, x), sy = BigInt.asIntN(w, y);
    switch (c) {
      case 'eq': return ux === uy; case 'ne': return ux !== uy; case 'gt': return ux > uy; case 'ge': return ux >= uy;
      case 'lt': return ux < uy; case 'le': return ux <= uy; case 'sgt': return sx > sy; case 'sge': return sx >= sy;
      case 'slt': return sx < sy; case 'sle': return sx <= sy; case 'set': return (ux & uy) !== 0n; case 'nset': return (ux & uy) === 0n;
    }
  };
  for (const jmp32 of [false, true]) {
    it(`refineCond and is_branch_taken keep every pair that satisfies the condition (${jmp32 ? 'jmp32' : 'jmp'})`, () => {
      const next = rng(jmp32 ? 0x1234567n : 0x7654321n);
      for (let i = 0; i < 1500; i++) {
        const a = sample(next);
        const b = sample(next);
        const c = conds[Number(next() % BigInt(conds.length))];
        for (const cond of [c, REV_COND[c]]) {
          const ra: Bounds = { ...a.b };
          const rb: Bounds = { ...b.b };
          const taken = scalarBranchTaken(a.b, b.b, cond, jmp32);
          refineCond(ra, rb, cond, jmp32);
          boundsSync(ra);
          boundsSync(rb);
          for (const x of a.members) {
            for (const y of b.members) {
              const h = holds(cond, x, y, jmp32 ? 32 : 64);
              if (taken === 1) expect(h).toBe(true);
              if (taken === 0) expect(h).toBe(false);
              if (h && taken !== 0) {
                expect(boundsContain(ra, x) && boundsContain(rb, y)).toBe(true);
              }
            }
          }
        }
      }
    });
  }
});
