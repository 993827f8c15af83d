// The verifier's public API: verify(insns, options) -> verdict, first error, processed count, log and per-insn states.
import type { Insn } from '../isa';
import { HELPER_PROTOS } from '../kernel/helper-protos';
import { progType as lookupProgType, type ProgType } from '../kernel/prog-types';
import { Analyzer, Reject } from './analyzer';
import { checkCfg, makeProgram } from './cfg';
import { printKernelInsn } from './kernel-disasm';
import { computeLiveness, printLiveRegs } from './liveness';
import { VerifierLog } from './log';
import type { MapInfo, VerifierState } from './state';

export type { MapInfo, RegState, StackSlot, FrameState, VerifierState, RegType, SlotType } from './state';
export { printKernelInsn } from './kernel-disasm';
export { printReg, printFrame, regTypeStr } from './log';

export interface VerifyOptions {
  /** Program type by name ("socket_filter", "xdp", ...) or enum value. */
  readonly progType: string | number;
  /** License string; GPL-compatible licenses unlock gpl_only helpers (the kernel's license_is_gpl_compatible). */
  readonly license?: string;
  /** 0: no log; 1: the failing path; 2: every instruction with its state. */
  readonly logLevel?: 0 | 1 | 2;
  /** Maps referenced by lddw map_fd (by `fd`, default: index) or map_idx (by index). */
  readonly maps?: readonly MapInfo[];
  /** BPF_F_SLEEPABLE. */
  readonly sleepable?: boolean;
  /** Abstract states kept per instruction for the debugger (default 8). */
  readonly keepStatesPerInsn?: number;
}

export interface VerifyError {
  /** Instruction slot index (the kernel's insn numbering; an lddw counts two). */
  readonly pc: number;
  /** The kernel's message, e.g. "R0 !read_ok". */
  readonly message: string;
  /** Stable machine-readable reason ("reg.uninit", "ctx.access", "unsupported.*" for what we do not model yet). */
  readonly code: string;
}

export interface VerifyResult {
  readonly verdict: 'accept' | 'reject';
  readonly error: VerifyError | null;
  readonly processed: number;
  readonly log: string;
  /** Abstract states seen before each instruction slot (first `keepStatesPerInsn` arrivals). */
  readonly states: ReadonlyMap<number, readonly VerifierState[]>;
  /** True when the rejection is a limitation of this verifier, not a kernel verdict. */
  readonly unsupported: boolean;
}

const GPL_COMPATIBLE = ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'];

/** Verifies a program as the Linux 6.18 verifier does for a privileged loader. Never throws on a bad program. */
export function verify(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  const level = opts.logLevel ?? 1;
  const log = new VerifierLog(level);
  const pt: ProgType | undefined = lookupProgType(opts.progType);
  const stats = (n: number, a?: Analyzer): string =>
    `processed ${n} insns (limit 1000000) max_states_per_insn ${a?.stats.maxStatesPerInsn ?? 0} total_states ${a?.stats.totalStates ?? 0} peak_states ${a?.stats.peakStates ?? 0} mark_read 0\n`;
  const done = (error: VerifyError | null, a?: Analyzer): VerifyResult => {
    const processed = a?.stats.processed ?? 0;
    if (level > 0) {
      if (error) log.write(`${error.message}\n`);
      else if (level === 1) log.reset(0);
      log.write(stats(processed, a));
    }
    return {
      verdict: error ? 'reject' : 'accept', error, processed, log: log.toString(), states: a?.states ?? new Map(),
      unsupported: !!error && error.code.startsWith('unsupported.'),
    };
  };
  if (!pt) return done({ pc: 0, message: `unknown program type ${String(opts.progType)}`, code: 'unsupported.prog-type' });
  if (insns.length === 0) return done({ pc: 0, message: 'empty program', code: 'insn.empty' });
  if (pt.requiresSleepable && !opts.sleepable) return done({ pc: 0, message: 'Syscall programs can only be sleepable', code: 'prog.sleepable' });
  const prog = makeProgram(insns);
  if (level >= 2) log.write('func#0 @0\n');
  const cfg = checkCfg(prog);
  if (cfg.error) return done(cfg.error);
  const live = computeLiveness(prog, (id) => (pt.helpers.has(id) ? HELPER_PROTOS.get(id)?.args.length : undefined));
  if (level >= 2) log.write(printLiveRegs(prog, live, printKernelInsn));
  if (cfg.subprogs.length > 1) return done({ pc: cfg.subprogs[1].start, message: 'bpf-to-bpf calls are not supported by this verifier yet', code: 'unsupported.subprog' });
  const gpl = GPL_COMPATIBLE.includes(opts.license ?? 'GPL');
  const a = new Analyzer(prog, {
    progType: pt, gpl, sleepable: opts.sleepable ?? false, maps: opts.maps ?? [], log, keepStatesPerInsn: opts.keepStatesPerInsn ?? 8,
  }, cfg.prunePoints, live);
  let r: Reject | undefined;
  try {
    r = a.run();
  } catch (e) {
    // An internal fault is our bug, not the program's: report it as such instead of crashing the caller.
    const message = e instanceof Error ? e.message : String(e);
    return done({ pc: 0, message: `internal verifier error: ${message}`, code: 'unsupported.internal' }, a);
  }
  return done(r ? { pc: r.pc, message: r.message, code: r.code } : null, a);
}
