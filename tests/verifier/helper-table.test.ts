// Checks engine/kernel/prog-types.ts' allowed-helper sets and ctx access rules against the running kernel.
import { describe, expect, it } from 'vitest';
import { encode, makeInsn } from '../../engine/isa';
import { HELPER_NAMES } from '../../engine/kernel/helper-protos';
import { ctxAccess, PROG_TYPES } from '../../engine/kernel/prog-types';
import { BPF_F_SLEEPABLE, bpfAvailability, closeFd, progLoad } from '../../engine/host/bpf';
import { lastErrorLine } from './differential';

const avail = bpfAvailability();
const skipReason = avail.ok ? '' : ` (skipped: ${avail.reason})`;

function load(type: string, insns: ReturnType<typeof makeInsn>[]): { ok: boolean; error: string | null } {
  const t = PROG_TYPES[type];
  const r = progLoad({ progType: t.id, insns: encode(insns), logLevel: 1, progFlags: t.requiresSleepable ? BPF_F_SLEEPABLE : 0 });
  if (r.ok && r.fd !== undefined) closeFd(r.fd);
  return { ok: r.ok, error: r.ok ? null : lastErrorLine(r.log) };
}

describe('allowed helpers per program type match Linux', () => {
  for (const type of Object.keys(PROG_TYPES)) {
    it.skipIf(!avail.ok)(`${type}${skipReason}`, () => {
      const measured: number[] = [];
      for (let id = 1; id < HELPER_NAMES.length; id++) {
        const r = load(type, [makeInsn('call', { imm: id }), makeInsn('exit')]);
        if (!r.error?.startsWith('program of this type cannot use helper')) measured.push(id);
      }
      expect(measured).toEqual([...PROG_TYPES[type].helpers].sort((a, b) => a - b));
    });
  }
});

describe('ctx access rules match Linux for every offset and size', () => {
  const LD = { 1: 'ldxb', 2: 'ldxh', 4: 'ldxw', 8: 'ldxdw' } as const;
  const ST = { 1: 'stb', 2: 'sth', 4: 'stw', 8: 'stdw' } as const;
  for (const type of ['socket_filter', 'sched_cls', 'xdp', 'kprobe', 'cgroup_skb', 'raw_tracepoint', 'perf_event']) {
    it.skipIf(!avail.ok)(`${type}${skipReason}`, () => {
      const t = PROG_TYPES[type];
      const mismatches: string[] = [];
      for (let off = 0; off < t.ctxSize + 8; off += 1) {
        for (const size of [1, 2, 4, 8] as const) {
          if (off % size) continue;
          for (const kind of ['read', 'write'] as const) {
            const insn = kind === 'read'
              ? makeInsn(LD[size], { dst: 0, src: 1, off })
              : makeInsn(ST[size], { dst: 1, off, imm: 0 });
            const r = load(type, [insn, makeInsn('mov64_imm', { dst: 0, imm: 0 }), makeInsn('exit')]);
            const kernelOk = !r.error?.startsWith('invalid bpf_context access');
            const ours = ctxAccess(t, off, size, kind).ok;
            if (kernelOk !== ours) mismatches.push(`${kind} off=${off} size=${size}: kernel ${kernelOk ? 'allows' : 'refuses'} (${r.error ?? 'accepted'})`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
