// Corpus: scalar tracking (tnum and signed/unsigned 64- and 32-bit bounds) through every ALU op and every
// conditional jump. Each program derives bounded unknowns from the ctx, applies one operation, and then uses the
// result so that the verdict depends on the bounds: an 8-byte stack slot indexed by the result (in range or not).
// The level-1 and level-2 logs print the state after every instruction, so the bounds themselves are compared.
import type { CorpusCase } from './corpus-defs';

/** r6 = skb->len & 0xff (an unknown in [0, 255]); r7 = skb->mark & 0xf0 (tnum with low bits known zero). */
const SRC = 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0xff\nr7 = *(u32 *)(r1 + 8)\nr7 &= 0xf0\n';
/** Use r6 as an offset into fp-256..fp-1: rejected when it may leave [0, 255]. */
const USE = 'r2 = r10\nr2 += -256\nr2 += r6\n*(u8 *)(r2 + 0) = 0\nr0 = 0\nexit';

const sf = (name: string, rule: string, asm: string): CorpusCase => ({ name, rule, progType: 'socket_filter', asm });

const ALU: Array<[string, string]> = [
  ['add', '+='], ['sub', '-='], ['mul', '*='], ['div', '/='], ['mod', '%='], ['or', '|='], ['and', '&='],
  ['xor', '^='], ['lsh', '<<='], ['rsh', '>>='], ['arsh', 's>>='], ['sdiv', 's/='], ['smod', 's%='],
];

function aluCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const [name, op] of ALU) {
    const shift = name === 'lsh' || name === 'rsh' || name === 'arsh';
    const imm = shift ? 2 : name === 'sub' ? 3 : 3;
    out.push(sf(`alu64-${name}-imm`, `bounds of 64-bit ${name} with an immediate`, `${SRC}r6 ${op} ${imm}\n${USE}`));
    out.push(sf(`alu32-${name}-imm`, `bounds of 32-bit ${name} with an immediate`, `${SRC}w6 ${op} ${imm}\n${USE}`));
    if (!shift) {
      out.push(sf(`alu64-${name}-reg`, `bounds of 64-bit ${name} with a register`, `${SRC}r6 ${op} r7\n${USE}`));
      out.push(sf(`alu32-${name}-reg`, `bounds of 32-bit ${name} with a register`, `${SRC}w6 ${op} w7\n${USE}`));
    } else {
      out.push(sf(`alu64-${name}-reg`, `64-bit ${name} by a bounded register`, `${SRC}r7 >>= 5\nr6 ${op} r7\n${USE}`));
      out.push(sf(`alu32-${name}-reg`, `32-bit ${name} by a bounded register`, `${SRC}r7 >>= 5\nw6 ${op} w7\n${USE}`));
    }
    out.push(sf(`alu64-${name}-const`, `${name} of two constants folds`, `r6 = 40\nr7 = 6\nr6 ${op} ${shift ? 2 : 'r7'}\n${USE}`));
  }
  // Negative operands: signed ops and bounds that cross zero.
  out.push(sf('alu64-sub-negative', 'subtraction that may go negative', `${SRC}r6 -= 16\n${USE}`));
  out.push(sf('alu64-add-negative-imm', 'adding a negative immediate', `${SRC}r6 += -8\nr6 &= 0xff\n${USE}`));
  out.push(sf('alu64-sdiv-neg', 'signed division by a negative constant', `${SRC}r6 s/= -2\n${USE}`));
  out.push(sf('alu64-smod-neg', 'signed modulo by a negative constant', `${SRC}r6 s%= -7\n${USE}`));
  out.push(sf('alu64-div-reg-zero', 'division by a register that may be zero', `${SRC}r7 >>= 4\nr6 /= r7\n${USE}`));
  out.push(sf('alu64-mod-reg-zero', 'modulo by a register that may be zero', `${SRC}r7 >>= 4\nr6 %= r7\n${USE}`));
  out.push(sf('alu64-arsh-negative', 'arithmetic shift of a negative range', `${SRC}r6 -= 128\nr6 s>>= 4\nr6 += 8\n${USE}`));
  out.push(sf('alu64-mul-overflow', 'multiplication that overflows 64 bits', `${SRC}r8 = 0x100000000 ll\nr6 *= r8\nr6 *= r8\n${USE}`));
  out.push(sf('alu64-lsh-big', 'a shift that moves bits out of the top', `${SRC}r6 <<= 60\nr6 >>= 60\n${USE}`));
  out.push(sf('alu64-shift-unknown', 'a shift by an unbounded register', `${SRC}r7 = *(u32 *)(r1 + 8)\nr6 <<= r7\n${USE}`));
  out.push(sf('alu32-shift-unknown', 'a 32-bit shift by an unbounded register', `${SRC}r7 = *(u32 *)(r1 + 8)\nw6 >>= w7\n${USE}`));
  out.push(sf('alu-shift-neg-imm', 'a negative shift immediate', 'r0 = 1\nr0 <<= -1\nexit'));
  out.push(sf('alu32-shift-32', '32-bit shift by 32', 'r0 = 1\nw0 <<= 32\nexit'));
  out.push(sf('alu32-div-zero-imm', '32-bit division by constant zero', 'r0 = 1\nw0 /= 0\nexit'));
  out.push(sf('alu-mod-zero-imm', 'modulo by constant zero', 'r0 = 1\nr0 %= 0\nexit'));
  out.push(sf('alu-sdiv-zero-imm', 'signed division by constant zero', 'r0 = 1\nr0 s/= 0\nexit'));
  // neg, mov, movsx, byte swaps.
  out.push(sf('alu64-neg', 'negation of a range', `${SRC}r6 = -r6\nr6 += 255\n${USE}`));
  out.push(sf('alu32-neg', '32-bit negation', `${SRC}w6 = -w6\n${USE}`));
  out.push(sf('alu64-neg-const', 'negation of a constant', `r6 = -5\nr6 = -r6\n${USE}`));
  out.push(sf('alu32-mov-zext', 'a 32-bit move zero-extends', `${SRC}r6 = -1\nw6 = w6\nr6 >>= 24\n${USE}`));
  out.push(sf('alu32-mov-imm-neg', 'w = -1 is 0xffffffff', 'r6 = 0\nw6 = -1\nr6 >>= 24\n' + USE));
  out.push(sf('alu64-mov-imm-neg', 'r = -1 sign-extends', 'r6 = -1\nr6 >>= 56\n' + USE));
  out.push(sf('movsx64-8', 'sign-extending move of a byte', `${SRC}r6 = (s8)r6\n${USE}`));
  out.push(sf('movsx64-16', 'sign-extending move of a half', `${SRC}r6 = (s16)r6\n${USE}`));
  out.push(sf('movsx64-32', 'sign-extending move of a word', `${SRC}r6 = (s32)r6\n${USE}`));
  out.push(sf('movsx32-8', '32-bit sign-extending move of a byte', `${SRC}w6 = (s8)w6\n${USE}`));
  out.push(sf('movsx32-16', '32-bit sign-extending move of a half', `${SRC}w6 = (s16)w6\n${USE}`));
  out.push(sf('movsx64-8-small', 'sign extension of values below 128 keeps them', `${SRC}r6 &= 0x7f\nr6 = (s8)r6\n${USE}`));
  out.push(sf('movsx64-8-const', 'sign extension of a constant', `r6 = 0xf0\nr6 = (s8)r6\nr6 += 32\n${USE}`));
  for (const e of ['be16', 'be32', 'be64', 'le16', 'le32', 'le64', 'bswap16', 'bswap32', 'bswap64']) {
    out.push(sf(`alu-${e}`, `${e} of a bounded value`, `${SRC}r6 = ${e} r6\n${USE}`));
  }
  out.push(sf('alu-be16-const', 'byte swap of a constant folds', `r6 = 0x1200\nr6 = be16 r6\n${USE}`));
  // Scalar ids: copies learn from a comparison of the original.
  out.push(sf('alu-linked-copy', 'a copy learns the bounds of its original', 'r6 = *(u32 *)(r1 + 0)\nr8 = r6\nr0 = 0\nif r6 > 200 goto +1\nr6 = r8\n' + USE.replace('r0 = 0\nexit', 'exit')));
  out.push(sf('alu-linked-add-const', 'a copy plus a constant learns shifted bounds', 'r6 = *(u32 *)(r1 + 0)\nr8 = r6\nr8 += 10\nr0 = 0\nif r6 > 200 goto +1\nr6 = r8\n' + USE.replace('r0 = 0\nexit', 'exit')));
  out.push(sf('alu-linked-broken', 'arithmetic on a copy breaks the link', 'r6 = *(u32 *)(r1 + 0)\nr8 = r6\nr8 *= 1\nr0 = 0\nif r6 > 200 goto +1\nr6 = r8\n' + USE.replace('r0 = 0\nexit', 'exit')));
  out.push(sf('alu-linked-spill', 'a spilled copy learns the bounds too', 'r6 = *(u32 *)(r1 + 0)\n*(u64 *)(r10 - 264) = r6\nr0 = 0\nif r6 > 200 goto +1\nr6 = *(u64 *)(r10 - 264)\n' + USE.replace('r0 = 0\nexit', 'exit')));
  return out;
}

const CONDS: Array<[string, string]> = [
  ['jeq', '=='], ['jne', '!='], ['jgt', '>'], ['jge', '>='], ['jlt', '<'], ['jle', '<='],
  ['jsgt', 's>'], ['jsge', 's>='], ['jslt', 's<'], ['jsle', 's<='], ['jset', '&'],
];

/** For each condition: refine an unknown on both branches, then use it (the taken arm jumps to the use as well). */
function condCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  const body = (cond: string): string =>
    `r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 8)\nr7 &= 0xff\nr0 = 0\nif ${cond} goto +3\nr2 = r10\nr2 += -256\ngoto +2\nr2 = r10\nr2 += -512\nr2 += r6\n*(u8 *)(r2 + 0) = 0\nexit`;
  for (const [name, op] of CONDS) {
    out.push(sf(`jmp64-${name}-imm`, `both branches of 64-bit ${name} with an immediate`, body(`r6 ${op} 200`)));
    out.push(sf(`jmp32-${name}-imm`, `both branches of 32-bit ${name} with an immediate`, body(`w6 ${op} 200`)));
    out.push(sf(`jmp64-${name}-reg`, `both branches of 64-bit ${name} with a register`, body(`r6 ${op} r7`)));
    out.push(sf(`jmp32-${name}-reg`, `both branches of 32-bit ${name} with a register`, body(`w6 ${op} w7`)));
  }
  // Signed ranges and constant folding of branches.
  out.push(sf('jmp-signed-range', 'a signed range from two signed compares', 'r6 = *(u64 *)(r1 + 0)\nr0 = 0\nif r6 s< 0 goto +4\nif r6 s> 255 goto +3\nr2 = r10\nr2 += -256\nr2 += r6\n*(u8 *)(r2 + 0) = 0\nexit'));
  out.push(sf('jmp-signed-unbounded-below', 'only an upper signed bound', 'r6 = *(u32 *)(r1 + 0)\nr6 -= 10\nr0 = 0\nif r6 s> 255 goto +3\nr2 = r10\nr2 += -256\nr2 += r6\n*(u8 *)(r2 + 0) = 0\nexit'));
  out.push(sf('jmp-eq-const', 'equality makes a constant', 'r6 = *(u32 *)(r1 + 0)\nr0 = 0\nif r6 != 7 goto +3\nr2 = r10\nr2 += -256\nr2 += r6\n*(u8 *)(r2 + 0) = 0\nexit'));
  out.push(sf('jmp-known-taken', 'a branch known taken from the bounds', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0xf\nr0 = 0\nif r6 < 16 goto +1\nr0 = r9\nexit'));
  out.push(sf('jmp-known-not-taken', 'a branch known not taken from the bounds', 'r6 = *(u32 *)(r1 + 0)\nr6 |= 0x10\nr0 = 0\nif r6 == 0 goto +1\nexit\nr0 = r9\nexit'));
  out.push(sf('jmp32-known-upper', 'a 32-bit compare ignores the upper half', 'r6 = 0x100000001 ll\nr0 = 0\nif w6 == 1 goto +1\nr0 = r9\nexit'));
  out.push(sf('jmp-jset-known', 'jset with known bits', 'r6 = *(u32 *)(r1 + 0)\nr6 |= 4\nr0 = 0\nif r6 & 4 goto +1\nr0 = r9\nexit'));
  out.push(sf('jmp-reg-reg-same', 'comparing a register with itself', 'r6 = *(u32 *)(r1 + 0)\nr0 = 0\nif r6 == r6 goto +1\nr0 = r9\nexit'));
  out.push(sf('jmp-ptr-null-fp', 'the stack pointer is never null', 'r0 = 0\nif r10 == 0 goto +1\nexit\nr0 = r9\nexit'));
  out.push(sf('jmp-ptr-vs-ptr', 'comparing two different pointers', 'r2 = r10\nr2 += -8\nr0 = 0\nif r2 > r10 goto +1\nexit\nexit'));
  out.push(sf('jmp-scalar-vs-ptr', 'comparing a scalar with a pointer', 'r2 = 5\nr0 = 0\nif r2 > r10 goto +1\nexit\nexit'));
  return out;
}

export const SCALAR_CORPUS: readonly CorpusCase[] = [...aluCases(), ...condCases()];
