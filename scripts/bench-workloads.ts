// The interpreter benchmark's workloads: eBPF programs doing real work, written so that the running kernel's verifier accepts them too.
//
// Every workload is a sched_cls (tc) program, because BPF_PROG_TEST_RUN supports `repeat` and
// reports a duration for skb programs (syscall programs support neither). Loop counts are chosen
// so that the verifier, which walks every iteration of a constant-bounded loop, stays well below
// its limit of one million processed instructions. The same instructions run in our interpreter,
// in the kernel (JIT, and its interpreter where the JIT can be turned off) and, where the opcodes
// allow, in a minimal C switch interpreter.
import { parse } from '../engine/asm';
import { makeInsn, type Insn } from '../engine/isa';

function asm(src: string): Insn[] {
  const r = parse(src, { syntax: 'llvm' });
  if (r.diagnostics.length) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.insns;
}

export interface Workload {
  readonly name: string;
  readonly insns: Insn[];
  /** The packet test_run passes (and our interpreter's skb data). */
  readonly packet: Uint8Array;
  /** An array map the program looks up with key 0 (its lddw map_fd uses `mapFd`). */
  readonly arrayMap?: { readonly valueSize: number };
  /** Only stack and registers, and opcodes the C reference interpreter knows: it can run there too. */
  readonly cPeer: boolean;
}

/** 1 KiB of packet bytes (a 14-byte Ethernet header is all test_run requires). */
const KIB = new Uint8Array(1024).map((_, i) => (i * 131 + 7) & 0xff);
const SMALL_PACKET = new Uint8Array(64).map((_, i) => i);

/** The workloads; `mapFd` is the fd lddw map_fd uses (the kernel's map fd when one was created). */
export function workloads(mapFd = 0): Workload[] {
  return [
    {
      name: 'FNV-1a 64 over 1 KiB packet (x16 passes)',
      packet: KIB,
      cPeer: false,
      insns: asm(`
        r2 = *(u32 *)(r1 + 80)
        r1 = *(u32 *)(r1 + 76)
        r9 = 16
      outer:
        r0 = 0xcbf29ce484222325 ll
        r3 = 0x100000001b3 ll
        r5 = r1
        r5 += 1024
        if r5 > r2 goto next
        r4 = r1
        r7 = 1024
      loop:
        r6 = *(u8 *)(r4 + 0)
        r0 ^= r6
        r0 *= r3
        r4 += 1
        r7 += -1
        if r7 != 0 goto loop
      next:
        r9 += -1
        if r9 != 0 goto outer
        exit
      `),
    },
    {
      name: '64-bit mul/div/mod loop',
      packet: SMALL_PACKET,
      cPeer: true,
      insns: asm(`
        r0 = 1
        r6 = 40000
        r7 = 0x9e3779b97f4a7c15 ll
      loop:
        r0 *= r7
        r8 = r0
        r8 /= 1000003
        r9 = r0
        r9 %= 65521
        r0 += r8
        r0 ^= r9
        r6 += -1
        if r6 != 0 goto loop
        exit
      `),
    },
    {
      name: 'stack memory (load/add/store 4 slots)',
      packet: SMALL_PACKET,
      cPeer: true,
      insns: asm(`
        r1 = 0
        *(u64 *)(r10 - 8) = r1
        *(u64 *)(r10 - 16) = r1
        *(u64 *)(r10 - 24) = r1
        *(u32 *)(r10 - 28) = r1
        r6 = 30000
      loop:
        r1 = *(u64 *)(r10 - 8)
        r1 += r6
        *(u64 *)(r10 - 8) = r1
        r2 = *(u64 *)(r10 - 16)
        r2 ^= r1
        *(u64 *)(r10 - 16) = r2
        r3 = *(u32 *)(r10 - 28)
        r3 += 3
        *(u32 *)(r10 - 28) = r3
        r6 += -1
        if r6 != 0 goto loop
        r0 = *(u64 *)(r10 - 16)
        exit
      `),
    },
    {
      name: 'map value memory (array value, 64 B)',
      packet: SMALL_PACKET,
      arrayMap: { valueSize: 64 },
      cPeer: false,
      insns: [
        makeInsn('stw', { dst: 10, off: -4, imm: 0 }),
        makeInsn('lddw_map_fd', { dst: 1, imm: mapFd }),
        ...asm(`
        r2 = r10
        r2 += -4
        call 1
        if r0 == 0 goto out
        r6 = 30000
      loop:
        r1 = *(u64 *)(r0 + 0)
        r1 += r6
        *(u64 *)(r0 + 0) = r1
        r2 = *(u64 *)(r0 + 56)
        r2 ^= r1
        *(u64 *)(r0 + 56) = r2
        r3 = *(u32 *)(r0 + 20)
        r3 += 1
        *(u32 *)(r0 + 20) = r3
        r6 += -1
        if r6 != 0 goto loop
        r0 = *(u64 *)(r0 + 56)
      out:
        exit
      `)],
    },
    {
      name: 'branchy (Collatz steps for 1..600)',
      packet: SMALL_PACKET,
      cPeer: true,
      insns: asm(`
        r0 = 0
        r6 = 600
      next:
        r1 = r6
      step:
        if r1 == 1 goto done
        r0 += 1
        r2 = r1
        r2 &= 1
        if r2 != 0 goto odd
        r1 >>= 1
        goto step
      odd:
        r1 *= 3
        r1 += 1
        goto step
      done:
        r6 += -1
        if r6 s> 0 goto next
        exit
      `),
    },
  ];
}
