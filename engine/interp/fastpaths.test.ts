// The interpreter's 64-bit multiply/divide/modulo fast paths at their edges, against a BigInt reference and the running kernel.
//
// machine.ts runs mul64 inline and div64/mod64 inline for divisors below wide.SMALL_DIVISOR (2^21 - 1);
// wide.ts takes one double division for sdiv64/smod64 when both operands are sign-extended 32-bit
// values. Each program below loads operand pairs from memory (r1 = mem), applies one form to every
// pair and stores each result over the pair's second word, so each is checked on its own against BigInt
// (RFC 9669: division by zero gives 0, modulo by zero leaves dst, signed forms truncate and
// INT64_MIN / -1 wraps). Where bpf(2) works, the same bytes run in the kernel (as a bpf-to-bpf
// subprogram of a syscall program, tests/conformance/kernel-oracle.ts) and the memory must agree.
import { describe, expect, it } from 'vitest';
import { bpfAvailability } from '../host/bpf';
import { encode, makeInsn, type Insn } from '../isa';
import { runConformanceInKernel } from '../../tests/conformance/kernel-oracle';
import { runProgram } from './index';
import { SMALL_DIVISOR } from './wide';

const avail = bpfAvailability();
const kernelNote = avail.ok ? '' : ` (kernel comparison skipped: ${avail.reason})`;

const U = (x: bigint): bigint => BigInt.asUintN(64, x);
const S = (x: bigint): bigint => BigInt.asIntN(64, x);
const SD = BigInt(SMALL_DIVISOR);

/** Edges of every fast path: the inline divisor bound, 2^31/2^32 (word and sign-extension limits), 2^53 (exact doubles), negatives. */
const VALUES: bigint[] = [
  0n, 1n, 2n, 3n, 7n, 65521n, 1000003n, SD - 1n, SD, SD + 1n, 1n << 21n,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x100000001n, 0x1fffffffen,
  (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, 0x9e3779b97f4a7c15n, 0x123456789abcdef0n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n,
  // Pairs where two double divisions give a wrong remainder or quotient because t = r1 * 2^32 + lo passes 2^53 (divisors above the bound).
  0x652a09afa7e08fa0n, 0x4725747bn, 0x2cf48fbe1d6136dfn, 0x2ad104dn, 0x45fd91050c74178bn, 0x57804acbn,
  U(-1n), U(-2n), U(-3n), U(-7n), U(-0x7fffffffn), U(-0x80000000n), U(-0x80000001n), U(-0x100000000n), U(-(1n << 53n)),
];
/** Immediates (sign-extended to 64 bits by the ALU64 forms), zero left out: the verifier rejects division by an immediate 0. */
const IMMS = [1, 2, 3, 7, -1, -2, -7, 65521, 1000003, SMALL_DIVISOR - 1, SMALL_DIVISOR, SMALL_DIVISOR + 1, 0x7fffffff, -0x80000000, -0x7fffffff];

const REFERENCE: Record<string, (a: bigint, b: bigint) => bigint> = {
  mul64: (a, b) => U(a * b),
  div64: (a, b) => (b === 0n ? 0n : a / b),
  mod64: (a, b) => (b === 0n ? a : a % b),
  sdiv64: (a, b) => (b === 0n ? 0n : U(S(a) / S(b))),
  smod64: (a, b) => (b === 0n ? a : U(S(a) % S(b))),
};

interface Case { insns: Insn[]; mem: Uint8Array; want: bigint[]; what: string[] }

/** One program applying `op` (register form) to every pair, or (immediate form) to every value and immediate. */
function program(op: string, form: 'reg' | 'imm'): Case {
  // Offsets are 16-bit: 40 x 40 pairs of 16 bytes stay below 32 KiB.
  const pairs: Array<[bigint, bigint | number]> = [];
  for (const a of VALUES) for (const b of form === 'reg' ? VALUES : IMMS) pairs.push([a, b]);
  const mem = new Uint8Array(pairs.length * 16);
  if (mem.length > 32768) throw new Error('operand table too large for 16-bit offsets');
  const v = new DataView(mem.buffer);
  const insns: Insn[] = [];
  const want: bigint[] = [];
  const what: string[] = [];
  pairs.forEach(([a, b], i) => {
    v.setBigUint64(i * 16, a, true);
    insns.push(makeInsn('ldxdw', { dst: 3, src: 1, off: i * 16 }));
    if (typeof b === 'bigint') {
      v.setBigUint64(i * 16 + 8, b, true);
      insns.push(makeInsn('ldxdw', { dst: 4, src: 1, off: i * 16 + 8 }), makeInsn(`${op}_reg`, { dst: 3, src: 4 }));
    } else insns.push(makeInsn(`${op}_imm`, { dst: 3, imm: b }));
    insns.push(makeInsn('stxdw', { dst: 1, src: 3, off: i * 16 + 8 }));
    const bv = typeof b === 'bigint' ? b : U(BigInt(b));
    want.push(REFERENCE[op](a, bv));
    what.push(`${op}_${form} 0x${a.toString(16)}, 0x${bv.toString(16)}`);
  });
  insns.push(makeInsn('mov64_imm', { dst: 0, imm: 0 }), makeInsn('exit'));
  return { insns, mem, want, what };
}

function results(c: Case, mem: Uint8Array): bigint[] {
  const v = new DataView(mem.buffer, mem.byteOffset);
  return c.want.map((_, i) => v.getBigUint64(i * 16 + 8, true));
}

describe('64-bit mul/div/mod fast paths agree with BigInt', () => {
  for (const op of Object.keys(REFERENCE)) {
    for (const form of ['reg', 'imm'] as const) {
      it(`${op}_${form}`, () => {
        const c = program(op, form);
        const r = runProgram(c.insns, { mem: c.mem });
        expect(r.fault, r.fault?.message).toBeUndefined();
        const got = results(c, r.memOut!);
        const bad = got.flatMap((g, i) => (g === c.want[i] ? [] : [`${c.what[i]}: got 0x${g.toString(16)}, want 0x${c.want[i].toString(16)}`]));
        expect(bad.slice(0, 5)).toEqual([]);
      });
    }
  }
  it('the edge cases RFC 9669 names', () => {
    const [div, mod, sdiv, smod] = ['div64', 'mod64', 'sdiv64', 'smod64'].map((op) => program(op, 'reg'));
    const at = (c: Case, a: bigint, b: bigint): bigint => {
      const r = runProgram(c.insns, { mem: c.mem });
      return results(c, r.memOut!)[VALUES.indexOf(a) * VALUES.length + VALUES.indexOf(b)];
    };
    expect(at(div, 0x123456789abcdef0n, 0n)).toBe(0n);
    expect(at(mod, 0x123456789abcdef0n, 0n)).toBe(0x123456789abcdef0n);
    expect(at(sdiv, 0x8000000000000000n, U(-1n))).toBe(0x8000000000000000n);
    expect(at(smod, 0x8000000000000000n, U(-1n))).toBe(0n);
    // INT32_MIN / -1 as 64-bit values does not wrap: 2^31.
    expect(at(sdiv, U(-0x80000000n), U(-1n))).toBe(0x80000000n);
    expect(at(smod, U(-7n), 2n)).toBe(U(-1n));
  });
});

describe(`64-bit mul/div/mod fast paths agree with the kernel${kernelNote}`, () => {
  for (const op of Object.keys(REFERENCE)) {
    for (const form of ['reg', 'imm'] as const) {
      it.skipIf(!avail.ok)(`${op}_${form}`, () => {
        const c = program(op, form);
        const ours = runProgram(c.insns, { mem: c.mem });
        const k = runConformanceInKernel(encode(c.insns), c.mem);
        expect(k.ok, k.ok ? '' : `${k.stage}: ${k.error}\n${k.log.slice(-400)}`).toBe(true);
        if (!k.ok) return;
        const mine = results(c, ours.memOut!);
        const theirs = results(c, k.memOut);
        const bad = mine.flatMap((g, i) => (g === theirs[i] ? [] : [`${c.what[i]}: ours 0x${g.toString(16)}, kernel 0x${theirs[i].toString(16)}`]));
        expect(bad.slice(0, 5)).toEqual([]);
      });
    }
  }
});
