// The verifier's public API: verify(insns, options) -> verdict, first error, processed count, log and per-insn states.
import type { Insn } from '../isa';
import { HELPER_PROTOS } from '../kernel/helper-protos';
import { progType as lookupProgType, type ProgType } from '../kernel/prog-types';
import { Analyzer, CANCELLED_CODE, Reject } from './analyzer';
import { checkCfg, makeProgram } from './cfg';
import { printKernelInsn } from './kernel-disasm';
import { computeLiveness, printLiveRegs } from './liveness';
import { VerifierLog } from './log';
import type { MapInfo, VerifierState } from './state';

export type { MapInfo, RegState, StackSlot, FrameState, VerifierState, RegType, SlotType } from './state';
export { printKernelInsn } from './kernel-disasm';
export { COMPLEXITY_LIMIT_INSNS, PROGRESS_INTERVAL } from './analyzer';
export { printReg, printFrame, regTypeStr } from './log';
export { verify2013, type Verify2013Options, type Verify2013Result, type Mode2013, type Error2013, type Quirk2013, type State2013View } from './ebpf2013';

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
  /** The target kernel's nr_cpu_ids (bounds bpf_get_smp_processor_id); hosts read /sys/devices/system/cpu/possible. */
  readonly nrCpuIds?: number;
  /**
   * Progress and cooperative cancellation: called with the processed-instruction count every 4096 processed
   * instructions (PROGRESS_INTERVAL); returning true stops the verification, whose result is then `cancelled`.
   * A worker polls its shared cancel flag here: the walk is synchronous and may run to the 1M-insn limit.
   */
  readonly onProgress?: (processed: number) => boolean | void;
}

export interface VerifyError {
  /** Instruction slot index (the kernel's insn numbering; an lddw counts two). */
  readonly pc: number;
  /** The kernel's message, e.g. "R0 !read_ok". */
  readonly message: string;
  /** Stable machine-readable reason ("reg.uninit", "ctx.access", "unsupported.*" for what we do not model yet). */
  readonly code: string;
  /** False when the kernel prints the message without a trailing newline (the statistics line follows on the same line). */
  readonly newline?: boolean;
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
  /**
   * Set when onProgress stopped the verification: there is no verdict (verdict says 'reject' and error has code
   * verifier.cancelled, so a caller that ignores this field never takes it for an accept); the log ends where it stopped.
   */
  readonly cancelled?: true;
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
      if (error) log.write(error.newline === false ? error.message : `${error.message}\n`);
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
  const prog = makeProgram(insns);
  const cfg = checkCfg(prog);
  if (level >= 2) cfg.subprogs.forEach((sp, i) => log.write(`func#${i} @${sp.start}\n`));
  // check_attach_btf_id runs after check_subprogs (whose func# lines are already out).
  if (pt.requiresSleepable && !opts.sleepable) return done({ pc: 0, message: 'Syscall programs can only be sleepable', code: 'prog.sleepable' });
  if (cfg.error) return done(cfg.error);
  const ldimm = resolvePseudoLdimm64(prog, opts.maps ?? []);
  if (ldimm) return done(ldimm);
  const abnormal = checkAbnormalReturn(prog, cfg.subprogs.map((sp) => sp.start));
  if (abnormal) return done(abnormal);
  const live = computeLiveness(prog, (id) => (pt.helpers.has(id) ? HELPER_PROTOS.get(id)?.args.length : undefined));
  if (level >= 2) log.write(printLiveRegs(prog, live, printKernelInsn));
  const gpl = GPL_COMPATIBLE.includes(opts.license ?? 'GPL');
  const a = new Analyzer(prog, {
    progType: pt, gpl, sleepable: opts.sleepable ?? false, maps: opts.maps ?? [], log, keepStatesPerInsn: opts.keepStatesPerInsn ?? 8, nrCpuIds: opts.nrCpuIds,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  }, cfg.prunePoints, live, cfg.jmpPoints, cfg.forcePoints);
  let r: Reject | undefined;
  try {
    r = a.run();
  } catch (e) {
    // An internal fault is our bug, not the program's: report it as such instead of crashing the caller.
    const message = e instanceof Error ? e.message : String(e);
    return done({ pc: 0, message: `internal verifier error: ${message}`, code: 'unsupported.internal' }, a);
  }
  if (r?.code === CANCELLED_CODE) {
    return { verdict: 'reject', error: { pc: r.pc, message: r.message, code: r.code }, processed: a.stats.processed, log: log.toString(), states: a.states, unsupported: false, cancelled: true };
  }
  if (r) return done({ pc: r.pc, message: r.message, code: r.code, ...(r.newline ? {} : { newline: false }) }, a);
  const deep = checkMaxStackDepth(prog, cfg.subprogs.map((s) => s.start), a.maxStack);
  // At level 1 a successful do_check leaves no path log behind; later checks print after that reset.
  if (deep && level === 1) log.reset(0);
  return done(deep ? { pc: 0, message: deep, code: 'stack.combined' } : null, a);
}

/**
 * check_max_stack_depth: along every call chain from the main program, the frames' stack depths (each rounded up
 * to 16 bytes, as with the JIT) must total at most 512.
 */
function checkMaxStackDepth(prog: ReturnType<typeof makeProgram>, starts: readonly number[], depth: ReadonlyMap<number, number>): string | undefined {
  // round_up_stack_depth with the JIT requested (always on x86-64): multiples of 16.
  const frameSize = (start: number): number => Math.ceil((depth.get(start) ?? 0) / 16) * 16;
  const endOf = (start: number): number => starts.find((s) => s > start) ?? prog.slotCount;
  const calls = (start: number): number[] => {
    const out: number[] = [];
    for (let pc = start; pc < endOf(start); pc++) {
      const idx = prog.insnAt[pc];
      if (idx >= 0 && prog.insns[idx].form.id === 'call_local') out.push(pc + 1 + prog.insns[idx].imm);
    }
    return out;
  };
  let error: string | undefined;
  const walk = (start: number, total: number, frames: number): void => {
    if (error) return;
    const sum = total + frameSize(start);
    if (sum > 512) {
      error = `combined stack size of ${frames} calls is ${sum}. Too large`;
      return;
    }
    for (const t of calls(start)) walk(t, sum, frames + 1);
  };
  walk(0, 0, 1);
  return error;
}

/**
 * check_abnormal_return: without BTF func_info (we model loads without BTF), subprograms may not use ld_abs/ld_ind
 * or tail calls, whose exits bypass the subprogram's return.
 */
function checkAbnormalReturn(prog: ReturnType<typeof makeProgram>, starts: readonly number[]): VerifyError | undefined {
  for (let i = 1; i < starts.length; i++) {
    const end = starts[i + 1] ?? prog.slotCount;
    let ldAbs = false;
    let tail = false;
    for (let pc = starts[i]; pc < end; pc++) {
      const idx = prog.insnAt[pc];
      if (idx < 0) continue;
      const insn = prog.insns[idx];
      if (insn.form.kind === 'ld_abs' || insn.form.kind === 'ld_ind') ldAbs = true;
      if (insn.form.id === 'call' && insn.imm === 12) tail = true;
    }
    if (ldAbs) return { pc: starts[i], message: 'LD_ABS is not allowed in subprogs without BTF', code: 'btf.subprog-ld-abs' };
    if (tail) return { pc: starts[i], message: 'tail_call is not allowed in subprogs without BTF', code: 'btf.subprog-tail-call' };
  }
  return undefined;
}

/**
 * resolve_pseudo_ldimm64: map references are resolved before the walk. By index needs an fd_array; a direct value
 * pointer needs a map with map_direct_value_addr (a single-entry array) and an offset inside the value.
 */
function resolvePseudoLdimm64(prog: ReturnType<typeof makeProgram>, maps: readonly MapInfo[]): VerifyError | undefined {
  for (const insn of prog.insns) {
    const id = insn.form.id;
    if (!id.startsWith('lddw_map_')) continue;
    const pc = prog.pcOf[prog.insns.indexOf(insn)];
    const byIdx = id.startsWith('lddw_map_idx');
    if (byIdx && maps.length === 0) return { pc, message: 'fd_idx without fd_array is invalid', code: 'map.fd-array' };
    const map = byIdx ? maps[insn.imm] : maps.find((m, i) => (m.fd ?? i) === insn.imm);
    if (!map) return { pc, message: `fd ${insn.imm} is not pointing to valid bpf_map`, code: 'map.fd' };
    if (id.endsWith('value')) {
      const off = (insn.imm2 ?? 0) >>> 0;
      if (map.type !== 'array') return { pc, message: 'no direct value access support for this map type', code: 'map.direct-value' };
      if (map.maxEntries !== 1 || off >= map.valueSize) {
        return { pc, message: `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`, code: 'map.direct-value' };
      }
    }
  }
  return undefined;
}
