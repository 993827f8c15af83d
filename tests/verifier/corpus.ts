// Differential corpus for the verifier: one small program per rule, accept and reject cases, in llvm assembly.
//
// Maps are referenced as `ld_pseudo rN, 5, K` (BPF_PSEUDO_MAP_IDX: the K-th entry of `maps`), which the kernel
// resolves through fd_array and our verifier through VerifyOptions.maps.

import { CFG_CORPUS } from './corpus-cfg';
import { ARRAY, HASH, LOOKUP, RINGBUF, type CorpusCase } from './corpus-defs';
import { HELPER_CORPUS } from './corpus-helpers';
import { MEM_CORPUS } from './corpus-mem';
import { MORE_CORPUS } from './corpus-more';
import { PRUNE_CORPUS } from './corpus-prune';
import { SCALAR_CORPUS } from './corpus-scalar';

export type { CorpusCase, CorpusMap } from './corpus-defs';

const BASE: readonly CorpusCase[] = [
  // --- accept: basics ---
  { name: 'ret0', rule: 'minimal program', progType: 'socket_filter', asm: 'r0 = 0\nexit' },
  { name: 'ret-ctx-len', rule: 'ctx read of __sk_buff.len', progType: 'socket_filter', asm: 'r0 = *(u32 *)(r1 + 0)\nexit' },
  { name: 'branch-bounds', rule: 'scalar bounds refined by a branch', progType: 'socket_filter', asm: `
r2 = *(u32 *)(r1 + 0)
r0 = 0
if r2 > 10 goto +2
r0 = r2
r0 += 1
*(u64 *)(r10 - 8) = r0
exit` },
  { name: 'alu-mix', rule: 'scalar ALU: and/or/xor/lsh/rsh/arsh/mul/neg', progType: 'socket_filter', asm: `
r2 = *(u32 *)(r1 + 0)
r2 &= 0xff
r3 = r2
r3 <<= 4
r3 |= 3
r4 = r3
r4 ^= 7
r4 >>= 1
r5 = r4
r5 *= 3
r6 = r5
r6 = -r6
r6 s>>= 2
w7 = w2
w7 += 5
r0 = 0
exit` },
  { name: 'jmp32-bounds', rule: 'jmp32 refinement', progType: 'socket_filter', asm: `
r2 = *(u32 *)(r1 + 0)
r0 = 0
if w2 s> 100 goto +2
if w2 s< -5 goto +1
r0 = r2
exit` },
  { name: 'stack-spill-fill', rule: 'spill and fill a pointer', progType: 'socket_filter', asm: `
*(u64 *)(r10 - 8) = r1
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit` },
  { name: 'stack-zero', rule: 'STACK_ZERO from storing 0', progType: 'socket_filter', asm: `
*(u64 *)(r10 - 16) = 0
r0 = *(u64 *)(r10 - 16)
exit` },
  { name: 'stack-misc', rule: 'STACK_MISC partial write then read', progType: 'socket_filter', asm: `
r2 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 8) = r2
*(u32 *)(r10 - 4) = r2
r0 = *(u64 *)(r10 - 8)
exit` },
  { name: 'stack-uninit-read-root', rule: 'privileged programs may read uninitialised stack', progType: 'socket_filter', asm: `
r0 = *(u64 *)(r10 - 8)
exit` },
  { name: 'map-lookup-null-check', rule: 'map_value_or_null refined by a null check', progType: 'socket_filter', maps: [HASH], asm: `${LOOKUP}
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit` },
  { name: 'map-update', rule: 'helper args: map, key and value on the stack', progType: 'socket_filter', maps: [HASH], asm: `
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 1
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
ld_pseudo r1, 5, 0
call 2
r0 = 0
exit` },
  { name: 'array-index-bounded', rule: 'variable offset into a map value within bounds', progType: 'socket_filter', maps: [ARRAY], asm: `${LOOKUP}
if r0 == 0 goto +5
r2 = *(u32 *)(r0 + 0)
r2 &= 7
r0 += r2
r0 = *(u64 *)(r0 + 0)
r0 = 0
r0 = 0
exit` },
  { name: 'ktime', rule: 'helper without arguments clobbers r1-r5', progType: 'kprobe', asm: 'call 5\nexit' },
  { name: 'kprobe-ctx', rule: 'pt_regs read', progType: 'kprobe', asm: 'r0 = *(u64 *)(r1 + 112)\nexit' },
  { name: 'xdp-packet', rule: 'packet range proof with data_end', progType: 'xdp', asm: `
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto +1
r0 = *(u8 *)(r2 + 13)
exit` },
  { name: 'tc-packet-write', rule: 'tc may write packet bytes within range', progType: 'sched_cls', asm: `
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 8
r0 = 0
if r4 > r3 goto +1
*(u32 *)(r2 + 4) = 0
exit` },
  { name: 'bounded-loop', rule: 'back-edge explored as a bounded loop', progType: 'socket_filter', asm: `
r1 = 0
r1 += 1
if r1 < 10 goto -2
r0 = 0
exit` },
  { name: 'ringbuf-ok', rule: 'ringbuf reserve/submit with null check', progType: 'kprobe', maps: [RINGBUF], asm: `
ld_pseudo r1, 5, 0
r2 = 8
r3 = 0
call 131
if r0 == 0 goto +4
*(u64 *)(r0 + 0) = 0
r1 = r0
r2 = 0
call 132
r0 = 0
exit` },
  { name: 'cgroup-skb-ret-ok', rule: 'return value in range', progType: 'cgroup_skb', asm: 'r0 = 1\nexit' },
  { name: 'ptr-compare', rule: 'privileged pointer comparison', progType: 'socket_filter', asm: `
r2 = r10
r0 = 0
if r2 == r1 goto +1
r0 = 1
exit` },
  { name: 'dead-branch', rule: 'a branch known not taken is not explored', progType: 'socket_filter', asm: `
r2 = 5
if r2 > 10 goto +1
r0 = 0
exit` },
  { name: 'lddw-const', rule: '64-bit immediate', progType: 'socket_filter', asm: 'r0 = 0x123456789 ll\nexit' },
  { name: 'ldsx-mov', rule: 'sign-extending load and move', progType: 'socket_filter', asm: `
r2 = *(s8 *)(r1 + 0)
r3 = (s16)r2
r0 = 0
exit` },
  { name: 'atomic-stack', rule: 'atomic add on the stack', progType: 'socket_filter', asm: `
*(u64 *)(r10 - 8) = 0
r1 = 1
lock *(u64 *)(r10 - 8) += r1
r0 = 0
exit` },

  // --- reject: CFG ---
  { name: 'jump-out-of-range', rule: 'jumps must stay in the program', progType: 'socket_filter', asm: 'r0 = 0\ngoto +5\nexit' },
  { name: 'jump-negative', rule: 'negative jump target', progType: 'socket_filter', asm: 'r0 = 0\ngoto -5\nexit' },
  { name: 'no-exit', rule: 'last insn must be exit or jmp', progType: 'socket_filter', asm: 'r0 = 0\nr1 = 0' },
  { name: 'unreachable', rule: 'unreachable code', progType: 'socket_filter', asm: 'r0 = 0\nexit\nr0 = 1\nexit' },
  { name: 'lddw-middle', rule: 'jump into the middle of lddw', progType: 'socket_filter', asm: 'r0 = 0\nif r0 == 0 goto +1\nr1 = 0x1 ll\nexit' },
  { name: 'infinite-loop', rule: 'a loop that makes no progress', progType: 'socket_filter', asm: 'r0 = 0\nif r0 == 0 goto -1\nexit' },

  // --- reject: registers ---
  { name: 'uninit-r2', rule: 'read before write', progType: 'socket_filter', asm: 'r1 = r2\nexit' },
  { name: 'no-r0', rule: 'R0 must be set at exit', progType: 'socket_filter', asm: 'exit' },
  { name: 'r10-write', rule: 'frame pointer is read only', progType: 'socket_filter', asm: 'r10 = 0\nexit' },
  { name: 'helper-clobbers', rule: 'r1-r5 are unreadable after a call', progType: 'kprobe', asm: 'call 5\nr0 = r1\nexit' },

  // --- reject: memory ---
  { name: 'scalar-deref', rule: 'dereference of a scalar', progType: 'socket_filter', asm: 'r0 = 0\nr0 = *(u64 *)(r0 + 0)\nexit' },
  { name: 'stack-write-oob', rule: 'stack write at fp+0', progType: 'socket_filter', asm: '*(u64 *)(r10 + 0) = 0\nr0 = 0\nexit' },
  { name: 'stack-write-too-deep', rule: 'stack limit 512', progType: 'socket_filter', asm: '*(u64 *)(r10 - 520) = 0\nr0 = 0\nexit' },
  { name: 'stack-misaligned', rule: 'stack accesses must be aligned', progType: 'socket_filter', asm: '*(u32 *)(r10 - 5) = 0\nr0 = 0\nexit' },
  { name: 'ctx-oob', rule: 'ctx access past the struct', progType: 'socket_filter', asm: 'r0 = *(u32 *)(r1 + 200)\nexit' },
  { name: 'ctx-write-len', rule: 'ctx field not writable', progType: 'socket_filter', asm: '*(u32 *)(r1 + 0) = 0\nr0 = 0\nexit' },
  { name: 'ctx-modified', rule: 'ctx pointer with an offset', progType: 'socket_filter', asm: 'r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit' },
  { name: 'ctx-data-socket-filter', rule: 'socket filters cannot read skb->data', progType: 'socket_filter', asm: 'r0 = *(u32 *)(r1 + 76)\nexit' },
  { name: 'ctx-narrow-xdp', rule: 'xdp_md only allows 4-byte loads', progType: 'xdp', asm: 'r0 = *(u16 *)(r1 + 12)\nexit' },
  { name: 'kprobe-ctx-write', rule: 'kprobe ctx is read-only', progType: 'kprobe', asm: '*(u64 *)(r1 + 0) = 0\nr0 = 0\nexit' },
  { name: 'map-null-deref', rule: 'map lookup result must be null-checked', progType: 'socket_filter', maps: [HASH], asm: `${LOOKUP}
r0 = *(u64 *)(r0 + 0)
exit` },
  { name: 'map-value-oob', rule: 'map value access past value_size', progType: 'socket_filter', maps: [HASH], asm: `${LOOKUP}
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 8)
r0 = 0
exit` },
  { name: 'map-value-unbounded', rule: 'variable map value offset must be bounded', progType: 'socket_filter', maps: [ARRAY], asm: `${LOOKUP}
if r0 == 0 goto +4
r2 = *(u32 *)(r0 + 0)
r0 += r2
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit` },
  { name: 'packet-no-check', rule: 'packet access without a range proof', progType: 'xdp', asm: `
r2 = *(u32 *)(r1 + 0)
r0 = *(u8 *)(r2 + 0)
exit` },
  { name: 'packet-past-range', rule: 'packet access past the proven range', progType: 'xdp', asm: `
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto +1
r0 = *(u8 *)(r2 + 14)
exit` },
  { name: 'packet-write-socket-filter', rule: 'packet writes not allowed for this type', progType: 'cgroup_skb', asm: `
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 8
r0 = 1
if r4 > r3 goto +1
*(u8 *)(r2 + 0) = 0
exit` },

  // --- reject: ALU ---
  { name: 'div-by-zero-imm', rule: 'division by constant zero', progType: 'socket_filter', asm: 'r0 = 1\nr0 /= 0\nexit' },
  { name: 'shift-64', rule: 'shift amount out of range', progType: 'socket_filter', asm: 'r0 = 1\nr0 <<= 64\nexit' },
  { name: 'ptr-and', rule: 'bitwise op on pointer', progType: 'socket_filter', asm: 'r1 &= 1\nr0 = 0\nexit' },
  { name: 'ptr-alu32', rule: '32-bit pointer arithmetic', progType: 'socket_filter', asm: 'w1 += 1\nr0 = 0\nexit' },
  { name: 'ptr-plus-ptr', rule: 'pointer += pointer', progType: 'socket_filter', asm: 'r1 += r10\nr0 = 0\nexit' },
  { name: 'fp-sub', rule: 'subtraction from stack pointer', progType: 'socket_filter', asm: 'r2 = r10\nr2 -= 8\nr0 = 0\nexit' },
  { name: 'ptr-mul', rule: 'multiplication of a pointer', progType: 'socket_filter', asm: 'r1 *= 2\nr0 = 0\nexit' },
  { name: 'null-arith', rule: 'arithmetic on map_value_or_null', progType: 'socket_filter', maps: [HASH], asm: `${LOOKUP}
r0 += 1
r0 = 0
exit` },

  // --- reject: helpers ---
  { name: 'helper-unknown', rule: 'helper id out of range', progType: 'socket_filter', asm: 'call 1000\nexit' },
  { name: 'helper-not-allowed', rule: 'helper not allowed for the program type', progType: 'socket_filter', asm: 'call 4\nexit' },
  { name: 'helper-arg-type', rule: 'R1 must be a map pointer', progType: 'socket_filter', asm: 'call 1\nexit' },
  { name: 'helper-arg-uninit', rule: 'helper argument not initialised', progType: 'kprobe', maps: [HASH], asm: 'ld_pseudo r1, 5, 0\ncall 1\nexit' },
  { name: 'helper-key-scalar', rule: 'map key must point to memory', progType: 'socket_filter', maps: [HASH], asm: 'ld_pseudo r1, 5, 0\nr2 = 0\ncall 1\nr0 = 0\nexit' },
  { name: 'helper-gpl', rule: 'GPL-only helper from a non-GPL program', progType: 'kprobe', license: 'Proprietary', asm: `
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call 113
r0 = 0
exit` },
  { name: 'helper-size-negative', rule: 'size argument may be negative', progType: 'kprobe', asm: `
r2 = *(u64 *)(r1 + 0)
r1 = r10
r1 += -8
r3 = 0
call 113
r0 = 0
exit` },
  { name: 'ringbuf-leak', rule: 'acquired ringbuf record must be released', progType: 'kprobe', maps: [RINGBUF], asm: `
ld_pseudo r1, 5, 0
r2 = 8
r3 = 0
call 131
r0 = 0
exit` },
  { name: 'ringbuf-submit-null', rule: 'submit needs a non-null ringbuf record', progType: 'kprobe', maps: [RINGBUF], asm: `
ld_pseudo r1, 5, 0
r2 = 8
r3 = 0
call 131
r1 = r0
r2 = 0
call 132
r0 = 0
exit` },

  // --- reject: return values ---
  { name: 'cgroup-skb-ret-range', rule: 'return value out of range', progType: 'cgroup_skb', asm: 'r0 = 2\nexit' },
  { name: 'cgroup-skb-ret-unknown', rule: 'return value unknown', progType: 'cgroup_skb', asm: 'r0 = *(u32 *)(r1 + 0)\nexit' },
  { name: 'cgroup-skb-ret-ptr', rule: 'return value is a pointer', progType: 'cgroup_skb', asm: 'r0 = r1\nexit' },

  // --- bpf-to-bpf calls ---
  { name: 'subprog-ok', rule: 'call with a pointer into the caller\'s stack', progType: 'socket_filter', asm: `
r6 = r1
r1 = 5
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
call pc+3
r0 += 1
r0 = 0
exit
r0 = *(u64 *)(r2 + 0)
*(u64 *)(r10 - 16) = r0
r0 = r1
exit` },
  { name: 'subprog-callee-r6', rule: 'callee cannot read the caller\'s r6-r9', progType: 'socket_filter', asm: `
r6 = 1
call pc+2
r0 = 0
exit
r0 = r6
exit` },
  { name: 'subprog-caller-r1', rule: 'r1-r5 are clobbered by a bpf-to-bpf call', progType: 'socket_filter', asm: `
r1 = 1
call pc+2
r0 = r1
exit
r0 = 0
exit` },
  { name: 'subprog-ret-stack', rule: 'a callee cannot return its stack pointer', progType: 'socket_filter', asm: `
call pc+2
r0 = 0
exit
r0 = r10
exit` },
  { name: 'subprog-stack-too-big', rule: 'combined stack of all frames is at most 512 bytes', progType: 'socket_filter', asm: `
*(u64 *)(r10 - 400) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 200) = 0
r0 = 0
exit` },
  { name: 'subprog-too-deep', rule: 'at most 8 frames', progType: 'socket_filter', asm: `
call pc+2
r0 = 0
exit
call pc+2
r0 = 0
exit
call pc+2
r0 = 0
exit
call pc+2
r0 = 0
exit
call pc+2
r0 = 0
exit
call pc+2
r0 = 0
exit
call pc+2
r0 = 0
exit
call pc+2
r0 = 0
exit
r0 = 0
exit` },
  { name: 'subprog-unreachable', rule: 'a subprogram nobody calls is unreachable code', progType: 'socket_filter', asm: `
r0 = 0
exit
r0 = 1
exit` },
  { name: 'subprog-jump-across', rule: 'jumps may not leave their subprogram', progType: 'socket_filter', asm: `
call pc+2
goto +3
exit
r0 = 0
exit
r0 = 1
exit` },

  // --- legacy packet loads ---
  { name: 'ld-abs-ok', rule: 'ld_abs with r6 = ctx', progType: 'socket_filter', asm: 'r6 = r1\nr0 = *(u8 *)skb[12]\nexit' },
  { name: 'ld-ind-ok', rule: 'ld_ind with an index register', progType: 'sched_cls', asm: 'r6 = r1\nr7 = 14\nr0 = *(u16 *)skb[r7 + 2]\nexit' },
  { name: 'ld-abs-no-r6', rule: 'ld_abs needs r6 to hold the ctx', progType: 'socket_filter', asm: 'r6 = 0\nr0 = *(u8 *)skb[12]\nexit' },
  { name: 'ld-abs-xdp', rule: 'ld_abs only for skb program types', progType: 'xdp', asm: 'r6 = r1\nr0 = *(u8 *)skb[12]\nexit' },
  { name: 'ld-abs-clobbers', rule: 'ld_abs clobbers r1-r5', progType: 'socket_filter', asm: 'r6 = r1\nr2 = 1\nr0 = *(u32 *)skb[0]\nr0 = r2\nexit' },
];

/** Every corpus program: the base set above and the per-area files. */
export const CORPUS: readonly CorpusCase[] = [...BASE, ...CFG_CORPUS, ...SCALAR_CORPUS, ...MEM_CORPUS, ...HELPER_CORPUS, ...MORE_CORPUS, ...PRUNE_CORPUS];
