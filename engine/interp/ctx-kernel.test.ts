// skb and xdp programs compared with BPF_PROG_TEST_RUN: legacy packet loads, __sk_buff / xdp_md fields, direct packet access.
//
// These pin down what test_run does before the program runs (eth_type_trans: a socket filter sees
// the packet from the network header; tc from the MAC header; loopback ifindex 1) and the
// out-of-bounds rule of ld_abs/ld_ind (the program returns 0).
import { describe, expect, it } from 'vitest';
import { parse } from '../asm';
import { encode } from '../isa';
import { bpfAvailability, closeFd, progLoad, progTestRun } from '../host/bpf';
import { runProgram } from './index';
import type { RunProgType } from '../kernel';

const avail = bpfAvailability();

const PACKETS: Uint8Array[] = [
  new Uint8Array(64).map((_, i) => (i * 29 + 3) & 0xff).map((b, i) => (i === 12 ? 0x08 : i === 13 ? 0x00 : b)),
  // IPv6 needs a whole 40-byte header behind the Ethernet header, or test_run refuses the packet.
  Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x86, 0xdd, 0x60, ...new Array(49).fill(7)]),
  Uint8Array.from([0x01, 0x00, 0x5e, 0, 0, 1, 1, 2, 3, 4, 5, 6, 0x08, 0x06, 9, 9, 9, 9, 9, 9]),
  new Uint8Array(14),
];

const PROGRAMS: Array<{ name: string; type: RunProgType; src: string }> = [
  { name: 'ld_abs b/h/w', type: 'socket_filter', src: 'r6 = r1\nr0 = *(u8 *)skb[0]\nr7 = r0\nr0 = *(u16 *)skb[1]\nr7 += r0\nr0 = *(u32 *)skb[2]\nr0 += r7\nexit' },
  { name: 'ld_ind', type: 'socket_filter', src: 'r6 = r1\nr7 = 1\nr0 = *(u16 *)skb[r7 + 2]\nexit' },
  { name: 'ld_abs out of bounds', type: 'socket_filter', src: 'r6 = r1\nr0 = *(u32 *)skb[48]\nr0 = 5\nexit' },
  { name: 'ld_ind negative', type: 'socket_filter', src: 'r6 = r1\nr7 = -8\nr0 = *(u8 *)skb[r7 + 0]\nr0 = 5\nexit' },
  { name: 'sk_buff len/protocol/pkt_type/ifindex', type: 'socket_filter', src: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 16)\nr4 = *(u32 *)(r1 + 4)\nr5 = *(u32 *)(r1 + 40)\nr0 = r2\nr0 <<= 8\nr0 ^= r3\nr0 <<= 4\nr0 ^= r4\nr0 <<= 4\nr0 ^= r5\nexit' },
  { name: 'tc ld_abs from the MAC header', type: 'sched_cls', src: 'r6 = r1\nr0 = *(u32 *)skb[10]\nexit' },
  { name: 'tc direct packet access', type: 'sched_cls', src: 'r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr0 = *(u32 *)(r1 + 0)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +2\nr5 = *(u16 *)(r2 + 12)\nr0 += r5\nexit' },
  { name: 'xdp data/data_end and ingress_ifindex', type: 'xdp', src: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = r3\nr0 -= r2\nr4 = *(u32 *)(r1 + 12)\nr0 <<= 4\nr0 |= r4\nr4 = r2\nr4 += 14\nif r4 > r3 goto +2\nr5 = *(u8 *)(r2 + 13)\nr0 += r5\nexit' },
];

function kernelRetval(type: string, src: string, packet: Uint8Array): number | string {
  const p = parse(src, { syntax: 'llvm' });
  const l = progLoad({ progType: type, insns: encode(p.insns), logLevel: 1 });
  if (!l.ok) return `load: ${l.message}\n${l.log.slice(-300)}`;
  try {
    const r = progTestRun(l.fd!, { dataIn: packet });
    return r.ok ? r.retval : `run: ${r.message}`;
  } finally {
    closeFd(l.fd!);
  }
}

describe(`skb/xdp programs agree with BPF_PROG_TEST_RUN${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  for (const prog of PROGRAMS) {
    it.skipIf(!avail.ok)(prog.name, () => {
      for (const [i, packet] of PACKETS.entries()) {
        const k = kernelRetval(prog.type, prog.src, packet);
        expect(typeof k, `packet ${i}: ${String(k)}`).toBe('number');
        const ours = runProgram(parse(prog.src, { syntax: 'llvm' }).insns, { type: prog.type, packet });
        expect(ours.fault, ours.fault?.message).toBeUndefined();
        expect(Number(ours.r0 & 0xffffffffn), `${prog.name}, packet ${i}`).toBe(k);
      }
    });
  }
});

// Raw tracepoints: BPF_PROG_TEST_RUN copies ctx_in into the program's u64 args[] (net/bpf/test_run.c,
// bpf_prog_test_run_raw_tp) and refuses a ctx shorter than the furthest argument the verifier saw read,
// where our interpreter, given the same bytes, faults on that read instead.
describe(`raw_tracepoint programs agree with BPF_PROG_TEST_RUN${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  /** xorshift32: the same programs every run. */
  function rng(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>>= 0));
  }
  const OPS = ['+=', '^=', '*=', '|=', '-='];

  function program(next: () => number): { src: string; maxArg: number } {
    const n = 1 + (next() % 4);
    const lines = ['r6 = r1', 'r0 = 0'];
    let maxArg = 0;
    for (let i = 0; i < n; i++) {
      const arg = next() % 12;
      maxArg = Math.max(maxArg, arg);
      lines.push(`r2 = *(u64 *)(r6 + ${arg * 8})`);
      if (next() % 3 === 0) lines.push(`r2 >>= ${next() % 40}`);
      lines.push(`r0 ${OPS[next() % OPS.length]} r2`);
    }
    lines.push('exit');
    return { src: lines.join('\n'), maxArg };
  }

  it.skipIf(!avail.ok)('60 generated programs over args[0..11], each with two argument arrays: same r0 (u32)', () => {
    const next = rng(20261202);
    let compared = 0;
    for (let p = 0; p < 60; p++) {
      const { src, maxArg } = program(next);
      const l = progLoad({ progType: 'raw_tracepoint', insns: encode(parse(src, { syntax: 'llvm' }).insns), logLevel: 1 });
      expect(l.ok, `${src}\n${l.log}`).toBe(true);
      try {
        for (let c = 0; c < 2; c++) {
          // The whole array, or exactly up to the furthest argument read.
          const words = c === 0 ? 12 : maxArg + 1;
          const ctx = Uint8Array.from({ length: words * 8 }, () => next() & 0xff);
          const k = progTestRun(l.fd!, { ctxIn: ctx });
          expect(k.ok, `${src}\n${k.message}`).toBe(true);
          const ours = runProgram(parse(src, { syntax: 'llvm' }).insns, { type: 'raw_tracepoint', ctx });
          expect(ours.fault, ours.fault?.message).toBeUndefined();
          expect(Number(ours.r0 & 0xffffffffn), src).toBe(k.retval);
          compared++;
        }
      } finally {
        closeFd(l.fd!);
      }
    }
    expect(compared).toBe(120);
  });

  it.skipIf(!avail.ok)('a ctx shorter than the arguments read: the kernel refuses the run, we fault naming the ctx', () => {
    const src = 'r0 = *(u64 *)(r1 + 40)\nexit';
    const l = progLoad({ progType: 'raw_tracepoint', insns: encode(parse(src, { syntax: 'llvm' }).insns), logLevel: 1 });
    expect(l.ok, l.log).toBe(true);
    try {
      const ctx = new Uint8Array(16);
      expect(progTestRun(l.fd!, { ctxIn: ctx })).toMatchObject({ ok: false, errorName: 'EINVAL' });
      const ours = runProgram(parse(src, { syntax: 'llvm' }).insns, { type: 'raw_tracepoint', ctx });
      expect(ours.fault?.message).toMatch(/raw_tracepoint_args/);
    } finally {
      closeFd(l.fd!);
    }
  });
});

// Tracepoints have no BPF_PROG_TEST_RUN, so this pins our own model: the ctx is the event record as
// given (struct trace_entry first), read-only, and a read past it faults.
describe('tracepoint ctx: the event record', () => {
  const record = Uint8Array.from([0x34, 0x12, 0x01, 0x02, 0xd2, 0x04, 0x00, 0x00, 0xef, 0xbe, 0xad, 0xde, 0, 0, 0, 0]);
  it('common_pid at offset 4 and the first event field at 8', () => {
    const src = 'r0 = *(u32 *)(r1 + 4)\nr2 = *(u32 *)(r1 + 8)\nr0 <<= 32\nr0 |= r2\nexit';
    const r = runProgram(parse(src, { syntax: 'llvm' }).insns, { type: 'tracepoint', ctx: record });
    expect(r.fault).toBeUndefined();
    expect(r.r0).toBe((1234n << 32n) | 0xdeadbeefn);
  });
  it('a read past the record or a store into it faults naming the record', () => {
    const past = runProgram(parse('r0 = *(u64 *)(r1 + 16)\nexit', { syntax: 'llvm' }).insns, { type: 'tracepoint', ctx: record });
    expect(past.fault?.message).toMatch(/trace event record/);
    const store = runProgram(parse('r2 = 1\n*(u32 *)(r1 + 8) = r2\nr0 = 0\nexit', { syntax: 'llvm' }).insns, { type: 'tracepoint', ctx: record });
    expect(store.fault?.message).toMatch(/trace event record/);
  });
});
