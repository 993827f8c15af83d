// The bpf(2) bridge against the running kernel: load with log, xlated/JIT bytes, test_run, maps.
import { describe, expect, it } from 'vitest';
import {
  BPF_F_SLEEPABLE, bpfAvailability, closeFd, mapCreate, mapDelete, mapGetNextKey, mapLookup, mapUpdate,
  progGetInfo, progLoad, progTestRun,
} from '../../engine/host/bpf';

const avail = bpfAvailability();
const skipReason = avail.ok ? '' : ` (skipped: ${avail.reason})`;
const kit = it.skipIf(!avail.ok);

/** Raw little-endian instruction words: opcode, dst|src<<4, off, imm. */
function insn(code: number, dst: number, src: number, off: number, imm: number): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, code);
  v.setUint8(1, (src << 4) | dst);
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return [...b];
}
const prog = (...insns: number[][]): Uint8Array => Uint8Array.from(insns.flat());
const EXIT = insn(0x95, 0, 0, 0, 0);

describe(`bpf(2) bridge${skipReason}`, () => {
  kit('loads a program and returns the verifier log', () => {
    const r = progLoad({ progType: 'socket_filter', insns: prog(insn(0xb7, 0, 0, 0, 7), EXIT), logLevel: 2 });
    expect(r.ok, r.message).toBe(true);
    expect(r.log).toMatch(/processed 2 insns/);
    closeFd(r.fd!);
  });

  kit('passes the license, so GPL-only helpers are allowed for GPL and refused otherwise', () => {
    // r1 = fp-8 buffer, r2 = 8, r3 = 0: bpf_probe_read_kernel (id 113) is gpl_only
    const body = prog(insn(0xbf, 1, 10, 0, 0), insn(0x07, 1, 0, 0, -8), insn(0xb7, 2, 0, 0, 8), insn(0xb7, 3, 0, 0, 0), insn(0x85, 0, 0, 0, 113), insn(0xb7, 0, 0, 0, 0), EXIT);
    const gpl = progLoad({ progType: 'kprobe', insns: body, license: 'GPL' });
    expect(gpl.ok, gpl.log).toBe(true);
    closeFd(gpl.fd!);
    const proprietary = progLoad({ progType: 'kprobe', insns: body, license: 'Proprietary' });
    expect(proprietary.ok).toBe(false);
    expect(proprietary.log).toMatch(/cannot call GPL-restricted function from non-GPL compatible program/);
  });

  kit('reports a refusal as data with errno name and log', () => {
    // exit with r0 never written: "R0 !read_ok"
    const r = progLoad({ progType: 'socket_filter', insns: prog(EXIT) });
    expect(r.ok).toBe(false);
    expect(r.errorName).toBe('EACCES');
    expect(r.log).toMatch(/R0 !read_ok/);
  });

  kit('grows the log buffer instead of truncating it', () => {
    const body = Array.from({ length: 200 }, (_, i) => insn(0x07, 0, 0, 0, i)); // r0 += i
    const r = progLoad({ progType: 'socket_filter', insns: prog(insn(0xb7, 0, 0, 0, 0), ...body, EXIT), logLevel: 2, logSize: 256 });
    expect(r.ok, r.message).toBe(true);
    expect(r.log.length).toBeGreaterThan(256);
    expect(r.log).toMatch(/processed 202 insns/);
    closeFd(r.fd!);
  });

  kit('returns xlated bytes equal to the loaded ones and nonempty JIT bytes', () => {
    const insns = prog(insn(0xb7, 0, 0, 0, 1), insn(0x07, 0, 0, 0, 41), insn(0x67, 0, 0, 0, 3), EXIT);
    const r = progLoad({ progType: 'socket_filter', insns, progName: 'bridge_info' });
    expect(r.ok, r.message).toBe(true);
    const info = progGetInfo(r.fd!);
    expect(info.ok, info.ok ? '' : info.message).toBe(true);
    if (!info.ok) return;
    expect([...info.xlated]).toEqual([...insns]);
    expect(info.jited.length).toBeGreaterThan(0);
    expect(info.jitedFuncLens.reduce((a, b) => a + b, 0)).toBe(info.jited.length);
    expect(info.name).toBe('bridge_info');
    expect(info.type).toBe(1);
    closeFd(r.fd!);
  });

  kit('test-runs a syscall program that writes a 64-bit value into its ctx', () => {
    // r2 = *(u64 *)(r1 + 0); r2 *= 3; *(u64 *)(r1 + 8) = r2; r0 = 5; exit
    const insns = prog(insn(0x79, 2, 1, 0, 0), insn(0x27, 2, 0, 0, 3), insn(0x7b, 1, 2, 8, 0), insn(0xb7, 0, 0, 0, 5), EXIT);
    const r = progLoad({ progType: 'syscall', insns, progFlags: BPF_F_SLEEPABLE });
    expect(r.ok, `${r.message}\n${r.log}`).toBe(true);
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setBigUint64(0, 0x1234_5678_9abc_def0n, true);
    const run = progTestRun(r.fd!, { ctxIn: ctx });
    expect(run.ok, run.message).toBe(true);
    expect(run.retval).toBe(5);
    const out = new DataView(run.ctxInAfter!.buffer);
    expect(out.getBigUint64(8, true)).toBe((0x1234_5678_9abc_def0n * 3n) & 0xffff_ffff_ffff_ffffn);
    closeFd(r.fd!);
  });

  kit('test-runs a socket filter on packet data', () => {
    // r6 = r1; r0 = skb->len (__sk_buff offset 0); r7 = r0; r0 = ldabs b [0]; r0 <<= 32; r0 |= r7; exit
    const insns = prog(insn(0xbf, 6, 1, 0, 0), insn(0x61, 0, 1, 0, 0), insn(0xbf, 7, 0, 0, 0), insn(0x30, 0, 0, 0, 0),
      insn(0x67, 0, 0, 0, 24), insn(0x4f, 0, 7, 0, 0), EXIT);
    const r = progLoad({ progType: 'socket_filter', insns });
    expect(r.ok, `${r.message}\n${r.log}`).toBe(true);
    const data = Uint8Array.from({ length: 64 }, (_, i) => i);
    const run = progTestRun(r.fd!, { dataIn: data });
    expect(run.ok, run.message).toBe(true);
    // test_run hands a socket filter the packet after eth_type_trans() pulled the 14-byte Ethernet
    // header: skb->len is 64 - 14 and ld_abs offset 0 reads packet byte 14.
    expect(run.retval).toBe((14 << 24) | 50);
    // On the way out the kernel pushes the Ethernet header back as zeros (net/bpf/test_run.c).
    expect([...run.dataOut!]).toEqual([...new Uint8Array(14), ...data.subarray(14)]);
    closeFd(r.fd!);
  });

  kit('reports a test_run refusal as data', () => {
    const r = progLoad({ progType: 'syscall', insns: prog(insn(0xb7, 0, 0, 0, 0), EXIT), progFlags: BPF_F_SLEEPABLE });
    expect(r.ok, r.message).toBe(true);
    const run = progTestRun(r.fd!, { ctxIn: new Uint8Array(8), repeat: 5 }); // syscall programs refuse repeat
    expect(run.ok).toBe(false);
    expect(run.errorName).toBe('EINVAL');
    closeFd(r.fd!);
  });

  kit('creates a hash map and updates, looks up, iterates and deletes elements', () => {
    const m = mapCreate({ mapType: 'hash', keySize: 4, valueSize: 8, maxEntries: 4, name: 'bridge_map' });
    expect(m.ok, m.ok ? '' : m.message).toBe(true);
    if (!m.ok) return;
    const key = (n: number) => Uint8Array.of(n, 0, 0, 0);
    expect(mapUpdate(m.fd, key(1), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)).ok).toBe(true);
    expect(mapUpdate(m.fd, key(2), new Uint8Array(8).fill(9)).ok).toBe(true);
    const got = mapLookup(m.fd, key(1), 8);
    expect(got.ok && [...got.value]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const missing = mapLookup(m.fd, key(3), 8);
    expect(missing.ok || missing.errorName).toBe('ENOENT');
    const keys: number[] = [];
    let prev: Uint8Array | undefined;
    for (;;) {
      const n = mapGetNextKey(m.fd, prev, 4);
      if (!n.ok) {
        expect(n.errorName).toBe('ENOENT');
        break;
      }
      keys.push(n.value[0]);
      prev = n.value;
    }
    expect(keys.sort()).toEqual([1, 2]);
    expect(mapDelete(m.fd, key(1)).ok).toBe(true);
    const gone = mapDelete(m.fd, key(1));
    expect(gone.ok || gone.errorName).toBe('ENOENT');
    expect(closeFd(m.fd).ok).toBe(true);
  });
});
