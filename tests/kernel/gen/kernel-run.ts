// Runs a generated syscall program in the running kernel: load (with log on refusal), test_run, close.
import { encode, type Insn } from '../../../engine/isa';
import { BPF_F_SLEEPABLE, closeFd, progLoad, progTestRun } from '../../../engine/host/bpf';

export type KernelOutcome =
  | { readonly ok: true; readonly retval: number; readonly ctxOut: Uint8Array }
  | { readonly ok: false; readonly stage: 'load' | 'run'; readonly error: string; readonly log: string };

export function runInKernel(insns: readonly Insn[], ctxIn: Uint8Array): KernelOutcome {
  const load = progLoad({ progType: 'syscall', insns: encode(insns), progFlags: BPF_F_SLEEPABLE, logLevel: 0 });
  if (!load.ok) {
    // Load again with a log only on refusal: logging costs the verifier more than the load itself.
    const again = progLoad({ progType: 'syscall', insns: encode(insns), progFlags: BPF_F_SLEEPABLE, logLevel: 1 });
    if (again.ok) closeFd(again.fd!);
    return { ok: false, stage: 'load', error: load.message ?? String(load.errorName), log: again.log };
  }
  try {
    const run = progTestRun(load.fd!, { ctxIn });
    if (!run.ok) return { ok: false, stage: 'run', error: run.message ?? String(run.errorName), log: '' };
    return { ok: true, retval: run.retval, ctxOut: run.ctxInAfter! };
  } finally {
    closeFd(load.fd!);
  }
}

export type KernelPacketOutcome =
  | { readonly ok: true; readonly retval: number }
  | { readonly ok: false; readonly stage: 'load' | 'run'; readonly error: string; readonly log: string };

/** Runs a socket filter on `dataIn` (an Ethernet frame) through test_run. */
export function runPacketInKernel(insns: readonly Insn[], dataIn: Uint8Array): KernelPacketOutcome {
  const load = progLoad({ progType: 'socket_filter', insns: encode(insns), logLevel: 1 });
  if (!load.ok) return { ok: false, stage: 'load', error: load.message ?? '', log: load.log };
  try {
    const run = progTestRun(load.fd!, { dataIn });
    if (!run.ok) return { ok: false, stage: 'run', error: run.message ?? '', log: '' };
    return { ok: true, retval: run.retval };
  } finally {
    closeFd(load.fd!);
  }
}
