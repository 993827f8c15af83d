// Corpus: mixed rules found while growing the corpus (variable-offset stack through helpers, narrow spills, signed
// 32-bit refinements, ldsx of memory, jset, loops over the stack, may_goto). One rule per program.
import { ARRAY, HASH, LOOKUP, type CorpusCase } from './corpus-defs';

const sf = (name: string, rule: string, asm: string): CorpusCase => ({ name, rule, progType: 'socket_filter', asm });
const kp = (name: string, rule: string, asm: string): CorpusCase => ({ name, rule, progType: 'kprobe', asm });
const VALUE = `${LOOKUP}if r0 != 0 goto +1\nexit\n`;

export const MORE_CORPUS: readonly CorpusCase[] = [
  kp('more-helper-var-stack', 'a helper writing at a variable stack offset', 'r6 = *(u64 *)(r1 + 0)\nr6 &= 8\nr1 = r10\nr1 += -32\nr1 += r6\nr2 = 8\nr3 = 0\ncall 113\nr0 = *(u64 *)(r10 - 32)\nexit'),
  kp('more-helper-var-stack-oob', 'a helper write whose variable offset can reach fp', 'r6 = *(u64 *)(r1 + 0)\nr6 &= 8\nr1 = r10\nr1 += -8\nr1 += r6\nr2 = 8\nr3 = 0\ncall 113\nr0 = 0\nexit'),
  kp('more-helper-read-var-stack', 'a helper reading at a variable stack offset', '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr6 = *(u64 *)(r1 + 0)\nr6 &= 8\nr1 = r10\nr1 += -16\nr1 += r6\nr2 = 8\ncall 6\nr0 = 0\nexit'),
  sf('more-spill32-fill64', 'an 8-byte fill of a 4-byte spill', 'r2 = *(u32 *)(r1 + 0)\n*(u32 *)(r10 - 8) = r2\nr0 = *(u64 *)(r10 - 8)\nexit'),
  sf('more-spill16-fill16', 'a 2-byte spill and fill', 'r2 = *(u32 *)(r1 + 0)\nr2 &= 0xff\n*(u16 *)(r10 - 8) = r2\nr0 = *(u16 *)(r10 - 8)\nexit'),
  sf('more-spill8-fill8-wide', 'a 1-byte spill of a wide value', 'r2 = *(u32 *)(r1 + 0)\n*(u8 *)(r10 - 8) = r2\nr0 = *(u8 *)(r10 - 8)\nexit'),
  sf('more-spill-const-fill-u8', 'a byte fill of a spilled constant', 'r2 = 0x1234\n*(u64 *)(r10 - 8) = r2\nr0 = *(u8 *)(r10 - 8)\nexit'),
  sf('more-spill-zero-fill-u8-hi', 'an upper byte of a spilled zero', 'r2 = 0\n*(u64 *)(r10 - 8) = r2\nr0 = *(u8 *)(r10 - 1)\nexit'),
  sf('more-jmp32-signed-neg', 'a 32-bit signed compare with a negative bound', 'r6 = *(u32 *)(r1 + 0)\nr0 = 0\nif w6 s< -5 goto +1\nr0 = r6\nexit'),
  sf('more-jmp32-upper-unknown', 'jmp32 refinement keeps the upper half unknown', 'r6 = *(u64 *)(r1 + 48)\nr0 = 0\nif w6 > 10 goto +1\nr0 = r6\nexit'),
  sf('more-jset-refine', 'jset refines known bits on both branches', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0xff\nr0 = 0\nif r6 & 0x80 goto +2\nr0 = r6\nexit\nr0 = r6\nexit'),
  sf('more-jset-reg', 'jset with a register operand', 'r6 = *(u32 *)(r1 + 0)\nr7 = 4\nr0 = 0\nif r6 & r7 goto +1\nr0 = r6\nexit'),
  { name: 'more-ldsx-map-value', rule: 'sign-extending load from a map value', progType: 'socket_filter', maps: [HASH], asm: `${VALUE}r0 = *(s16 *)(r0 + 2)\nexit` },
  { name: 'more-ldsx-map-value-off', rule: 'sign-extending load as a map value index', progType: 'socket_filter', maps: [ARRAY], asm: `${VALUE}r2 = *(s8 *)(r0 + 0)\nr0 += r2\nr0 = *(u8 *)(r0 + 0)\nexit` },
  sf('more-loop-stack-array', 'a loop writing a stack array', 'r1 = 0\nr2 = r10\nr2 += -64\nr3 = r2\nr3 += r1\n*(u8 *)(r3 + 0) = 0\nr1 += 1\nif r1 < 64 goto -5\nr0 = 0\nexit'),
  sf('more-loop-stack-array-oob', 'a loop running past a stack array', 'r1 = 0\nr2 = r10\nr2 += -64\nr3 = r2\nr3 += r1\n*(u8 *)(r3 + 0) = 0\nr1 += 1\nif r1 < 65 goto -5\nr0 = 0\nexit'),
  sf('more-may-goto', 'may_goto bounds a loop (not modelled)', 'r0 = 0\nmay_goto +1\ngoto -2\nexit'),
  sf('more-alu32-add-overflow', '32-bit addition wraps', 'r6 = *(u32 *)(r1 + 0)\nr6 |= 0x80000000\nw6 += 0x80000000\nr0 = r6\nexit'),
  sf('more-alu64-sub-wrap', '64-bit subtraction below zero', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 3\nr6 -= 4\nr0 = r6\nexit'),
  sf('more-mul-neg', 'multiplication by a negative constant', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 3\nr6 *= -3\nr0 = r6\nexit'),
  sf('more-and-neg', 'and with a negative constant', 'r6 = *(u64 *)(r1 + 48)\nr6 &= -8\nr0 = r6\nexit'),
  sf('more-or-const-range', 'or with a constant keeps a range', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0xf0\nr6 |= 0x3\nr0 = r6\nexit'),
  sf('more-xor-self', 'xor with itself is zero', 'r6 = *(u32 *)(r1 + 0)\nr6 ^= r6\nr0 = r6\nexit'),
  sf('more-sub-self', 'subtracting itself is zero', 'r6 = *(u32 *)(r1 + 0)\nr6 -= r6\nr0 = r6\nexit'),
  sf('more-rsh-32-of-64', '64-bit value shifted right by 32', 'r6 = *(u64 *)(r1 + 48)\nr6 >>= 32\nr0 = r6\nexit'),
  sf('more-arsh32', '32-bit arithmetic shift of a negative value', 'r6 = *(u32 *)(r1 + 0)\nw6 |= 0x80000000\nw6 s>>= 4\nr0 = r6\nexit'),
  sf('more-mod-range', 'modulo bounds the result', 'r6 = *(u32 *)(r1 + 0)\nr6 %= 10\nr2 = r10\nr2 += -16\nr2 += r6\n*(u8 *)(r2 + 0) = 0\nr0 = 0\nexit'),
  sf('more-div-range', 'division shrinks the range', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0xff\nr6 /= 16\nr2 = r10\nr2 += -16\nr2 += r6\n*(u8 *)(r2 + 0) = 0\nr0 = 0\nexit'),
  sf('more-two-var-offsets', 'two variable offsets added to the stack pointer', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 7\nr7 = *(u32 *)(r1 + 8)\nr7 &= 7\nr2 = r10\nr2 += -16\nr2 += r6\nr2 += r7\n*(u8 *)(r2 + 0) = 0\nr0 = 0\nexit'),
  sf('more-fp-var-then-const', 'variable then constant stack offset', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 7\nr2 = r10\nr2 += r6\nr2 += -16\n*(u8 *)(r2 + 0) = 0\nr0 = 0\nexit'),
  sf('more-ctx-spill-fill-deref', 'a spilled ctx still reads fields', '*(u64 *)(r10 - 8) = r1\nr1 = 0\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 0)\nexit'),
  sf('more-ptr-cmp-null-branch', 'comparing ctx with zero explores both branches', 'r0 = 0\nif r1 == 0 goto +1\nexit\nr0 = 1\nexit'),
  { name: 'more-map-value-cmp', rule: 'a non-null map value compared with zero', progType: 'socket_filter', maps: [HASH], asm: `${VALUE}if r0 == 0 goto +1\nr0 = 0\nexit` },
  kp('more-call-stack-pass', 'a callee writes a caller buffer passed to a helper', 'r1 = r10\nr1 += -16\ncall pc+6\nr1 = r10\nr1 += -16\nr2 = 16\ncall 6\nr0 = 0\nexit\n*(u64 *)(r1 + 0) = 0\n*(u64 *)(r1 + 8) = 0\nr0 = 0\nexit'),
  { ...kp('more-call-ret-map-value', 'a callee returning a map value pointer', 'call pc+3\nif r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 0)\nexit\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nld_pseudo r1, 5, 0\ncall 1\nexit'), maps: [HASH] },
];
