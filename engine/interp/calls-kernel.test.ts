// Tail calls compared with the kernel: the 33-tail-call limit (MAX_TAIL_CALL_CNT) and fall-through.
// (bpf_loop is not compared here: the kernel wants BTF func_info for its callback, which hand-built
// programs lack; machine.test.ts checks it against kernel/bpf/bpf_iter.c's semantics.)
import { describe, expect, it } from 'vitest';
import { encode, makeInsn, type Insn } from '../isa';
import { bpfAvailability, closeFd, mapCreate, mapLookup, mapUpdate, progLoad, progTestRun } from '../host/bpf';
import { Kernel, ProgArrayMap, setupContext, type BpfMap } from '../kernel';
import { loadProgram, Machine } from './index';

const avail = bpfAvailability();
const note = avail.ok ? '' : ` (skipped: ${avail.reason})`;

/** Counts its runs in counter[0] (an array map) and tail-calls itself through prog_array slot 0. */
function selfTailCall(progArray: Insn, counter: Insn): Insn[] {
  return [
    makeInsn('mov64_reg', { dst: 6, src: 1 }),
    makeInsn('stw', { dst: 10, off: -4, imm: 0 }),
    counter,
    makeInsn('mov64_reg', { dst: 2, src: 10 }),
    makeInsn('add64_imm', { dst: 2, imm: -4 }),
    makeInsn('call', { imm: 1 }),
    makeInsn('jeq_imm', { dst: 0, imm: 0, off: 2 }),
    makeInsn('mov64_imm', { dst: 1, imm: 1 }),
    makeInsn('atomic64_add', { dst: 0, src: 1, off: 0 }),
    makeInsn('mov64_reg', { dst: 1, src: 6 }),
    progArray,
    makeInsn('mov64_imm', { dst: 3, imm: 0 }),
    makeInsn('call', { imm: 12 }),
    makeInsn('mov64_imm', { dst: 0, imm: 7 }),
    makeInsn('exit'),
  ];
}

describe(`tail calls agree with the kernel${note}`, () => {
  it.skipIf(!avail.ok)('a program tail-calling itself runs 1 + 33 times, then falls through', () => {
    const progs = mapCreate({ mapType: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1 });
    const counter = mapCreate({ mapType: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
    expect(progs.ok && counter.ok).toBe(true);
    if (!progs.ok || !counter.ok) return;
    const key = new Uint8Array(4);
    try {
      const insns = selfTailCall(makeInsn('lddw_map_fd', { dst: 2, imm: progs.fd }), makeInsn('lddw_map_fd', { dst: 1, imm: counter.fd }));
      const load = progLoad({ progType: 'socket_filter', insns: encode(insns), logLevel: 1 });
      expect(load.ok, load.ok ? '' : load.log.slice(-300)).toBe(true);
      if (!load.ok) return;
      try {
        expect(mapUpdate(progs.fd, key, new Uint8Array(new Uint32Array([load.fd!]).buffer)).ok).toBe(true);
        const r = progTestRun(load.fd!, { dataIn: new Uint8Array(64) });
        expect(r.ok).toBe(true);
        const after = mapLookup(counter.fd, key, 8);
        expect(after.ok).toBe(true);
        if (!after.ok) return;
        const kernelRuns = new DataView(after.value.buffer, after.value.byteOffset).getBigUint64(0, true);

        const k = new Kernel();
        const ourProgs = k.createMap({ type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 1 }) as ProgArrayMap;
        const ourCounter = k.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 }) as BpfMap;
        const prog = loadProgram(k, selfTailCall(makeInsn('lddw_map_fd', { dst: 2, imm: 0 }), makeInsn('lddw_map_fd', { dst: 1, imm: 1 })), {
          type: 'socket_filter', mapsByFd: new Map<number, BpfMap>([[0, ourProgs], [1, ourCounter]]),
        });
        ourProgs.setProgram(0, prog, 'socket_filter');
        const m = new Machine(k, prog, setupContext(k, { type: 'socket_filter', packet: new Uint8Array(64) }));
        expect(m.run()).toBe('exit');
        expect(m.reg(0)).toBe(BigInt(r.retval));
        expect(new DataView(ourCounter.get(key)!.buffer).getBigUint64(0, true)).toBe(kernelRuns);
        expect(kernelRuns).toBe(34n);
      } finally {
        closeFd(load.fd!);
      }
    } finally {
      closeFd(progs.fd);
      closeFd(counter.fd);
    }
  });
});
