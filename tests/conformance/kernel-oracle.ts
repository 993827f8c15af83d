// Runs a conformance-style program (memory pointer in r1, its length in r2) in the running kernel and returns the full 64-bit r0.
//
// The kernel offers no program type whose r1 is plain memory, so the test program becomes a
// bpf-to-bpf subprogram of a small syscall-type main program:
//
//   0    r6 = r1                         ; the syscall ctx: 8 bytes that receive r0
//   1-2  r1 = map_value(fd) + 0          ; lddw, src = BPF_PSEUDO_MAP_VALUE: the memory, an array map value
//   3    r2 = len
//   4    call pc+2                       ; the test program, starting at slot 7
//   5    *(u64 *)(r6 + 0) = r0           ; the full 64-bit result (test_run's retval is only 32 bits)
//   6    exit
//   7..  the test program
//
// A map value (unlike a ctx) allows pointer arithmetic and unaligned access, as the tests expect; the
// map value is the memory, of exactly the test's length (at least one byte: maps have no empty values).
import {
  BPF_F_SLEEPABLE, closeFd, mapCreate, mapLookup, mapUpdate, progLoad, progTestRun,
} from '../../engine/host/bpf';

export type KernelConformanceOutcome =
  | { readonly ok: true; readonly r0: bigint; readonly retval: number; readonly memOut: Uint8Array }
  | { readonly ok: false; readonly stage: 'map' | 'load' | 'run'; readonly error: string; readonly log: string };

function slot(code: number, dst: number, src: number, off: number, imm: number): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, code);
  v.setUint8(1, (src << 4) | dst);
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return [...b];
}

export function runConformanceInKernel(program: Uint8Array, mem: Uint8Array): KernelConformanceOutcome {
  const valueSize = Math.max(mem.length, 1);
  const map = mapCreate({ mapType: 'array', keySize: 4, valueSize, maxEntries: 1, name: 'conf_mem' });
  if (!map.ok) return { ok: false, stage: 'map', error: map.message, log: '' };
  try {
    const key = new Uint8Array(4);
    const value = new Uint8Array(valueSize);
    value.set(mem);
    const upd = mapUpdate(map.fd, key, value);
    if (!upd.ok) return { ok: false, stage: 'map', error: upd.message, log: '' };
    const main = [
      slot(0xbf, 6, 1, 0, 0),
      slot(0x18, 1, 2, 0, map.fd), slot(0x00, 0, 0, 0, 0),
      slot(0xb7, 2, 0, 0, mem.length),
      slot(0x85, 0, 1, 0, 2),
      slot(0x7b, 6, 0, 0, 0),
      slot(0x95, 0, 0, 0, 0),
    ].flat();
    const insns = new Uint8Array(main.length + program.length);
    insns.set(main);
    insns.set(program, main.length);
    const load = progLoad({ progType: 'syscall', insns, progFlags: BPF_F_SLEEPABLE, logLevel: 1 });
    if (!load.ok) return { ok: false, stage: 'load', error: load.message ?? '', log: load.log };
    try {
      const run = progTestRun(load.fd!, { ctxIn: new Uint8Array(8) });
      if (!run.ok) return { ok: false, stage: 'run', error: run.message ?? '', log: '' };
      const after = mapLookup(map.fd, key, valueSize);
      const r0 = new DataView(run.ctxInAfter!.buffer, run.ctxInAfter!.byteOffset).getBigUint64(0, true);
      return { ok: true, r0, retval: run.retval, memOut: after.ok ? after.value.slice(0, mem.length) : new Uint8Array(0) };
    } finally {
      closeFd(load.fd!);
    }
  } finally {
    closeFd(map.fd);
  }
}
