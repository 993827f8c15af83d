// Seed 002 (DTrace RFC) through programs: cross-type tail calls kprobe -> dtrace with convert_ctx
// (TC-02..TC-07), bpf_finalize_context (TC-10) and writable buffers (WB-01..WB-07). There is no
// kernel oracle (the RFC was never merged), so the expectations cite the seed text [S2:Lnn].
import { describe, expect, it } from 'vitest';
import { parse } from '../asm';
import { loadProgram, runProgram, type Program } from '../interp';
import { jumpTarget, makeInsn, type Insn } from '../isa';
import { ArrayMap, DTRACE_CTX, tailCallFixup, DTRACE_MAX_RESERVE, DTRACE_PROG_TYPE_ID, Kernel, ProgArrayMap, registerDtrace, type BpfMap } from './index';

function asm(src: string): Insn[] {
  const r = parse(src, { syntax: 'llvm' });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return r.insns;
}

/** lddw rN = map at index i of the run's maps, then the assembly. */
const withMaps = (loads: Array<[reg: number, index: number]>, src: string): Insn[] =>
  [...loads.map(([dst, imm]) => makeInsn('lddw_map_idx', { dst, imm, imm2: 0 })), ...asm(src)];

const DI = 0xffff888200001234n;

function regs(di: bigint): Uint8Array {
  const b = new Uint8Array(168);
  new DataView(b.buffer).setBigUint64(112, di, true);
  new DataView(b.buffer).setBigUint64(128, 0xffffffff81234560n, true);
  return b;
}

/** The seed's flow: the kprobe program stores the probe id for this CPU, then tail-calls prog_array[index]. */
const KPROBE_SRC = (probeId: number, index: number): string => `
  r8 = r1
  *(u32 *)(r10 - 4) = 0
  *(u64 *)(r10 - 16) = ${probeId}
  r1 = r6
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call 2
  r1 = r8
  r2 = r7
  r3 = ${index}
  call 12
  r0 = r4
  exit
`;

/** finalize_context, reserve 16 bytes, range check, two stores, commit; returns ctx->probe_id. */
const DTRACE_SRC = (ids: { finalize_context: number; buffer_reserve: number; buffer_commit: number }, storeOff = 8): string => `
  r6 = r1
  r1 = r6
  r2 = r7
  call ${ids.finalize_context}
  if r0 != 0 goto fail
  r1 = r6
  r2 = ${DTRACE_CTX.buf}
  r3 = 16
  call ${ids.buffer_reserve}
  if r0 != 0 goto fail
  r2 = *(u64 *)(r6 + ${DTRACE_CTX.buf})
  r3 = *(u64 *)(r6 + ${DTRACE_CTX.buf_end})
  r4 = r2
  r4 += 16
  if r4 > r3 goto fail
  r5 = *(u32 *)(r6 + ${DTRACE_CTX.probe_id})
  *(u64 *)(r2 + 0) = r5
  r5 = *(u64 *)(r6 + ${DTRACE_CTX.argv})
  *(u64 *)(r2 + ${storeOff}) = r5
  r1 = r6
  r2 = ${DTRACE_CTX.buf}
  call ${ids.buffer_commit}
  r0 = *(u32 *)(r6 + ${DTRACE_CTX.probe_id})
  exit
fail:
  r0 = 99
  exit
`;

interface Setup {
  k: Kernel;
  fin: BpfMap;
  array: ProgArrayMap;
  dtrace: Program;
  run: (probeId?: number, index?: number) => ReturnType<typeof runProgram>;
}

function setup(dtraceSrc?: string): Setup {
  const k = new Kernel();
  const rt = registerDtrace(k);
  const fin = k.createMap({ type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 1, name: 'dtrace_finalize' }) as BpfMap;
  const array = k.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4, name: 'dtrace_progs' }) as ProgArrayMap;
  const dtrace = loadProgram(k, withMaps([[7, 0]], dtraceSrc ?? DTRACE_SRC(rt.ids)), { name: 'dtrace_action', mapsByIndex: [fin] });
  k.crossType!.setProgramType(dtrace, 'dtrace');
  expect(array.setProgram(0, dtrace, 'dtrace')).toBe(0);
  const run = (probeId = 77, index = 0) => runProgram(withMaps([[6, 0], [7, 1]], KPROBE_SRC(probeId, index)), { type: 'kprobe', kernel: k, maps: [fin, array], ctx: regs(DI) });
  return { k, fin, array, dtrace, run };
}

describe('cross-type tail call kprobe -> dtrace (TC-04, TC-05, PT-06)', () => {
  it('converts the pt_regs ctx, finalizes it from the per-CPU map and writes a record through the buffer', () => {
    const { k, run } = setup();
    const r = run(77);
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(77n); // ctx->probe_id after bpf_finalize_context
    const recs = k.dtrace!.committed();
    expect(recs).toHaveLength(1);
    const v = new DataView(recs[0].data.buffer);
    expect(v.getBigUint64(0, true)).toBe(77n);
    expect(v.getBigUint64(8, true)).toBe(DI); // argv[0] = regs.di (our ctx layout, OQ-02)
    // The record sits behind a perf_event_header {type 9, misc 0, size 8 + 16}.
    const hv = new DataView(k.dtrace!.output[0].buffer, recs[0].offset, 8);
    expect([hv.getUint32(0, true), hv.getUint16(6, true)]).toEqual([9, 24]);
  });

  it('falls through with R4 = the source type when the index is past max_entries (TC-05, TC-07)', () => {
    const { run } = setup();
    const r = run(1, 9);
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(2n); // BPF_PROG_TYPE_KPROBE from the inserted MOV R4
  });

  it('falls through when convert_ctx returns NULL: dtrace converts only kprobe and dtrace sources', () => {
    const { k, array, fin } = setup();
    // The same tail call made from a socket filter: dtrace's convert_ctx(1, ctx) is NULL.
    const insns = withMaps([[7, 1]], 'r2 = r7\nr3 = 0\ncall 12\nr0 = r4\nexit\n');
    const r = runProgram(insns, { type: 'socket_filter', kernel: k, maps: [fin, array], packet: new Uint8Array(64) });
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe(1n); // fell through, R4 = BPF_PROG_TYPE_SOCKET_FILTER
    expect(k.dtrace!.records).toHaveLength(0);
  });

  it('calls convert_ctx on a dtrace -> dtrace tail call too, as the identity (TC-06)', () => {
    const k = new Kernel();
    const rt = registerDtrace(k);
    const array = k.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 2 }) as ProgArrayMap;
    // Slot 1 returns ctx->cpu + 40; slot 0 tail-calls slot 1 with its own ctx.
    const second = loadProgram(k, asm(`r0 = *(u32 *)(r1 + ${DTRACE_CTX.cpu})\nr0 += 40\nexit\n`), { name: 'second' });
    const first = loadProgram(k, withMaps([[2, 0]], 'r3 = 1\ncall 12\nr0 = 7\nexit\n'), { name: 'first', mapsByIndex: [array] });
    for (const [i, p] of [[0, first], [1, second]] as const) {
      k.crossType!.setProgramType(p, 'dtrace');
      array.setProgram(i, p, 'dtrace');
    }
    const top = runProgram(withMaps([[7, 0]], 'r2 = r7\nr3 = 0\ncall 12\nr0 = r4\nexit\n'), { type: 'kprobe', kernel: k, maps: [array], ctx: regs(DI) });
    expect(top.fault).toBeUndefined();
    expect(top.r0).toBe(40n); // kprobe -> dtrace (converted) -> dtrace (identity): cpu 0 + 40
    expect(rt.convertCtx(DTRACE_PROG_TYPE_ID, 0x1234n)).toBe(0n); // not a dtrace ctx: NULL
  });

  it('leaves R4 alone on kernels without cross-type ops (upstream behaviour)', () => {
    const k = new Kernel();
    const array = k.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1 }) as ProgArrayMap;
    const r = runProgram(withMaps([[2, 0]], 'r4 = 1234\nr3 = 5\ncall 12\nr0 = r4\nexit\n'), { type: 'kprobe', kernel: k, maps: [array], ctx: regs(DI) });
    expect(r.r0).toBe(1234n);
    expect(k.crossType).toBeUndefined();
  });
});

describe('load-time check bpf_check_tail_call (TC-02)', () => {
  it('accepts a kprobe user of a dtrace-owned array (is_valid_tail_call), refuses other source types', () => {
    const { k, array } = setup();
    const xt = k.crossType!;
    expect(array.ownerType).toBe('dtrace');
    expect(xt.checkTailCall(array, 'kprobe')).toBe(0);
    expect(xt.checkTailCall(array, 'dtrace')).toBe(0); // bpf_prog_array_compatible
    expect(xt.checkTailCall(array, 'socket_filter')).toBe(-22);
  });

  it('an unowned array is claimed by the first program checked: a kprobe owner locks dtrace programs out', () => {
    const k = new Kernel();
    registerDtrace(k);
    const array = k.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1 }) as ProgArrayMap;
    expect(k.crossType!.checkTailCall(array, 'kprobe')).toBe(0);
    expect(array.ownerType).toBe('kprobe');
    // kprobe implements no is_valid_tail_call, so casting into it is denied [S2:L42-L43].
    expect(k.crossType!.checkTailCall(array, 'dtrace')).toBe(-22);
    expect(array.setProgram(0, {}, 'dtrace')).toBe(-22);
  });
});

describe('bpf_finalize_context (TC-10)', () => {
  const call = (k: Kernel, id: number, args: bigint[]) => {
    const h = k.helper(id)!;
    if (h.fn === 'machine') throw new Error('machine helper');
    return h.fn({ kernel: k, args: [...args, 0n, 0n, 0n].slice(0, 5) });
  };

  it('reads the map entry of this CPU: percpu_array key 0, or array key = cpu id', () => {
    const k = new Kernel({ nCpus: 4, cpu: 2 });
    const rt = registerDtrace(k);
    const ctx = rt.newContext();
    const ctxAddr = (BigInt(ctx.hi >>> 0) << 32n) | BigInt(ctx.lo);
    const arr = k.createMap({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 4 }) as ArrayMap;
    arr.set(2, Uint8Array.of(5, 0, 0, 0));
    expect(call(k, rt.ids.finalize_context, [ctxAddr, arr.address])).toBe(0n);
    expect(ctx.view.getUint32(DTRACE_CTX.probe_id, true)).toBe(5);
    const small = k.createMap({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 2 }) as ArrayMap;
    expect(call(k, rt.ids.finalize_context, [ctxAddr, small.address])).toBe(BigInt.asUintN(64, -2n)); // no entry for cpu 2
    const hash = k.createMap({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 2 }) as BpfMap;
    expect(call(k, rt.ids.finalize_context, [ctxAddr, hash.address])).toBe(BigInt.asUintN(64, -22n));
    expect(call(k, rt.ids.finalize_context, [0x1000n, arr.address])).toMatchObject({ code: 'helper_arg' });
  });

  it('has a per-kernel id, not the RFC number 109 (send_signal upstream)', () => {
    const a = registerDtrace(new Kernel()).ids;
    expect(a.finalize_context).toBeGreaterThanOrEqual(0x1000);
    expect(new Kernel().helper(a.finalize_context)).toBeUndefined();
  });
});

describe('writable buffers (WB-01..WB-07)', () => {
  it('a store past buf_end faults and names the reserved record', () => {
    const k0 = new Kernel();
    const ids = registerDtrace(k0).ids;
    // Same ids on every fresh kernel (allocation order is fixed), so the source can be built first.
    const { run } = setup(DTRACE_SRC(ids, 16));
    const r = run(3);
    expect(r.fault).toMatchObject({ code: 'mem_out_of_bounds', size: 8 });
    expect(r.fault!.region).toMatch(/^dtrace buf record 0 \(cpu 0, 16 bytes reserved\)$/);
    expect(r.fault!.message).toMatch(/past the end of dtrace buf record 0/);
  });

  it('a committed record is read-only; reserve twice is -EBUSY; too big is -E2BIG; records never cross a page (WB-05)', () => {
    const k = new Kernel();
    const rt = registerDtrace(k);
    const ctx = rt.newContext();
    const addr = (BigInt(ctx.hi >>> 0) << 32n) | BigInt(ctx.lo);
    const call = (id: number, ...args: bigint[]) => {
      const h = k.helper(id)!;
      if (h.fn === 'machine') throw new Error('machine helper');
      return h.fn({ kernel: k, args: [addr, ...args, 0n, 0n, 0n, 0n].slice(0, 5) });
    };
    const buf = (): bigint => ctx.view.getBigUint64(DTRACE_CTX.buf, true);
    expect(call(rt.ids.buffer_reserve, 80n, BigInt(DTRACE_MAX_RESERVE + 1))).toBe(BigInt.asUintN(64, -7n));
    expect(call(rt.ids.buffer_reserve, 88n, 8n)).toBe(BigInt.asUintN(64, -22n)); // buf_id must be offsetof(ctx, buf)
    expect(call(rt.ids.buffer_reserve, 80n, 3000n)).toBe(0n);
    expect(call(rt.ids.buffer_reserve, 80n, 8n)).toBe(BigInt.asUintN(64, -16n));
    const first = buf();
    expect(ctx.view.getBigUint64(DTRACE_CTX.buf_end, true) - first).toBe(3000n);
    expect(k.space.write(first + 2992n, new Uint8Array(8).fill(0xaa))).toBeUndefined();
    expect(call(rt.ids.buffer_commit, 80n)).toBe(0n);
    expect(buf()).toBe(0n);
    expect(k.space.write(first, Uint8Array.of(1))).toMatchObject({ code: 'mem_read_only' });
    expect(call(rt.ids.buffer_commit, 80n)).toBe(BigInt.asUintN(64, -2n));
    // 8 + 3000 bytes used; 8 + 2000 more would cross the first page, so the record starts at 4096.
    expect(call(rt.ids.buffer_reserve, 80n, 2000n)).toBe(0n);
    const rec = rt.records[1];
    expect([rec.offset, rec.padding]).toEqual([4096, 4096 - 3008]);
    expect(rt.output[0].subarray(3008, 4096).every((b) => b === 0)).toBe(true);
  });
});

describe('the verifier rewrite before a tail call (TC-04, KT-06)', () => {
  it('unprivileged: JGE R3, max, +3; AND32 R3, mask; MOV64 R4, type; tail call, and +3 skips the tail call', () => {
    const seq = tailCallFixup({ maxEntries: 5, progTypeId: 2, unprivileged: true });
    expect(seq.map((i) => [i.form.id, i.dst, i.imm, i.off])).toEqual([['jge_imm', 3, 5, 3], ['and32_imm', 3, 7, 0], ['mov64_imm', 4, 2, 0], ['call', 0, 12, 0]]);
    expect(jumpTarget(seq[0], 0)).toBe(4); // past the tail call; the old +2 would land on the inserted MOV
    expect(tailCallFixup({ maxEntries: 4, progTypeId: DTRACE_PROG_TYPE_ID, unprivileged: false }).map((i) => i.form.id)).toEqual(['mov64_imm', 'call']);
  });
});
