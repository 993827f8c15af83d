// Runs generated programs in the kernel and in our interpreter and compares r0 and the whole ctx (registers and stack).
import { runProgram } from '../../../engine/interp';
import { decode, encode, type Insn } from '../../../engine/isa';
import { printProgram } from '../../../engine/asm';
import { bodyForms, generateProgram, type GenOptions } from './program-gen';
import { generatePacketProgram } from './packet-gen';
import { runInKernel, runPacketInKernel } from './kernel-run';

export interface Disagreement {
  readonly seed: number;
  readonly what: string;
  readonly kernel: string;
  readonly ours: string;
  /** The program in llvm syntax, for a bug report. */
  readonly listing: string;
  readonly ctxIn?: string;
  readonly dataIn?: string;
}

export interface DiffTally {
  programs: number;
  agreements: number;
  /** Programs the kernel refused: a generator bug, reported, never counted as agreement. */
  kernelRefused: number;
  disagreements: Disagreement[];
  formsCovered: Set<string>;
}

export function newTally(): DiffTally {
  return { programs: 0, agreements: 0, kernelRefused: 0, disagreements: [], formsCovered: new Set() };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function listing(insns: readonly Insn[]): string {
  return printProgram(decode(encode(insns)).insns, { syntax: 'llvm' } as never);
}

/** One syscall program: kernel test_run vs runProgram({type: 'syscall'}). */
export function diffSyscall(seed: number, opts: GenOptions, tally: DiffTally): void {
  const p = generateProgram(seed, opts);
  tally.programs++;
  const k = runInKernel(p.insns, p.ctxIn);
  if (!k.ok) {
    tally.kernelRefused++;
    tally.disagreements.push({ seed, what: `kernel refused (${k.stage}): ${k.error}`, kernel: k.log.split('\n').slice(-4).join('\n'), ours: '', listing: listing(p.insns) });
    return;
  }
  const ours = runProgram(p.insns, { type: 'syscall', ctx: p.ctxIn });
  const problems: string[] = [];
  if (ours.stop !== 'exit') problems.push(`stopped: ${ours.stop} ${ours.fault ? `${ours.fault.code}: ${ours.fault.message} at pc ${ours.fault.pc}` : ''}`);
  if (Number(ours.r0 & 0xffff_ffffn) !== k.retval) problems.push(`retval kernel ${k.retval.toString(16)} ours ${ours.r0.toString(16)}`);
  const oc = ours.ctxOut ? hex(ours.ctxOut) : '';
  const kc = hex(k.ctxOut);
  if (oc !== kc) problems.push('ctx differs');
  if (problems.length) {
    tally.disagreements.push({ seed, what: problems.join('; '), kernel: kc, ours: oc, listing: listing(p.insns), ctxIn: hex(p.ctxIn) });
    return;
  }
  tally.agreements++;
  for (const f of p.formsUsed) tally.formsCovered.add(f);
}

/** One socket filter with ld_abs/ld_ind: kernel test_run on data_in vs runProgram({type: 'socket_filter'}). */
export function diffPacket(seed: number, tally: DiffTally, specialOffsets = true): void {
  const p = generatePacketProgram(seed, { specialOffsets });
  tally.programs++;
  const k = runPacketInKernel(p.insns, p.dataIn);
  if (!k.ok) {
    tally.kernelRefused++;
    tally.disagreements.push({ seed, what: `kernel refused (${k.stage}): ${k.error}`, kernel: k.log.split('\n').slice(-4).join('\n'), ours: '', listing: listing(p.insns) });
    return;
  }
  // The simulator is given the whole frame: like test_run it pulls the 14-byte Ethernet header, so
  // skb->data starts at data_in[14] and SKF_LL_OFF reaches the header it pulled.
  const ours = runProgram(p.insns, { type: 'socket_filter', packet: p.dataIn });
  const r0 = Number(ours.r0 & 0xffff_ffffn);
  if (ours.stop !== 'exit' || r0 !== k.retval) {
    tally.disagreements.push({
      seed, what: `socket filter: stop ${ours.stop}${ours.fault ? ` (${ours.fault.code}: ${ours.fault.message})` : ''}`,
      kernel: k.retval.toString(16), ours: ours.r0.toString(16), listing: listing(p.insns), dataIn: hex(p.dataIn),
    });
    return;
  }
  tally.agreements++;
  for (const f of p.formsUsed) tally.formsCovered.add(f);
}

export interface DiffPlan {
  /** Random mixed programs. */
  readonly random: number;
  /** Programs per body form that use only that form ("every instruction form"). */
  readonly perForm: number;
  /** Socket-filter programs with ld_abs/ld_ind. */
  readonly packet: number;
  /** Let packet programs load at SKF_NET_OFF / SKF_LL_OFF (default true). */
  readonly specialOffsets?: boolean;
  readonly seedBase?: number;
}

export function runDifferential(plan: DiffPlan): DiffTally {
  const tally = newTally();
  const base = plan.seedBase ?? 1;
  for (const f of bodyForms()) {
    for (let i = 0; i < plan.perForm; i++) diffSyscall(base * 7919 + i * 104729 + f.code * 31 + f.id.length, { focus: f.id, steps: 8 }, tally);
  }
  for (let i = 0; i < plan.random; i++) diffSyscall(base + i, { asSubprog: i % 5 === 4 }, tally);
  for (let i = 0; i < plan.packet; i++) diffPacket(base + 1_000_000 + i, tally, plan.specialOffsets ?? true);
  return tally;
}

/** Forms the kernel-side harness cannot run, and why (also printed by scripts/kernel-diff.ts). */
export const NOT_KERNEL_TESTED: Readonly<Record<string, string>> = {
  call: 'helper calls: helper semantics are the simulated kernel\'s, compared by helper-specific tests, not instruction semantics',
  call_kfunc: 'kfunc calls need BTF ids of the running kernel\'s functions',
  callx: 'the kernel refuses it: "unknown opcode 8d" (LLVM and some other runtimes know it)',
  exit: 'in every program (not a separate case)',
  addr_space_cast: 'kernel: "addr_space_cast insn can only be used in a program that has an associated arena" (needs an arena map and BTF)',
  lddw_map_fd: 'needs a map and helper calls on it; covered by the conformance oracle\'s lddw map_value main program only',
  lddw_map_value: 'used by the conformance oracle wrapper, not by generated bodies',
  lddw_btf_id: 'needs BTF ids of kernel variables',
  lddw_func: 'kernel: "missing btf func_info" (needs BTF func_info for the callback subprogram)',
  lddw_map_idx: 'needs fd_array',
  lddw_map_idx_value: 'needs fd_array',
};
