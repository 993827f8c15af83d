// Helpers and program contexts exercised through programs: map helpers, probe_read*, trace_printk, task/clock/PRNG, perf and ring buffers, skb/xdp/syscall ctx.
//
// Expected behaviour follows the kernel sources (kernel/bpf/helpers.c, kernel/trace/bpf_trace.c
// bpf_bprintf_prepare, kernel/bpf/ringbuf.c) and the seed checklist (XT-08, HLP-12).
import { describe, expect, it } from 'vitest';
import { parse } from '../asm';
import { makeInsn, type Insn } from '../isa';
import { HashMap, Kernel, PerfEventArrayMap, RingBufMap, formatTracePrintk } from '../kernel';
import { runProgram } from './index';

function asm(src: string): Insn[] {
  const r = parse(src, { syntax: 'llvm' });
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  return r.insns;
}

/** Stores a string on the stack at r10 - len (8-byte chunks) and leaves r1 = its address, r2 = its size. */
function stackString(s: string): Insn[] {
  const bytes = new TextEncoder().encode(s);
  const size = (bytes.length + 1 + 7) & ~7;
  const buf = new Uint8Array(size);
  buf.set(bytes);
  const out: Insn[] = [];
  for (let i = 0; i < size; i += 4) {
    out.push(makeInsn('stw', { dst: 10, off: -size + i, imm: new DataView(buf.buffer).getInt32(i, true) }));
  }
  out.push(makeInsn('mov64_reg', { dst: 1, src: 10 }), makeInsn('add64_imm', { dst: 1, imm: -size }), makeInsn('mov64_imm', { dst: 2, imm: bytes.length + 1 }));
  return out;
}

describe('trace_printk', () => {
  const printk = (fmt: string, args: number[] = []): { console: string; r0: bigint } => {
    const insns = [
      ...stackString(fmt),
      ...args.map((a, i) => makeInsn('mov64_imm', { dst: 3 + i, imm: a })),
      makeInsn('call', { imm: 6 }),
      makeInsn('exit'),
    ];
    const r = runProgram(insns);
    expect(r.fault).toBeUndefined();
    return { console: r.console, r0: r.r0 };
  };
  it('prints %d %u %x %ld with 32/64-bit argument widths and returns the length', () => {
    const r = printk('a=%d b=%u c=%lx\n', [-1, -1, -1]);
    expect(r.console).toBe('a=-1 b=4294967295 c=ffffffffffffffff\n');
    expect(r.r0).toBe(BigInt('a=-1 b=4294967295 c=ffffffffffffffff\n'.length));
  });
  it('accepts %% and width/flags; rejects %n, a 4th conversion and unknown specifiers with -EINVAL (XT-08)', () => {
    expect(printk('100%% %5d|%-3x|%03u\n', [42, 10, 7]).console).toBe('100%    42|a  |007\n');
    for (const bad of ['%n', '%d %d %d %d', '%q', '%']) {
      const r = printk(bad, [1, 2, 3]);
      expect(r.console, bad).toBe('');
      expect(r.r0, bad).toBe(BigInt.asUintN(64, -22n));
    }
  });
  it('formats %s from kernel memory, empty on a fault', () => {
    const k = new Kernel();
    const region = k.mapKernelMemory('comm', new TextEncoder().encode('kworker\0'));
    expect(formatTracePrintk(k, 'task %s.', [(BigInt(region.hi >>> 0) << 32n) | BigInt(region.lo)])).toBe('task kworker.');
    expect(formatTracePrintk(k, 'task %s.', [0x1234n])).toBe('task .');
  });
});

describe('map helpers from programs', () => {
  it('lookup returns a pointer into the value region; update/delete return kernel errno values', () => {
    const k = new Kernel();
    const m = k.createMap({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 8 }) as HashMap;
    const prog: Insn[] = [
      makeInsn('stw', { dst: 10, off: -4, imm: 5 }),
      makeInsn('stdw', { dst: 10, off: -16, imm: 40 }),
      makeInsn('lddw_map_fd', { dst: 1, imm: 0 }),
      ...asm(`
        r2 = r10
        r2 += -4
        r3 = r10
        r3 += -16
        r4 = 1
        call 2
        r6 = r0
        r2 = r10
        r2 += -4
      `),
      makeInsn('lddw_map_fd', { dst: 1, imm: 0 }),
      ...asm(`
        call 1
        if r0 == 0 goto miss
        r1 = 2
        lock *(u64 *)(r0 + 0) += r1
        r0 = *(u64 *)(r0 + 0)
        r0 += r6
        exit
      miss:
        r0 = 99
        exit
      `),
    ];
    const r = runProgram(prog, { kernel: k, maps: [m] });
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(42n);
    expect(m.get(Uint8Array.of(5, 0, 0, 0))![0]).toBe(42);
    const again = runProgram(prog, { kernel: k, maps: [m] });
    expect(again.r0).toBe(BigInt.asUintN(64, -17n + 44n));
  });
  it('a key pointer outside any region stops the run at the call', () => {
    const r = runProgram([
      makeInsn('lddw_map_fd', { dst: 1, imm: 0 }),
      makeInsn('mov64_imm', { dst: 2, imm: 16 }),
      makeInsn('call', { imm: 1 }),
      makeInsn('exit'),
    ], { maps: [{ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1 }] });
    expect(r.fault).toMatchObject({ code: 'mem_unmapped', pc: 3, size: 4 });
    expect(r.fault?.message).toContain('map_lookup_elem key');
  });
});

describe('probe_read_kernel / probe_read_kernel_str', () => {
  it('copies kernel memory; on a fault zeroes the destination and returns -EFAULT (HLP-12)', () => {
    const k = new Kernel();
    const obj = k.mapKernelMemory('task_struct', Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    const addr = (BigInt(obj.hi >>> 0) << 32n) | BigInt(obj.lo);
    const prog = (src: bigint, helper: number, size: number): Insn[] => [
      makeInsn('stdw', { dst: 10, off: -8, imm: -1 }),
      makeInsn('mov64_reg', { dst: 1, src: 10 }),
      makeInsn('add64_imm', { dst: 1, imm: -8 }),
      makeInsn('mov64_imm', { dst: 2, imm: size }),
      { ...makeInsn('lddw', { dst: 3, imm: Number(BigInt.asIntN(32, src)), imm2: Number(BigInt.asIntN(32, src >> 32n)) }) },
      makeInsn('call', { imm: helper }),
      makeInsn('ldxdw', { dst: 6, src: 10, off: -8 }),
      makeInsn('stxdw', { dst: 10, src: 0, off: -16 }),
      makeInsn('mov64_reg', { dst: 0, src: 6 }),
      makeInsn('exit'),
    ];
    expect(runProgram(prog(addr, 113, 8), { kernel: k }).r0).toBe(0x0807060504030201n);
    const bad = runProgram(prog(addr + 4n, 113, 8), { kernel: k });
    expect(bad.fault).toBeUndefined();
    expect(bad.r0).toBe(0n);
    const str = new Kernel();
    const s = str.mapKernelMemory('name', new TextEncoder().encode('eth0\0zzz'));
    const sAddr = (BigInt(s.hi >>> 0) << 32n) | BigInt(s.lo);
    expect(runProgram(prog(sAddr, 115, 8), { kernel: str }).r0).toBe(0xffffff0030687465n);
  });
});

describe('task, clock and PRNG', () => {
  const call = (id: number, opts = {}): bigint => runProgram([makeInsn('call', { imm: id }), makeInsn('exit')], opts).r0;
  it('get_current_pid_tgid / uid_gid follow the configured task', () => {
    expect(call(14, { kernelOptions: { task: { pid: 7, tgid: 5 } } })).toBe((5n << 32n) | 7n);
    expect(call(15, { kernelOptions: { task: { uid: 1000, gid: 100 } } })).toBe((100n << 32n) | 1000n);
  });
  it('get_prandom_u32 is deterministic per seed; ktime_get_ns advances', () => {
    expect(call(7, { seed: 1 })).toBe(call(7, { seed: 1 }));
    expect(call(7, { seed: 1 })).not.toBe(call(7, { seed: 2 }));
    const r = runProgram(asm('call 5\nr6 = r0\ncall 5\nr0 -= r6\nexit'));
    expect(r.r0).toBe(1000n);
  });
  it('get_current_comm writes a NUL-padded name', () => {
    const r = runProgram(asm(`
      r1 = r10
      r1 += -16
      r2 = 16
      call 16
      r0 = *(u64 *)(r10 - 16)
      exit
    `), { kernelOptions: { task: { comm: 'curl' } } });
    expect(r.r0).toBe(0x6c727563n);
  });
});

describe('perf and ring buffers', () => {
  it('perf_event_output with BPF_F_CURRENT_CPU records the data for the current CPU', () => {
    const k = new Kernel({ cpu: 1 });
    const perf = k.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 2 }) as PerfEventArrayMap;
    const r = runProgram([
      makeInsn('stdw', { dst: 10, off: -8, imm: 0x11223344 }),
      makeInsn('lddw_map_fd', { dst: 2, imm: 0 }),
      makeInsn('lddw', { dst: 3, imm: -1, imm2: 0 }),
      makeInsn('mov64_reg', { dst: 4, src: 10 }),
      makeInsn('add64_imm', { dst: 4, imm: -8 }),
      makeInsn('mov64_imm', { dst: 5, imm: 4 }),
      makeInsn('call', { imm: 25 }),
      makeInsn('exit'),
    ], { kernel: k, maps: [perf] });
    expect(r.r0).toBe(0n);
    expect(perf.records).toEqual([{ cpu: 1, data: Uint8Array.of(0x44, 0x33, 0x22, 0x11) }]);
  });
  it('ringbuf_reserve hands out a bounded record; writing past it faults; submit publishes it', () => {
    const k = new Kernel();
    const rb = k.createMap({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
    const prog = (off: number): Insn[] => [
      makeInsn('lddw_map_fd', { dst: 1, imm: 0 }),
      makeInsn('mov64_imm', { dst: 2, imm: 12 }),
      makeInsn('mov64_imm', { dst: 3, imm: 0 }),
      makeInsn('call', { imm: 131 }),
      makeInsn('jeq_imm', { dst: 0, imm: 0, off: 4 }),
      makeInsn('stw', { dst: 0, off, imm: 0x55 }),
      makeInsn('mov64_reg', { dst: 1, src: 0 }),
      makeInsn('mov64_imm', { dst: 2, imm: 0 }),
      makeInsn('call', { imm: 132 }),
      makeInsn('exit'),
    ];
    expect(runProgram(prog(8), { kernel: k, maps: [rb] }).fault).toBeUndefined();
    expect([...rb.records()[0]]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0x55, 0, 0, 0]);
    expect(runProgram(prog(12), { kernel: k, maps: [rb] }).fault).toMatchObject({ code: 'mem_out_of_bounds', region: 'ringbuf record' });
  });
});

describe('program contexts', () => {
  it('xdp: data/data_end loads give packet pointers; bounds-checked packet access', () => {
    const r = runProgram(asm(`
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u32 *)(r1 + 4)
      r0 = r3
      r0 -= r2
      r4 = *(u8 *)(r2 + 1)
      r0 <<= 8
      r0 |= r4
      exit
    `), { type: 'xdp', packet: Uint8Array.of(9, 8, 7) });
    expect(r.r0).toBe((3n << 8n) | 8n);
    const over = runProgram(asm('r2 = *(u32 *)(r1 + 0)\nr0 = *(u32 *)(r2 + 1)\nexit'), { type: 'xdp', packet: Uint8Array.of(9, 8, 7) });
    expect(over.fault).toMatchObject({ code: 'mem_out_of_bounds', region: 'packet' });
  });
  it('__sk_buff carries len and protocol; syscall ctx writes come back in ctxOut', () => {
    const pkt = new Uint8Array(20);
    pkt[12] = 0x08;
    const r = runProgram(asm('r0 = *(u32 *)(r1 + 0)\nr2 = *(u32 *)(r1 + 16)\nr0 <<= 16\nr0 |= r2\nexit'), { type: 'sched_cls', packet: pkt });
    expect(r.r0).toBe((20n << 16n) | 0x08n);
    const s = runProgram(asm('r2 = 77\n*(u64 *)(r1 + 8) = r2\nr0 = 0\nexit'), { type: 'syscall', ctx: new Uint8Array(16) });
    expect(s.ctxOut![8]).toBe(77);
  });
  it('skb_load_bytes copies packet bytes, -EFAULT past the end', () => {
    const prog = (off: number): Insn[] => [
      makeInsn('mov64_imm', { dst: 2, imm: off }),
      makeInsn('mov64_reg', { dst: 3, src: 10 }),
      makeInsn('add64_imm', { dst: 3, imm: -8 }),
      makeInsn('mov64_imm', { dst: 4, imm: 4 }),
      makeInsn('call', { imm: 26 }),
      makeInsn('ldxw', { dst: 6, src: 10, off: -8 }),
      makeInsn('lsh64_imm', { dst: 0, imm: 32 }),
      makeInsn('or64_reg', { dst: 0, src: 6 }),
      makeInsn('exit'),
    ];
    const packet = Uint8Array.of(1, 2, 3, 4, 5, 6);
    expect(runProgram(prog(2), { type: 'sched_cls', packet }).r0).toBe(0x06050403n);
    expect(runProgram(prog(3), { type: 'sched_cls', packet }).r0).toBe(BigInt.asUintN(64, -14n << 32n));
  });
});

describe('helpers outside the simulation', () => {
  it('a real helper that is not simulated and a non-existent id are different faults', () => {
    expect(runProgram([makeInsn('call', { imm: 9 }), makeInsn('exit')]).fault).toMatchObject({ code: 'helper_not_simulated', pc: 0 });
    expect(runProgram([makeInsn('call', { imm: 100000 }), makeInsn('exit')]).fault?.message).toContain('invalid func unknown#100000');
  });
  it('a kernel can define its own helpers (ids not fixed upstream, like the seeds\' finalize_context)', () => {
    const k = new Kernel();
    k.defineHelper({ id: 212, name: 'finalize_context', fn: ({ args }) => args[0] + 1n });
    expect(runProgram([makeInsn('mov64_imm', { dst: 1, imm: 41 }), makeInsn('call', { imm: 212 }), makeInsn('exit')], { kernel: k }).r0).toBe(42n);
  });
});
