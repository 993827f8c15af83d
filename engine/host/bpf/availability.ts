// Whether bpf(2) can be used from this process, with the reason when it cannot (tests skip with it).
import { BPF_CMD, PROG_TYPES } from './constants';
import { bpfSyscall, closeFd, platformProblem, withBuffers } from './syscall';

export type Availability = { ok: true } | { ok: false; reason: string };

let cached: Availability | undefined;

/** Probes once by loading `r0 = 0; exit` as a socket filter, which every bpf-capable kernel accepts from root. */
export function bpfAvailability(): Availability {
  if (cached) return cached;
  const problem = platformProblem();
  if (problem) return (cached = { ok: false, reason: problem });
  const r = withBuffers((alloc) => {
    // mov64 r0, 0 (b7 00 ... 00), exit (95 00 ... 00)
    const insns = alloc(16, Uint8Array.of(0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0));
    const license = alloc(4, new TextEncoder().encode('GPL\0'));
    const attr = alloc(152);
    attr.view.setUint32(0, PROG_TYPES.socket_filter, true);
    attr.view.setUint32(4, 2, true);
    attr.view.setBigUint64(8, insns.address, true);
    attr.view.setBigUint64(16, license.address, true);
    return bpfSyscall(BPF_CMD.PROG_LOAD, attr);
  });
  if (r.ok) {
    closeFd(r.value);
    return (cached = { ok: true });
  }
  const why: Record<string, string> = {
    EPERM: 'bpf(2) is not permitted for this process (needs root or CAP_BPF, or kernel.unprivileged_bpf_disabled is set)',
    ENOSYS: 'the kernel has no bpf(2) (CONFIG_BPF_SYSCALL off) or a seccomp filter blocks it',
    EACCES: 'the kernel refused even a trivial program (a lockdown or LSM policy?)',
  };
  return (cached = { ok: false, reason: `${why[r.error] ?? 'bpf(2) probe failed'} (${r.error})` });
}
