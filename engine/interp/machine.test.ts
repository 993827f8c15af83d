// Control flow (calls, frames, tail calls, bpf_loop, may_goto, ld_abs), faults, budget/cancel and the debug hooks of the Machine.
//
// Expectations follow the kernel's interpreter (kernel/bpf/core.c) and helpers (kernel/bpf/helpers.c,
// bpf_loop in kernel/bpf/bpf_iter.c); where noted, they were confirmed with BPF_PROG_TEST_RUN on Linux 6.18.
import { describe, expect, it } from 'vitest';
import { parse } from '../asm';
import { makeInsn, type Insn } from '../isa';
import { Kernel, ProgArrayMap, setupContext, type BpfMap } from '../kernel';
import { loadProgram, Machine, prepareRun, runProgram, BPF_MAX_LOOPS } from './index';

function asm(src: string): Insn[] {
  const r = parse(src, { syntax: 'llvm' });
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  return r.insns;
}

describe('bpf-to-bpf calls', () => {
  it('restores r6-r9 and r10, gives the callee its own stack, returns r0', () => {
    const r = runProgram(asm(`
      r6 = 11
      r9 = 99
      *(u64 *)(r10 - 8) = r6
      r1 = 5
      call pc+4
      r0 += r6
      r1 = *(u64 *)(r10 - 8)
      r0 += r1
      exit
      r6 = 1000
      r9 = 7
      *(u64 *)(r10 - 8) = r9
      r0 = r1
      r0 *= 100
      exit
    `));
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(500n + 11n + 11n);
  });

  it('stops with call_depth past 8 frames (unbounded recursion)', () => {
    const r = runProgram(asm(`
      call pc+1
      exit
      call pc-1
      exit
    `));
    expect(r.fault?.code).toBe('call_depth');
    expect(r.fault?.pc).toBe(2);
  });

  it('callx jumps to a function address loaded with lddw func', () => {
    const insns = [
      makeInsn('lddw_func', { dst: 2, imm: 3 }),
      makeInsn('callx', { dst: 2 }),
      makeInsn('exit'),
      makeInsn('mov64_imm', { dst: 0, imm: 1 }),
      makeInsn('mov64_imm', { dst: 0, imm: 42 }),
      makeInsn('exit'),
    ];
    // slot of insn 3 is 4 (lddw takes 2 slots): lddw_func imm is relative to the next slot (2), so +3 -> slot 5 = "r0 = 42".
    const r = runProgram(insns);
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(42n);
  });
});

describe('tail calls', () => {
  it('replaces the program, keeps the stack, and stops after 33 tail calls (MAX_TAIL_CALL_CNT)', () => {
    const k = new Kernel();
    const progs = k.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 }) as ProgArrayMap;
    const counter = k.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 }) as BpfMap;
    // Each run adds 1 to counter[0] through a lookup, then tail-calls itself through slot 0.
    const body = [
      makeInsn('mov64_reg', { dst: 6, src: 1 }),
      makeInsn('stw', { dst: 10, off: -4, imm: 0 }),
      makeInsn('lddw_map_fd', { dst: 1, imm: 1 }),
      makeInsn('mov64_reg', { dst: 2, src: 10 }),
      makeInsn('add64_imm', { dst: 2, imm: -4 }),
      makeInsn('call', { imm: 1 }),
      makeInsn('jeq_imm', { dst: 0, imm: 0, off: 2 }),
      makeInsn('mov64_imm', { dst: 1, imm: 1 }),
      makeInsn('atomic64_add', { dst: 0, src: 1, off: 0 }),
      makeInsn('mov64_reg', { dst: 1, src: 6 }),
      makeInsn('lddw_map_fd', { dst: 2, imm: 0 }),
      makeInsn('mov64_imm', { dst: 3, imm: 0 }),
      makeInsn('call', { imm: 12 }),
      makeInsn('mov64_imm', { dst: 0, imm: 7 }),
      makeInsn('exit'),
    ];
    const fds = new Map<number, BpfMap>([[0, progs], [1, counter]]);
    const prog = loadProgram(k, body, { type: 'syscall', mapsByFd: fds });
    progs.setProgram(0, prog, 'syscall');
    const m = new Machine(k, prog, setupContext(k, { type: 'syscall', ctx: new Uint8Array(8) }));
    expect(m.run()).toBe('exit');
    expect(m.reg(0)).toBe(7n);
    expect(m.tailCalls).toBe(33);
    expect(new DataView(counter.get(new Uint8Array(4))!.buffer).getBigUint64(0, true)).toBe(34n);
  });

  it('falls through when the index is out of range or the slot is empty', () => {
    const k = new Kernel();
    const progs = k.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 2 }) as ProgArrayMap;
    const r = runProgram([
      makeInsn('lddw_map_fd', { dst: 2, imm: 0 }),
      makeInsn('mov64_imm', { dst: 3, imm: 5 }),
      makeInsn('call', { imm: 12 }),
      makeInsn('lddw_map_fd', { dst: 2, imm: 0 }),
      makeInsn('mov64_imm', { dst: 3, imm: 1 }),
      makeInsn('call', { imm: 12 }),
      makeInsn('mov64_imm', { dst: 0, imm: 3 }),
      makeInsn('exit'),
    ], { kernel: k, maps: [progs] });
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(3n);
  });
});

describe('bpf_loop (helper 181)', () => {
  const loopProg = (n: number, stopAt: number): Insn[] => [
    makeInsn('mov64_imm', { dst: 1, imm: n }),
    makeInsn('lddw_func', { dst: 2, imm: 6 }),
    makeInsn('mov64_imm', { dst: 3, imm: stopAt }),
    makeInsn('mov64_imm', { dst: 4, imm: 0 }),
    makeInsn('mov64_imm', { dst: 6, imm: 0 }),
    makeInsn('call', { imm: 181 }),
    makeInsn('exit'),
    // callback(i = r1, ctx = r2): return 1 (stop) when i == ctx
    makeInsn('mov64_imm', { dst: 0, imm: 0 }),
    makeInsn('jne_reg', { dst: 1, src: 2, off: 1 }),
    makeInsn('mov64_imm', { dst: 0, imm: 1 }),
    makeInsn('exit'),
  ];
  it('returns the number of iterations; a callback returning 1 stops after that iteration', () => {
    expect(runProgram(loopProg(10, 100)).r0).toBe(10n);
    expect(runProgram(loopProg(10, 3)).r0).toBe(4n);
    expect(runProgram(loopProg(0, 3)).r0).toBe(0n);
  });
  it('rejects more than 1 << 23 iterations with -E2BIG', () => {
    expect(runProgram(loopProg((1 << 23) + 1, 3)).r0).toBe(BigInt.asUintN(64, -7n));
  });
});

describe('may_goto', () => {
  it('falls through BPF_MAX_LOOPS times per frame, then jumps', () => {
    const r = runProgram(asm(`
      r0 = 0
      may_goto +2
      r0 += 1
      goto -3
      exit
    `));
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(BigInt(BPF_MAX_LOOPS));
  });
});

describe('legacy packet loads', () => {
  const packet = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0xaa]);
  // sched_cls sees the frame from the MAC header; a socket filter from the network header (ctx-kernel.test.ts).
  it('load big-endian bytes, halves and words at constant and register offsets', () => {
    const r = runProgram(asm(`
      r6 = r1
      r0 = *(u16 *)skb[12]
      r7 = r0
      r0 = *(u32 *)skb[12]
      r7 += r0
      r8 = 2
      r0 = *(u8 *)skb[r8 + 13]
      r0 += r7
      exit
    `), { type: 'sched_cls', packet });
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(0x0800n + 0x080045aan + 0xaan);
  });
  it('end the program with r0 = 0 when out of bounds', () => {
    const r = runProgram(asm(`
      r6 = r1
      r0 = *(u32 *)skb[14]
      r0 = 5
      exit
    `), { type: 'sched_cls', packet });
    expect(r.stop).toBe('exit');
    expect(r.r0).toBe(0n);
    expect(r.executed).toBe(2);
  });
});

describe('faults stop the run with the address, size and region', () => {
  it('reading just past the stack top', () => {
    const r = runProgram(asm('r0 = *(u64 *)(r10 + 0)\nexit'));
    expect(r.fault).toMatchObject({ code: 'mem_out_of_bounds', pc: 0, size: 8, region: 'stack frame 0' });
    expect(r.fault?.message).toContain('0 bytes past the end of stack frame 0');
  });
  it('an 8-byte read that straddles the end of the stack', () => {
    const r = runProgram(asm('r0 = *(u64 *)(r10 - 4)\nexit'));
    expect(r.fault).toMatchObject({ code: 'mem_out_of_bounds', region: 'stack frame 0' });
  });
  it('writing a read-only ctx (kprobe pt_regs)', () => {
    const r = runProgram(asm('*(u64 *)(r1 + 8) = r1\nexit'), { type: 'kprobe' });
    expect(r.fault).toMatchObject({ code: 'mem_read_only', region: 'ctx (struct pt_regs)' });
  });
  it('crossing from one array-map value into the next', () => {
    const r = runProgram([
      makeInsn('lddw_map_value', { dst: 1, imm: 0, imm2: 0 }),
      makeInsn('ldxdw', { dst: 0, src: 1, off: 2 }),
      makeInsn('exit'),
    ], { maps: [{ type: 'array', keySize: 4, valueSize: 6, maxEntries: 4 }] });
    expect(r.fault?.code).toBe('mem_out_of_bounds');
    expect(r.fault?.message).toContain('element 0');
  });
  it('unknown helper ids, bad jumps, running off the end, invalid bytes', () => {
    expect(runProgram([makeInsn('call', { imm: 9999 }), makeInsn('exit')]).fault?.code).toBe('unknown_helper');
    expect(runProgram([makeInsn('ja', { off: 5 }), makeInsn('exit')]).fault).toMatchObject({ code: 'bad_jump', pc: 0 });
    expect(runProgram([makeInsn('mov64_imm', { dst: 0, imm: 1 })]).fault?.code).toBe('pc_out_of_range');
    const invalid: Insn = { ...makeInsn('exit'), form: { ...makeInsn('exit').form, kind: 'invalid', id: 'invalid' }, code: 0xff };
    expect(runProgram([invalid]).fault?.code).toBe('invalid_insn');
  });
  it('memory stays untouched by a faulting store', () => {
    const mem = new Uint8Array(8).fill(0x55);
    const r = runProgram(asm('*(u64 *)(r1 + 4) = r1\nexit'), { mem });
    expect(r.fault?.code).toBe('mem_out_of_bounds');
    expect([...r.memOut!]).toEqual([...mem]);
  });
});

describe('budget, cancel and stepping', () => {
  const spin = asm('r0 += 1\ngoto -2\nexit');
  it('stops an endless loop at the instruction budget', () => {
    const r = runProgram(spin, { budget: 1000 });
    expect(r.fault?.code).toBe('budget_exhausted');
    expect(r.executed).toBe(1000);
    expect(r.r0).toBe(500n);
  });
  it('cancel() from a step listener stops the run', () => {
    const p = prepareRun(spin);
    if (!('machine' in p)) throw new Error(p.message);
    let n = 0;
    p.machine.onStep(() => {
      if (++n === 10) p.machine.cancel();
    });
    expect(p.machine.run()).toBe('cancelled');
    expect(p.machine.executed).toBe(10);
  });
  it('a shared cancel signal stops a long run', () => {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const p = prepareRun(spin, { cancelSignal: signal });
    if (!('machine' in p)) throw new Error(p.message);
    Atomics.store(signal, 0, 1);
    expect(p.machine.run()).toBe('cancelled');
  });
  it('step() runs exactly one instruction; breakpoints stop before their instruction and resume', () => {
    const p = prepareRun(asm('r0 = 1\nr0 += 2\nr0 *= 5\nexit'));
    if (!('machine' in p)) throw new Error(p.message);
    const m = p.machine;
    expect(m.step()).toBe('steps');
    expect(m.pc).toBe(1);
    expect(m.reg(0)).toBe(1n);
    m.setBreakpoint(2);
    expect(m.run()).toBe('breakpoint');
    expect(m.pc).toBe(2);
    expect(m.reg(0)).toBe(3n);
    expect(m.run()).toBe('exit');
    expect(m.reg(0)).toBe(15n);
  });
  it('records register and memory changes per step and steps back', () => {
    const p = prepareRun(asm('r1 = 7\n*(u64 *)(r10 - 8) = r1\nr1 = 9\nexit'));
    if (!('machine' in p)) throw new Error(p.message);
    const m = p.machine;
    m.historyLimit = 100;
    const recs: Array<{ pc: number; mem: number }> = [];
    m.onStep((rec) => recs.push({ pc: rec.pc, mem: rec.mem.length }));
    expect(m.run()).toBe('exit');
    expect(recs).toEqual([{ pc: 0, mem: 0 }, { pc: 1, mem: 1 }, { pc: 2, mem: 0 }, { pc: 3, mem: 0 }]);
    const fp = m.reg(10);
    expect(m.readMemory(fp - 8n, 8)![0]).toBe(7);
    expect(m.stepBack()).toBe(true); // exit
    expect(m.stepBack()).toBe(true); // r1 = 9
    expect(m.reg(1)).toBe(7n);
    expect(m.stepBack()).toBe(true); // the store
    expect(m.readMemory(fp - 8n, 8)![0]).toBe(0);
    expect(m.pc).toBe(1);
    expect(m.run()).toBe('exit');
    expect(m.reg(1)).toBe(9n);
  });
  it('steps back over helper calls: map updates, trace_printk output and the clock are undone', () => {
    const k = new Kernel();
    const m0 = k.createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 4 }) as BpfMap;
    const insns: Insn[] = [
      makeInsn('stw', { dst: 10, off: -4, imm: 1 }),
      makeInsn('stw', { dst: 10, off: -8, imm: 0x2a }),
      makeInsn('lddw_map_fd', { dst: 1, imm: 0 }),
      makeInsn('mov64_reg', { dst: 2, src: 10 }),
      makeInsn('add64_imm', { dst: 2, imm: -4 }),
      makeInsn('mov64_reg', { dst: 3, src: 10 }),
      makeInsn('add64_imm', { dst: 3, imm: -8 }),
      makeInsn('mov64_imm', { dst: 4, imm: 0 }),
      makeInsn('call', { imm: 2 }),
      makeInsn('call', { imm: 5 }),
      makeInsn('exit'),
    ];
    const p = prepareRun(insns, { kernel: k, maps: [m0] });
    if (!('machine' in p)) throw new Error(p.message);
    const m = p.machine;
    m.historyLimit = 50;
    expect(m.run()).toBe('exit');
    const key = Uint8Array.of(1, 0, 0, 0);
    expect(m0.get(key)![0]).toBe(0x2a);
    const clock = k.clockNs;
    expect(m.stepBack()).toBe(true); // exit
    expect(m.stepBack()).toBe(true); // ktime_get_ns
    expect(k.clockNs).toBe(clock - k.clockStepNs);
    expect(m.stepBack()).toBe(true); // map_update_elem
    expect(m0.get(key)).toBeUndefined();
    expect(m.run()).toBe('exit');
    expect(m0.get(key)![0]).toBe(0x2a);
  });
});

describe('runProgram on a shared kernel', () => {
  it('gives back its stacks and context regions, so one kernel serves any number of runs', () => {
    const k = new Kernel();
    const insns = asm('r0 = *(u8 *)(r1 + 0)\n*(u64 *)(r10 - 8) = r0\nexit');
    for (let i = 0; i < 70_000; i++) {
      const r = runProgram(insns, { kernel: k, type: 'socket_filter', packet: new Uint8Array(64).fill(i & 0xff) });
      if (r.stop !== 'exit') throw new Error(`run ${i}: ${r.stop} ${r.fault?.message}`);
    }
    expect(runProgram(insns, { kernel: k, mem: Uint8Array.of(42) }).r0).toBe(42n);
  });
});
