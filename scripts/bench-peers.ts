// Peers for the interpreter benchmark, measured in the same run: the running kernel (JIT, and its interpreter when the JIT can be switched off) and a minimal C switch interpreter.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encode } from '../engine/isa';
import { bpfAvailability, closeFd, mapCreate, mapUpdate, progGetInfo, progLoad, progTestRun } from '../engine/host/bpf';
import type { Workload } from './bench-workloads';

/** A peer's figure for one workload, or why there is none. */
export type PeerResult = { ok: true; nsPerRun: number; retval: bigint; detail?: string } | { ok: false; why: string };

// ---- the kernel --------------------------------------------------------------------------------

/** Why the kernel cannot be a peer at all (bpf(2) unavailable), or undefined. */
export function kernelUnavailable(): string | undefined {
  const a = bpfAvailability();
  return a.ok ? undefined : a.reason;
}

/** Creates the array map the map workload uses; its fd goes into the programs' lddw map_fd. */
export function createKernelArrayMap(valueSize: number): number | string {
  const m = mapCreate({ mapType: 'array', keySize: 4, valueSize, maxEntries: 1, name: 'bench' });
  return m.ok ? m.fd : m.message ?? String(m.errorName);
}

/**
 * Loads `w` (its lddw map_fd already holds `mapFd`) and times it with BPF_PROG_TEST_RUN: first one
 * run on a zeroed map to check the result against ours, then `rounds` batches of `repeat` runs;
 * the kernel reports the mean per run of a batch, and the best batch counts.
 */
export function kernelRun(w: Workload, mapFd: number | undefined, repeat: number, rounds: number, expectJit: boolean): PeerResult {
  const load = progLoad({ progType: 'sched_cls', insns: encode(w.insns), logLevel: 0 });
  if (!load.ok) {
    const again = progLoad({ progType: 'sched_cls', insns: encode(w.insns), logLevel: 1 });
    if (again.ok) closeFd(again.fd!);
    return { ok: false, why: `the verifier refused it: ${load.message}; ${again.log.trim().split('\n').slice(-2).join(' / ')}` };
  }
  const fd = load.fd!;
  try {
    const info = progGetInfo(fd);
    const jitBytes = info.ok ? info.jited.length : -1;
    if (expectJit && jitBytes === 0) return { ok: false, why: 'the kernel did not JIT the program' };
    if (!expectJit && jitBytes > 0) return { ok: false, why: 'the kernel JITed the program although bpf_jit_enable was 0' };
    if (mapFd !== undefined && w.arrayMap) mapUpdate(mapFd, new Uint8Array(4), new Uint8Array(w.arrayMap.valueSize));
    const check = progTestRun(fd, { dataIn: w.packet, repeat: 1 });
    if (!check.ok) return { ok: false, why: `test_run failed: ${check.message}` };
    let best = Infinity;
    for (let i = 0; i < rounds; i++) {
      const r = progTestRun(fd, { dataIn: w.packet, repeat });
      if (!r.ok) return { ok: false, why: `test_run failed: ${r.message}` };
      best = Math.min(best, r.duration);
    }
    return { ok: true, nsPerRun: best, retval: BigInt(check.retval >>> 0), ...(expectJit ? { detail: `${jitBytes} bytes of x86-64` } : {}) };
  } finally {
    closeFd(fd);
  }
}

const JIT_SYSCTL = '/proc/sys/net/core/bpf_jit_enable';

/** Why the kernel's own interpreter cannot be measured here, or undefined when bpf_jit_enable may be set to 0. */
export function kernelInterpreterUnavailable(): string | undefined {
  try {
    const config = gunzipSync(readFileSync('/proc/config.gz')).toString();
    if (/^CONFIG_BPF_JIT_ALWAYS_ON=y$/m.test(config)) return 'CONFIG_BPF_JIT_ALWAYS_ON=y: this kernel has no BPF interpreter (bpf_jit_enable cannot be 0)';
  } catch {
    // No /proc/config.gz: try the sysctl itself.
  }
  try {
    readFileSync(JIT_SYSCTL);
  } catch (e) {
    return `cannot read ${JIT_SYSCTL}: ${(e as Error).message}`;
  }
  return undefined;
}

/** Runs `body` with net.core.bpf_jit_enable = 0 and restores the previous value afterwards, whatever happens. */
export function withJitDisabled<T>(body: () => T): T | { why: string } {
  const before = readFileSync(JIT_SYSCTL, 'utf8').trim();
  try {
    writeFileSync(JIT_SYSCTL, '0\n');
  } catch (e) {
    return { why: `writing 0 to ${JIT_SYSCTL} was refused: ${(e as Error).message}` };
  }
  try {
    return body();
  } finally {
    writeFileSync(JIT_SYSCTL, `${before}\n`);
  }
}

// ---- a minimal C switch interpreter ------------------------------------------------------------

/**
 * A uBPF-style C interpreter (switch on the opcode byte, 64-bit registers, bounds-checked stack
 * accesses, division by zero gives 0) for the opcodes of the stack-only workloads: the same
 * programs, timed on the same machine at the same moment.
 */
const C_INTERP = `#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
struct insn { uint8_t code, regs; int16_t off; int32_t imm; };
static uint64_t run(const struct insn *p, uint64_t *executed) {
  uint64_t r[11] = {0}; uint8_t stack[512]; memset(stack, 0, sizeof stack);
  r[10] = (uint64_t)(uintptr_t)(stack + 512); uint64_t n = 0;
  for (int pc = 0;; pc++) {
    const struct insn *i = &p[pc]; int d = i->regs & 15, s = i->regs >> 4; n++;
    uint64_t imm = (uint64_t)(int64_t)i->imm;
#define CHK(a, sz) do { uint8_t *x = (uint8_t *)(uintptr_t)(a); if (x < stack || x + (sz) > stack + 512) return ~0ULL; } while (0)
    switch (i->code) {
    case 0xb7: r[d] = imm; break;
    case 0xbf: r[d] = r[s]; break;
    case 0x18: r[d] = (uint32_t)i->imm | ((uint64_t)(uint32_t)p[pc + 1].imm << 32); pc++; break;
    case 0x07: r[d] += imm; break;
    case 0x0f: r[d] += r[s]; break;
    case 0xaf: r[d] ^= r[s]; break;
    case 0x57: r[d] &= imm; break;
    case 0x77: r[d] >>= i->imm & 63; break;
    case 0x27: r[d] *= imm; break;
    case 0x2f: r[d] *= r[s]; break;
    case 0x37: r[d] = imm ? r[d] / imm : 0; break;
    case 0x97: r[d] = imm ? r[d] % imm : r[d]; break;
    case 0x79: CHK(r[s] + i->off, 8); memcpy(&r[d], (void *)(uintptr_t)(r[s] + i->off), 8); break;
    case 0x61: { uint32_t v; CHK(r[s] + i->off, 4); memcpy(&v, (void *)(uintptr_t)(r[s] + i->off), 4); r[d] = v; break; }
    case 0x7b: CHK(r[d] + i->off, 8); memcpy((void *)(uintptr_t)(r[d] + i->off), &r[s], 8); break;
    case 0x63: { uint32_t v = (uint32_t)r[s]; CHK(r[d] + i->off, 4); memcpy((void *)(uintptr_t)(r[d] + i->off), &v, 4); break; }
    case 0x05: pc += i->off; break;
    case 0x15: if (r[d] == imm) pc += i->off; break;
    case 0x55: if (r[d] != imm) pc += i->off; break;
    case 0x65: if ((int64_t)r[d] > (int64_t)imm) pc += i->off; break;
    case 0x95: *executed = n; return r[0];
    default: *executed = n; return ~0ULL - 1;
    }
  }
}
int main(int argc, char **argv) {
  static struct insn prog[4096]; FILE *f = fopen(argv[1], "rb"); size_t len = fread(prog, 1, sizeof prog, f); fclose(f); (void)len;
  int reps = argc > 2 ? atoi(argv[2]) : 10;
  double best = 1e30; uint64_t ex = 0, r0 = 0;
  for (int k = 0; k < reps; k++) {
    struct timespec a, b; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    r0 = run(prog, &ex);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
    if (ns < best) best = ns;
  }
  printf("%f %llu %llu\\n", best, (unsigned long long)ex, (unsigned long long)r0);
  return 0;
}
`;

/** Compiles the C interpreter once; undefined (with the reason) when gcc is missing. */
export function compileCInterpreter(): { exe: string } | { why: string } {
  try {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-bench-'));
    writeFileSync(join(dir, 'interp.c'), C_INTERP.replace('#include <time.h>', '#include <time.h>\n#include <stdlib.h>'));
    execFileSync('gcc', ['-O2', '-o', join(dir, 'interp'), join(dir, 'interp.c')], { stdio: 'pipe' });
    return { exe: join(dir, 'interp') };
  } catch (e) {
    return { why: `gcc -O2 failed or is missing: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** Removes the C interpreter's temporary directory (the program files cRun writes live there too). */
export function removeCInterpreter(exe: string): void {
  rmSync(dirname(exe), { recursive: true, force: true });
}

export function cRun(exe: string, w: Workload, reps: number): PeerResult & { executed?: number } {
  const file = join(dirname(exe), 'prog.bin');
  writeFileSync(file, encode(w.insns));
  const [ns, executed, r0] = execFileSync(exe, [file, String(reps)]).toString().trim().split(' ');
  if (BigInt(r0) >= 0xfffffffffffffffen) return { ok: false, why: 'an opcode or access the C interpreter does not handle' };
  return { ok: true, nsPerRun: Number(ns), retval: BigInt(r0), executed: Number(executed) };
}
