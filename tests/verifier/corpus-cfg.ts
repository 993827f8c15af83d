// Corpus: control flow (CFG checks, loops, the complexity limit, pruning), bpf-to-bpf calls, tail calls, and
// read-before-write. One rule per program; the kernel decides what is right (see differential.ts).
import { HASH, LOOKUP, RINGBUF, type CorpusCase, type CorpusMap } from './corpus-defs';

const PROG_ARRAY: CorpusMap = { name: '', type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 };
const sf = (name: string, rule: string, asm: string): CorpusCase => ({ name, rule, progType: 'socket_filter', asm });

/** A chain of `depth` subprograms, each calling the next (frame i uses `stack[i]` bytes of stack). */
function callChain(depth: number, stack: (i: number) => number): string {
  const out: string[] = [];
  for (let i = 0; i < depth; i++) {
    const s = stack(i);
    if (s) out.push(`*(u64 *)(r10 - ${s}) = 0`);
    if (i < depth - 1) out.push('call pc+2', 'r0 = 0', 'exit');
    else out.push('r0 = 0', 'exit');
  }
  return out.join('\n');
}

export const CFG_CORPUS: readonly CorpusCase[] = [
  // --- CFG checks (check_cfg, check_subprogs) ---
  sf('cfg-cond-out-of-range', 'conditional jump target past the end', 'r0 = 0\nif r0 == 1 goto +3\nexit'),
  sf('cfg-cond-negative', 'conditional jump before insn 0', 'r0 = 0\nif r0 == 1 goto -4\nexit'),
  sf('cfg-jmp32-out-of-range', 'jmp32 target out of range', 'r0 = 0\nif w0 > 1 goto +4\nexit'),
  sf('cfg-gotol-out-of-range', 'gotol (32-bit offset) out of range', 'r0 = 0\ngotol +100\nexit'),
  sf('cfg-gotol-ok', 'gotol over one insn', 'r0 = 0\ngotol +1\nr0 = 1\nexit'),
  sf('cfg-goto-lddw-middle', 'unconditional jump into the second half of lddw', 'r0 = 0\ngoto +1\nr1 = 0x1 ll\nexit'),
  sf('cfg-back-into-lddw', 'backward jump into the second half of lddw', 'r1 = 0x1 ll\nr0 = 0\nif r0 == 0 goto -3\nexit'),
  sf('cfg-last-cond', 'the last insn is a conditional jump: fall-through leaves the program', 'r0 = 0\nif r0 == 0 goto -2'),
  sf('cfg-last-lddw', 'the program ends in a lddw', 'r0 = 0\nexit\nr1 = 0x1 ll'),
  sf('cfg-fallthrough-end', 'execution falls off the end', 'r0 = 0\nif r0 == 0 goto +1\nexit\nr0 = 1'),
  sf('cfg-unreachable-middle', 'an insn skipped by an unconditional jump', 'r0 = 0\ngoto +1\nr0 = 1\nexit'),
  sf('cfg-unreachable-tail', 'code after the last exit', 'r0 = 0\nexit\nr0 = 1\nr0 = 2\nexit'),
  sf('cfg-goto-self', 'goto -1: an infinite loop on one insn', 'r0 = 0\ngoto -1\nexit'),
  sf('cfg-goto-zero', 'goto +0 falls through', 'r0 = 0\ngoto +0\nexit'),
  sf('cfg-cond-zero', 'a conditional jump to the next insn', 'r0 = 0\nif r0 > 3 goto +0\nexit'),
  sf('cfg-diamond', 'both arms of a diamond join', 'r2 = *(u32 *)(r1 + 0)\nif r2 > 3 goto +2\nr0 = 1\ngoto +1\nr0 = 2\nexit'),
  sf('cfg-two-exits', 'two exits', 'r2 = *(u32 *)(r1 + 0)\nr0 = 0\nif r2 > 3 goto +1\nexit\nr0 = 1\nexit'),
  sf('cfg-back-edge-self-cond', 'conditional back-edge to itself', 'r0 = 0\nr1 = 5\nif r1 > 0 goto -1\nexit'),
  sf('cfg-invalid-opcode', 'an opcode the ISA does not have', 'r0 = 0\n.byte 0x8e, 0, 0, 0, 0, 0, 0, 0\nexit'),

  // --- bounded loops ---
  sf('loop-count-100', 'a counted loop of 100 iterations', 'r0 = 0\nr1 = 0\nr0 += r1\nr1 += 1\nif r1 < 100 goto -3\nr0 = 0\nexit'),
  sf('loop-jmp32', 'a loop with a 32-bit condition', 'w1 = 0\nw1 += 1\nif w1 < 8 goto -2\nr0 = 0\nexit'),
  sf('loop-down', 'a loop counting down with a signed condition', 'r1 = 10\nr1 += -1\nif r1 s> 0 goto -2\nr0 = r1\nexit'),
  sf('loop-nested', 'nested bounded loops', 'r0 = 0\nr1 = 0\nr2 = 0\nr0 += 1\nr2 += 1\nif r2 < 4 goto -3\nr1 += 1\nif r1 < 4 goto -6\nr0 = 0\nexit'),
  sf('loop-unknown-bound', 'a loop bounded by an unknown but masked value', 'r2 = *(u32 *)(r1 + 0)\nr2 &= 15\nr1 = 0\nr1 += 1\nif r1 < r2 goto -2\nr0 = 0\nexit'),
  sf('loop-stack-counter', 'a loop whose counter lives on the stack', '*(u64 *)(r10 - 8) = 0\nr1 = *(u64 *)(r10 - 8)\nr1 += 1\n*(u64 *)(r10 - 8) = r1\nif r1 < 5 goto -4\nr0 = 0\nexit'),
  sf('loop-infinite-unknown', 'a loop on an unknown value that never changes', 'r2 = *(u32 *)(r1 + 0)\nr0 = 0\nif r2 != 0 goto -1\nexit'),
  sf('loop-infinite-two', 'a two-insn loop that makes no progress', 'r0 = 0\nr1 = 1\nr1 = 1\nif r1 == 1 goto -2\nexit'),
  { ...sf('loop-too-complex', 'the 1,000,000 processed-insn limit', 'r1 = 0\nr1 += 1\nif r1 < 0x7fffffff goto -2\nr0 = 0\nexit'), noLevel2: 'the level-2 log of a million insns is hundreds of megabytes' },
  sf('loop-limit-unroll', 'a long but finite loop stays under the limit', 'r1 = 0\nr1 += 1\nif r1 < 10000 goto -2\nr0 = 0\nexit'),
  sf('loop-bpf-loop-no-btf', 'bpf_loop callbacks need BTF func_info', 'r1 = 4\nld_pseudo r2, 4, 3\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\nr0 = 0\nexit'),

  // --- state pruning ---
  sf('prune-equal-branches', 'two arms reaching the same state are pruned', 'r2 = *(u32 *)(r1 + 0)\nr0 = 0\nif r2 > 5 goto +1\nr0 = 0\nr3 = 1\nr3 += 1\nr3 += 1\nr0 = 0\nexit'),
  sf('prune-range-subset', 'a narrower range is covered by a wider one', 'r2 = *(u32 *)(r1 + 0)\nr2 &= 7\nif r2 > 3 goto +2\nr2 = 1\ngoto +0\nr3 = r2\nr3 += 1\nr0 = 0\nexit'),
  sf('prune-many-paths', 'a chain of diamonds: pruning keeps it linear', `
r2 = *(u32 *)(r1 + 0)
r0 = 0
if r2 & 1 goto +0
if r2 & 2 goto +0
if r2 & 4 goto +0
if r2 & 8 goto +0
if r2 & 16 goto +0
r0 = 0
exit`),
  sf('prune-precise-const', 'precise constants are compared exactly', `
r6 = *(u32 *)(r1 + 0)
r7 = 0
if r6 > 3 goto +1
r7 = 8
r8 = r10
r8 += -16
r8 += r7
*(u64 *)(r8 + 0) = 0
r0 = 0
exit`),
  sf('prune-imprecise-const', 'different constants that are not precise prune', `
r6 = *(u32 *)(r1 + 0)
r7 = 0
if r6 > 3 goto +1
r7 = 8
r1 = 1
r1 += 2
r1 += 3
r1 += 4
r0 = 0
exit`),
  sf('prune-stack-slot', 'pruning compares stack slots', `
r6 = *(u32 *)(r1 + 0)
*(u64 *)(r10 - 8) = 0
if r6 > 3 goto +1
*(u64 *)(r10 - 8) = r6
r1 = 1
r1 += 1
r1 += 1
r0 = *(u64 *)(r10 - 8)
exit`),
  { name: 'prune-map-null', rule: 'two lookups, each null-checked, prune at the join', progType: 'socket_filter', maps: [HASH], asm: `${LOOKUP}
r6 = 0
if r0 == 0 goto +1
r6 = *(u64 *)(r0 + 0)
r1 = 1
r1 += 1
r1 += 1
r0 = r6
exit` },

  // --- bpf-to-bpf calls ---
  sf('call-8-frames', 'eight frames are allowed', callChain(8, () => 0)),
  sf('call-stack-512', 'a combined stack of exactly 512 bytes is allowed', callChain(2, (i) => (i === 0 ? 256 : 256))),
  sf('call-stack-528', 'combined stack over 512 bytes', callChain(2, (i) => (i === 0 ? 264 : 256))),
  sf('call-stack-three', 'three frames whose stacks add up past 512', callChain(3, () => 176)),
  sf('call-stack-round', 'each frame rounds up to 16 bytes', callChain(4, () => 136)),
  sf('call-recursive', 'a subprogram calling itself', 'call pc+2\nr0 = 0\nexit\ncall pc-1\nr0 = 0\nexit'),
  sf('call-main', 'a call back to insn 0', 'r0 = 0\nif r0 == 1 goto +2\ncall pc-3\nexit\nexit'),
  sf('call-out-of-range', 'a call past the end', 'call pc+5\nr0 = 0\nexit'),
  sf('call-into-lddw', 'a call into the middle of lddw', 'call pc+3\nr0 = 0\nexit\nr1 = 0 ll\nr0 = 0\nexit'),
  sf('call-fallthrough', 'a subprogram that falls into the next one', 'call pc+2\nr0 = 0\nexit\nr0 = 1\ncall pc+0\nr0 = 2\nexit'),
  sf('call-no-exit-sub', 'the last subprogram ends without exit', 'call pc+2\nr0 = 0\nexit\nr0 = 1\ngoto +0'),
  sf('call-jump-into-sub', 'a jump from main into a subprogram', 'r0 = 0\nif r0 == 0 goto +2\ncall pc+1\nexit\nr0 = 0\nexit'),
  sf('call-ret-no-r0', 'a subprogram must set r0', 'call pc+2\nr0 = 0\nexit\nexit'),
  sf('call-ret-scalar', 'the caller sees the callee\'s r0 bounds', 'call pc+4\nr0 &= 7\nr1 = r0\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\nexit'),
  sf('call-callee-args', 'r1-r5 are passed to the callee', 'r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\ncall pc+2\nr0 = 0\nexit\nr0 = r1\nr0 += r2\nr0 += r3\nr0 += r4\nr0 += r5\nexit'),
  sf('call-callee-r5-uninit', 'an argument the caller never set', 'r1 = 1\ncall pc+2\nr0 = 0\nexit\nr0 = r2\nexit'),
  sf('call-r6-preserved', 'r6-r9 survive a call', 'r6 = 7\ncall pc+3\nr0 = r6\nr0 &= 1\nexit\nr0 = 0\nexit'),
  sf('call-write-caller-stack', 'the callee writes the caller\'s stack through a pointer', 'r1 = r10\nr1 += -8\ncall pc+3\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit\n*(u64 *)(r1 + 0) = 5\nr0 = 0\nexit'),
  sf('call-caller-stack-oob', 'the callee accesses past the caller\'s stack', 'r1 = r10\nr1 += -8\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r1 + 8) = 5\nr0 = 0\nexit'),
  sf('call-pass-ctx', 'the ctx pointer passed to a subprogram', 'call pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\nexit'),
  sf('call-ret-ctx', 'a subprogram returning the ctx pointer', 'call pc+3\nr0 = *(u32 *)(r0 + 0)\nexit\nr0 = r1\nexit'),
  sf('call-helper-in-sub', 'a helper called from a subprogram', 'call pc+2\nr0 = 0\nexit\ncall 7\nexit'),
  { name: 'call-map-in-sub', rule: 'a map lookup inside a subprogram', progType: 'socket_filter', maps: [HASH], asm: `call pc+2\nr0 = 0\nexit${LOOKUP}if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit` },
  sf('call-two-sites', 'one subprogram called from two places', 'r1 = 1\ncall pc+4\nr1 = 2\ncall pc+2\nr0 = 0\nexit\nr0 = r1\nexit'),
  sf('call-ld-abs-sub', 'ld_abs in a subprogram', 'r6 = r1\ncall pc+2\nr0 = 0\nexit\nr6 = r1\nr0 = *(u8 *)skb[0]\nexit'),
  { name: 'call-ringbuf-leak-sub', rule: 'a reference leaked by a subprogram', progType: 'kprobe', maps: [RINGBUF], asm: `call pc+2\nr0 = 0\nexit\nld_pseudo r1, 5, 0\nr2 = 8\nr3 = 0\ncall 131\nr0 = 0\nexit` },

  // --- tail calls ---
  { name: 'tail-call-ok', rule: 'bpf_tail_call with a prog_array', progType: 'socket_filter', maps: [PROG_ARRAY], asm: 'ld_pseudo r2, 5, 0\nr3 = 0\ncall 12\nr0 = 0\nexit' },
  { name: 'tail-call-wrong-map', rule: 'bpf_tail_call needs a prog_array', progType: 'socket_filter', maps: [HASH], asm: 'ld_pseudo r2, 5, 0\nr3 = 0\ncall 12\nr0 = 0\nexit' },
  { name: 'tail-call-ctx', rule: 'bpf_tail_call needs the ctx', progType: 'socket_filter', maps: [PROG_ARRAY], asm: 'r1 = r10\nld_pseudo r2, 5, 0\nr3 = 0\ncall 12\nr0 = 0\nexit' },
  { name: 'tail-call-clobber', rule: 'r0-r5 are clobbered after a tail call', progType: 'socket_filter', maps: [PROG_ARRAY], asm: 'ld_pseudo r2, 5, 0\nr3 = 0\ncall 12\nr0 = r3\nexit' },
  { name: 'tail-call-var-index', rule: 'an unknown index is fine', progType: 'sched_cls', maps: [PROG_ARRAY], asm: 'r3 = *(u32 *)(r1 + 0)\nld_pseudo r2, 5, 0\ncall 12\nr0 = 0\nexit' },
  { name: 'tail-call-leak', rule: 'a tail call with a reference held', progType: 'kprobe', maps: [PROG_ARRAY, RINGBUF], asm: 'r6 = r1\nld_pseudo r1, 5, 1\nr2 = 8\nr3 = 0\ncall 131\nr7 = r0\nr1 = r6\nld_pseudo r2, 5, 0\nr3 = 0\ncall 12\nif r7 == 0 goto +3\nr1 = r7\nr2 = 0\ncall 133\nr0 = 0\nexit' },
  { name: 'tail-call-in-sub', rule: 'a tail call from a subprogram', progType: 'socket_filter', maps: [PROG_ARRAY], asm: 'call pc+2\nr0 = 0\nexit\nld_pseudo r2, 5, 0\nr3 = 0\ncall 12\nr0 = 0\nexit' },
  { name: 'prog-array-lookup', rule: 'prog_array cannot be looked up', progType: 'socket_filter', maps: [PROG_ARRAY], asm: `${LOOKUP}r0 = 0\nexit` },

  // --- read before write (check_reg_arg) ---
  sf('rbw-alu-src', 'ALU source not initialised', 'r0 = 0\nr0 += r3\nexit'),
  sf('rbw-alu-dst', 'ALU destination read before write', 'r4 += 1\nr0 = 0\nexit'),
  sf('rbw-alu32-dst', '32-bit ALU destination read before write', 'w4 += 1\nr0 = 0\nexit'),
  sf('rbw-neg', 'negating an unset register', 'r5 = -r5\nr0 = 0\nexit'),
  sf('rbw-endian', 'byte-swapping an unset register', 'r5 = be32 r5\nr0 = 0\nexit'),
  sf('rbw-store-src', 'storing an unset register', '*(u64 *)(r10 - 8) = r6\nr0 = 0\nexit'),
  sf('rbw-store-base', 'storing through an unset register', '*(u64 *)(r7 + 0) = 1\nr0 = 0\nexit'),
  sf('rbw-load-base', 'loading through an unset register', 'r0 = *(u64 *)(r8 + 0)\nexit'),
  sf('rbw-cond-dst', 'comparing an unset register', 'r0 = 0\nif r9 > 0 goto +0\nexit'),
  sf('rbw-cond-src', 'comparing against an unset register', 'r0 = 0\nif r0 > r9 goto +0\nexit'),
  sf('rbw-atomic', 'atomic add from an unset register', 'lock *(u64 *)(r10 - 8) += r3\nr0 = 0\nexit'),
  sf('rbw-mov-ok', 'a move defines its destination', 'r3 = 1\nr0 = r3\nexit'),
  sf('rbw-r11', 'register numbers past r10', 'r0 = 0\n.byte 0xbf, 0x0b, 0, 0, 0, 0, 0, 0\nexit'),
  sf('rbw-r10-src-ok', 'r10 is readable', 'r0 = r10\nr0 = 0\nexit'),
  sf('rbw-after-branch', 'initialised on one arm only', 'r2 = *(u32 *)(r1 + 0)\nif r2 > 3 goto +1\nr3 = 1\nr0 = r3\nexit'),
  sf('rbw-helper-arg-r2', 'a helper argument left unset', 'r1 = r10\nr1 += -8\ncall 16\nr0 = 0\nexit'),
];
