// Seed 004's kprobe invocation path through programs: trace_call_bpf's NMI bypass, the per-CPU
// bpf_prog_active recursion guard (a kprobe program that triggers itself is not re-entered) and the
// 0 / 1 / other return values (KP-02, KP-03, KP-09, KT-01, KT-02). Expectations cite [S4:Lnn]; the
// running kernel cannot be made to nest a program deterministically from a test, so there is no oracle.
import { describe, expect, it } from 'vitest';
import { parse } from '../asm';
import { runProgram } from '../interp';
import { makeInsn, type Insn } from '../isa';
import { ArrayMap, Kernel, regsForCall, type BpfMap } from './index';

function asm(src: string): Insn[] {
  const r = parse(src, { syntax: 'llvm' });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return r.insns;
}

/**
 * counts[0] += 1 (runs), then map_update_elem(counts, 1, di): the helper is the kernel function the
 * program is attached to, so the update re-triggers the kprobe. Returns `ret`.
 */
const SELF_TRIGGER = (ret: number): Insn[] => [
  makeInsn('lddw_map_idx', { dst: 6, imm: 0, imm2: 0 }),
  ...asm(`
  r7 = *(u64 *)(r1 + 112)
  *(u32 *)(r10 - 4) = 0
  r1 = r6
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto out
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  *(u32 *)(r10 - 4) = 1
  *(u64 *)(r10 - 16) = r7
  r1 = r6
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call 2
out:
  r0 = ${ret}
  exit
`),
];

function setup(ret = 1, symbol = 'bpf_map_update_elem') {
  const k = new Kernel({ nCpus: 2 });
  const counts = k.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 2, name: 'counts' }) as ArrayMap;
  const insns = SELF_TRIGGER(ret);
  const maps: BpfMap[] = [counts];
  k.kprobes.runner = (_a, regs) => runProgram(insns, { type: 'kprobe', kernel: k, maps, ctx: regs }).r0;
  k.kprobes.attach(symbol, insns, 'self_trigger');
  const count = (i: number): bigint => new DataView(counts.get(Uint8Array.of(i, 0, 0, 0))!.buffer).getBigUint64(0, true);
  /** The kernel reaches the probed function with di = `di`: the kprobe fires. */
  const fire = (di: bigint): void => k.kprobes.fire(symbol, [di]);
  return { k, counts, count, fire, insns, maps };
}

describe('trace_call_bpf recursion guard [S4:L92-L101, L107-L108]', () => {
  it('a kprobe program that triggers itself is not re-entered: the nested event is dropped with 0', () => {
    const { k, count, fire } = setup();
    fire(0x1234n);
    expect(count(0)).toBe(1n); // the program ran once
    expect(count(1)).toBe(0x1234n); // its map_update_elem happened (the nested kprobe did not run)
    expect(k.kprobes.events.map((e) => [e.outcome, e.ret, e.depth])).toEqual([['recursion_drop', 0n, 2], ['stored', 1n, 1]]);
    expect(k.kprobes.stats).toEqual({ runs: 1, stored: 1, filtered: 0, recursionDrops: 1, nmiBypass: 0 });
    expect(k.kprobes.active).toEqual([0, 0]); // decremented on both paths
    fire(0x99n);
    expect(count(0)).toBe(2n);
    expect(k.kprobes.stats.recursionDrops).toBe(2);
  });

  it('the guard is per CPU: another CPU\'s active program does not stop this one', () => {
    const { k, count, fire } = setup();
    k.kprobes.active[0] = 1; // a BPF program is running on CPU 0
    k.cpu = 1;
    fire(5n);
    expect(count(0)).toBe(1n);
    expect(k.kprobes.active).toEqual([1, 0]);
    k.cpu = 0;
    fire(6n);
    expect(count(0)).toBe(1n); // CPU 0: dropped at depth 2
    expect(k.kprobes.events.at(-1)).toMatchObject({ outcome: 'recursion_drop', cpu: 0, depth: 2 });
  });

  it('only trace_call_bpf counts: a program run another way (a syscall program) does not hold the guard', () => {
    const { k, count, maps } = setup();
    // A syscall program calls map_update_elem: the kprobe fires and its program runs (once: the guard stops the nested one).
    const prog = [makeInsn('lddw_map_idx', { dst: 1, imm: 0, imm2: 0 }), ...asm(`
      *(u32 *)(r10 - 4) = 1
      *(u64 *)(r10 - 16) = 3
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -16
      r4 = 0
      call 2
      exit
    `)];
    const r = runProgram(prog, { type: 'syscall', kernel: k, maps });
    expect(r.fault).toBeUndefined();
    expect(count(0)).toBe(1n);
    expect(count(1)).toBe(3n); // the kprobe fires at the helper's entry; the syscall program's update lands last
    expect(k.kprobes.stats).toMatchObject({ runs: 1, recursionDrops: 1 });
  });
});

describe('NMI bypass and return values (KP-02 step 1, KP-03)', () => {
  it('in NMI the program does not run and the event is stored (1)', () => {
    const { k, count, fire } = setup();
    k.kprobes.inNmi = true;
    fire(1n);
    expect(count(0)).toBe(0n);
    expect(k.kprobes.events).toMatchObject([{ outcome: 'nmi_bypass', ret: 1n }]);
    expect(k.kprobes.active).toEqual([0, 0]);
  });

  it('0 filters the event out; 1 and every other value store it (KT-01)', () => {
    for (const [ret, outcome] of [[0, 'filtered'], [1, 'stored'], [7, 'stored']] as const) {
      const { k, fire } = setup(ret);
      fire(1n);
      expect(k.kprobes.events.at(-1), String(ret)).toMatchObject({ outcome, ret: BigInt(ret), depth: 1 });
    }
  });

  it('regsForCall puts the arguments in di, si, dx, cx, r8, r9 and the symbol in ip', () => {
    const v = new DataView(regsForCall('bpf_map_update_elem', [1n, 2n, 3n, 4n, 5n, 6n]).buffer);
    expect([112, 104, 96, 88, 72, 64].map((o) => v.getBigUint64(o, true))).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(v.getBigUint64(128, true) >> 32n).toBe(0xffffffffn);
  });
});
