// Corpus: mixed rules found while growing the corpus (variable-offset stack through helpers, narrow spills, signed
// 32-bit refinements, ldsx of memory, jset, loops over the stack, may_goto). One rule per program.
import { ARRAY, HASH, LOOKUP, RINGBUF, type CorpusCase } from './corpus-defs';

const sf = (name: string, rule: string, asm: string): CorpusCase => ({ name, rule, progType: 'socket_filter', asm });
const kp = (name: string, rule: string, asm: string): CorpusCase => ({ name, rule, progType: 'kprobe', asm });
const VALUE = `${LOOKUP}if r0 != 0 goto +1\nexit\n`;

/**
 * The smallest program found (by tests/verifier/gen/bounds-gen.ts seed 1188, then line removal) for which 6.18.44's
 * reg_set_min_max ends with an empty range: r8 = r6 << 32 > r6, so `r6 >= r8` cannot hold, but the u64 ranges overlap.
 * On a kernel built with CONFIG_BUG it also WARNs once per boot (dmesg: reg_bounds_sanity_check).
 */
export const REG_INVARIANTS_ASM = 'r0 = 0\nr6 = *(u32 *)(r1 + 0)\nr8 = r6\nr8 <<= 32\nif r8 > r6 goto +1\nexit\nif r6 >= r8 goto +1\nr0 = 1\nexit';

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
  // s32 range across the sign boundary meeting only one part of the u32 range (__reg32_deduce_bounds, 6.18): the
  // later signed compare is then decided, so the kernel walks one branch.
  sf('more-s32-cross-sign-neg-part', 'an s32 range across the sign boundary meets only the negative part of the u32 range', 'r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\nr7 &= 0xffff\nr0 = 0\nif w6 s> 0xfffe goto +4\nif w6 < 0x1b18b22a goto +3\nif w7 s<= w6 goto +1\nr0 = 1\nexit\nexit'),
  sf('more-s32-cross-sign-pos-part', 'an s32 range across the sign boundary meets only the non-negative part of the u32 range', 'r6 = *(u32 *)(r1 + 0)\nr0 = 0\nif w6 s< -16 goto +6\nif w6 s> 16 goto +5\nif w6 < 8 goto +4\nif w6 > 0x90000000 goto +3\nif w6 s< 0 goto +1\nr0 = 1\nexit\nexit'),
  // 6.18 is_scalar_branch_taken: known bits that differ decide == and != (tnum_overlap).
  sf('more-jeq-tnum-disjoint', '== with a constant whose known bits the register cannot have', 'r6 = *(u32 *)(r1 + 0)\nw6 &= -160\nr0 = 0\nif w6 == 8 goto +1\nr0 = 1\nexit'),
  sf('more-jne-tnum-disjoint', '!= with a constant whose known bits the register cannot have', 'r6 = *(u32 *)(r1 + 0)\nr6 &= -160\nr0 = 0\nif r6 != 8 goto +1\nr0 = 1\nexit'),
  // 6.18 __update_reg64_bounds: a u64 range holding a single member of the tnum makes the register that constant.
  sf('more-tnum-range-one-umin', 'range and tnum share only umin', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0x11\nr0 = 0\nif r6 == 0 goto +3\nif r6 > 15 goto +2\nr0 = r6\nexit\nexit'),
  sf('more-tnum-range-one-tmax', 'range and tnum share only the largest tnum member', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 16\nr0 = 0\nif r6 == 0 goto +2\nr0 = r6\nexit\nexit'),
  sf('more-tnum-range-one-between', 'range and tnum share one member between umin and umax', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0x11\nr0 = 0\nif r6 < 2 goto +3\nif r6 > 16 goto +2\nr0 = r6\nexit\nexit'),
  // reg_bounds_sanity_check on a dead branch (r8 > r6 and then r6 >= r8): the kernel logs "verifier bug: REG
  // INVARIANTS VIOLATION (true_reg2)", forgets r8's ranges and goes on (tests/verifier/reg-invariants.test.ts).
  sf('more-dead-branch-invariants', 'a branch the range checks cannot see is dead leaves bounds that describe no value', REG_INVARIANTS_ASM),
  sf('more-jset-refine', 'jset refines known bits on both branches', 'r6 = *(u32 *)(r1 + 0)\nr6 &= 0xff\nr0 = 0\nif r6 & 0x80 goto +2\nr0 = r6\nexit\nr0 = r6\nexit'),
  sf('more-jset-reg', 'jset with a register operand', 'r6 = *(u32 *)(r1 + 0)\nr7 = 4\nr0 = 0\nif r6 & r7 goto +1\nr0 = r6\nexit'),
  { name: 'more-ldsx-map-value', rule: 'sign-extending load from a map value', progType: 'socket_filter', maps: [HASH], asm: `${VALUE}r0 = *(s16 *)(r0 + 2)\nexit` },
  { name: 'more-ldsx-map-value-off', rule: 'sign-extending load as a map value index', progType: 'socket_filter', maps: [ARRAY], asm: `${VALUE}r2 = *(s8 *)(r0 + 0)\nr0 += r2\nr0 = *(u8 *)(r0 + 0)\nexit` },
  sf('more-loop-stack-array', 'a loop writing a stack array', 'r1 = 0\nr2 = r10\nr2 += -64\nr3 = r2\nr3 += r1\n*(u8 *)(r3 + 0) = 0\nr1 += 1\nif r1 < 64 goto -5\nr0 = 0\nexit'),
  sf('more-loop-stack-array-oob', 'a loop running past a stack array', 'r1 = 0\nr2 = r10\nr2 += -64\nr3 = r2\nr3 += r1\n*(u8 *)(r3 + 0) = 0\nr1 += 1\nif r1 < 65 goto -5\nr0 = 0\nexit'),
  sf('more-may-goto', 'may_goto bounds a loop', 'r0 = 0\nmay_goto +1\ngoto -2\nexit'),
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
  // --- calls, frames and references across branches ---
  sf('more-call-prune-callee', 'two call sites of one callee with the same arguments', 'r1 = 1\ncall pc+5\nr1 = 1\ncall pc+3\nr0 = 0\nexit\nexit\nr0 = r1\nr0 += 1\nexit'),
  sf('more-call-precise-arg', 'a callee argument used as a stack offset', 'r1 = 8\ncall pc+2\nr0 = 0\nexit\nr2 = r10\nr2 += -16\nr2 += r1\n*(u64 *)(r2 + 0) = 0\nr0 = 0\nexit'),
  sf('more-call-branchy-callee', 'a callee with branches returns different values', 'r6 = *(u32 *)(r1 + 0)\nr1 = r6\ncall pc+3\nr0 &= 1\nexit\nexit\nr0 = 0\nif r1 > 5 goto +1\nr0 = 1\nexit'),
  sf('more-call-callee-stack-spill', 'a callee spills to its own stack', 'call pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 0)\nexit'),
  sf('more-call-nested-ptr', 'a pointer to frame 0 passed two frames down', 'r1 = r10\nr1 += -8\ncall pc+3\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r1 + 0) = 7\nr0 = 0\nexit'),
  sf('more-call-callee-r10-return', 'returning a pointer to the caller\'s stack', 'r1 = r10\nr1 += -8\ncall pc+3\n*(u64 *)(r0 + 0) = 0\nr0 = 0\nexit\nr0 = r1\nexit'),
  { name: 'more-ringbuf-branch-release', rule: 'a record released on one branch only', progType: 'kprobe', maps: [RINGBUF], asm: 'r6 = *(u64 *)(r1 + 0)\nld_pseudo r1, 5, 0\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +5\nif r6 > 3 goto +4\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit' },
  { name: 'more-ringbuf-both-branches', rule: 'a record submitted or discarded on every branch', progType: 'kprobe', maps: [RINGBUF], asm: 'r6 = *(u64 *)(r1 + 0)\nld_pseudo r1, 5, 0\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +9\nr1 = r0\nif r6 > 3 goto +4\nr2 = 0\ncall 132\nr0 = 0\nexit\nr2 = 0\ncall 133\nr0 = 0\nexit' },
  { name: 'more-ringbuf-two', rule: 'two records held at once', progType: 'kprobe', maps: [RINGBUF], asm: 'ld_pseudo r1, 5, 0\nr2 = 8\nr3 = 0\ncall 131\nr6 = r0\nld_pseudo r1, 5, 0\nr2 = 8\nr3 = 0\ncall 131\nr7 = r0\nif r6 == 0 goto +3\nr1 = r6\nr2 = 0\ncall 132\nif r7 == 0 goto +3\nr1 = r7\nr2 = 0\ncall 132\nr0 = 0\nexit' },
  { name: 'more-ringbuf-write-past-null', rule: 'writing a ringbuf record after the null check', progType: 'kprobe', maps: [RINGBUF], asm: 'ld_pseudo r1, 5, 0\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto +5\n*(u64 *)(r0 + 8) = 1\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit\nr0 = 0\nexit' },
  // --- packet and ringbuf memory given to helpers ---
  { name: 'more-pkt-helper-mem', rule: 'packet memory as a helper source', progType: 'xdp', maps: [HASH], asm: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 8\nr0 = 1\nif r4 > r3 goto +5\nr3 = r2\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nld_pseudo r1, 5, 0\nr4 = 0\ncall 2\nr0 = 1\nexit' },
  { name: 'more-pkt-csum-diff', rule: 'csum_diff over packet bytes', progType: 'sched_cls', asm: 'r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr4 = r2\nr4 += 8\nr0 = 0\nif r4 > r3 goto +6\nr1 = r2\nr2 = 8\nr3 = 0\nr4 = 0\nr5 = 0\ncall 28\nr0 = 0\nexit' },
  { name: 'more-pkt-csum-diff-short', rule: 'csum_diff over more packet bytes than proven', progType: 'sched_cls', asm: 'r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr4 = r2\nr4 += 4\nr0 = 0\nif r4 > r3 goto +6\nr1 = r2\nr2 = 8\nr3 = 0\nr4 = 0\nr5 = 0\ncall 28\nr0 = 0\nexit' },
  { name: 'more-ringbuf-as-dest', rule: 'a ringbuf record as a probe_read destination', progType: 'kprobe', maps: [RINGBUF], asm: 'ld_pseudo r1, 5, 0\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto +9\nr6 = r0\nr1 = r0\nr2 = 16\nr3 = 0\ncall 113\nr1 = r6\nr2 = 0\ncall 132\nr0 = 0\nexit\nr0 = 0\nexit' },
  { name: 'more-ringbuf-as-dest-big', rule: 'a probe_read into a ringbuf record past its size', progType: 'kprobe', maps: [RINGBUF], asm: 'ld_pseudo r1, 5, 0\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto +9\nr6 = r0\nr1 = r0\nr2 = 24\nr3 = 0\ncall 113\nr1 = r6\nr2 = 0\ncall 132\nr0 = 0\nexit\nr0 = 0\nexit' },
  { name: 'more-map-value-as-dest-var', rule: 'a probe_read into a map value at a variable offset', progType: 'kprobe', maps: [ARRAY], asm: `${LOOKUP}if r0 != 0 goto +1\nexit\nr6 = *(u64 *)(r0 + 0)\nr6 &= 7\nr1 = r0\nr1 += r6\nr2 = 8\nr3 = 0\ncall 113\nr0 = 0\nexit` },
  { name: 'more-map-value-as-dest-var-oob', rule: 'a probe_read into a map value whose variable offset overruns it', progType: 'kprobe', maps: [ARRAY], asm: `${LOOKUP}if r0 != 0 goto +1\nexit\nr6 = *(u64 *)(r0 + 0)\nr6 &= 15\nr1 = r0\nr1 += r6\nr2 = 8\nr3 = 0\ncall 113\nr0 = 0\nexit` },
  { name: 'more-map-value-minus', rule: 'two map value pointers subtracted', progType: 'socket_filter', maps: [HASH], asm: `${LOOKUP}if r0 != 0 goto +1\nexit\nr1 = r0\nr1 += 4\nr1 -= r0\nr0 = r1\nexit` },
  { name: 'more-map-key-write', rule: 'a lookup key may point into a map value and be read', progType: 'socket_filter', maps: [HASH], asm: `${LOOKUP}if r0 != 0 goto +1\nexit\n*(u32 *)(r0 + 0) = 1\nr2 = r0\nld_pseudo r1, 5, 0\ncall 1\nr0 = 0\nexit` },
  { name: 'more-xdp-adjust-meta', rule: 'bpf_xdp_adjust_meta then a data_meta proof', progType: 'xdp', asm: 'r6 = r1\nr2 = -4\ncall 54\nr2 = *(u32 *)(r6 + 8)\nr3 = *(u32 *)(r6 + 0)\nr4 = r2\nr4 += 4\nr0 = 2\nif r4 > r3 goto +1\n*(u32 *)(r2 + 0) = 0\nexit' },
  { name: 'more-tc-store-bytes', rule: 'skb_store_bytes from the stack', progType: 'sched_cls', asm: '*(u64 *)(r10 - 8) = 0\nr2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\nr5 = 0\ncall 9\nr0 = 0\nexit' },
  { name: 'more-perf-addr', rule: 'perf_event reads addr', progType: 'perf_event', asm: 'r0 = *(u64 *)(r1 + 176)\nexit' },
  { name: 'more-perf-past', rule: 'past the end of bpf_perf_event_data', progType: 'perf_event', asm: 'r0 = *(u64 *)(r1 + 184)\nexit' },
  { name: 'more-syscall-ctx-rw', rule: 'syscall programs read and write their ctx buffer', progType: 'syscall', sleepable: true, asm: 'r2 = *(u64 *)(r1 + 0)\n*(u64 *)(r1 + 8) = r2\nr0 = 0\nexit' },
  { name: 'more-syscall-not-sleepable', rule: 'syscall programs must be sleepable', progType: 'syscall', asm: 'r0 = 0\nexit' },
  { name: 'more-syscall-ctx-neg', rule: 'a negative syscall ctx offset', progType: 'syscall', sleepable: true, asm: 'r0 = *(u64 *)(r1 - 8)\nexit' },
];
