// Public surface of the interpreter: runProgram() for one-shot runs, prepareRun() + Machine for debugging.
import type { Insn } from '../isa';
import { BpfMap, Kernel, releaseContext, setupContext, type KernelOptions, type MapDef, type RunContext, type RunProgType } from '../kernel';
import { Machine, type Fault, type FaultCode, type StopReason } from './machine';
import { loadProgram, type Program } from './program';

export { Machine, MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT, BPF_MAX_LOOPS, STACK_SIZE } from './machine';
export type { Fault, FaultCode, Frame, StepRecord, StopReason, MachineOptions } from './machine';
export { loadProgram, OP, POOL_BASE } from './program';
export { UndoRecord } from './undo';
export type { Program, LoadOptions, SlotFault } from './program';

export interface RunOptions {
  /** Program type: decides ctx layout and r1 (default 'raw': r1 = mem address, r2 = mem length). */
  type?: RunProgType;
  /** ctx bytes (syscall user buffer, pt_regs, tracing args, or overriding __sk_buff / xdp_md). */
  ctx?: Uint8Array;
  /** raw: the memory r1 points at. */
  mem?: Uint8Array;
  /** skb / xdp packet. */
  packet?: Uint8Array;
  /** Instruction budget; the run stops with fault code 'budget_exhausted' when it is used up. Default 100M. */
  budget?: number;
  /** Seed of get_prandom_u32. */
  seed?: number;
  /**
   * Maps the program refers to: lddw map_idx uses the array index; lddw map_fd uses `fd`
   * (default: the index). Definitions are created in the run's kernel.
   */
  maps?: ReadonlyArray<MapDef | BpfMap | { fd: number; map: MapDef | BpfMap }>;
  /** Reuse a kernel (maps, kernel memory, clock); default a fresh one. */
  kernel?: Kernel;
  kernelOptions?: KernelOptions;
  /** Shared flag: set element 0 to non-zero from another thread to cancel. */
  cancelSignal?: Int32Array;
  name?: string;
}

export type RunFaultCode = FaultCode | 'budget_exhausted' | 'cancelled' | 'map_def';

export interface RunFault extends Omit<Fault, 'code'> {
  code: RunFaultCode;
}

export interface RunResult {
  /** r0 at exit (also reported after a fault, as it was then). */
  r0: bigint;
  executed: number;
  stop: StopReason;
  fault?: RunFault;
  ctxOut?: Uint8Array;
  memOut?: Uint8Array;
  packetOut?: Uint8Array;
  /** trace_printk output. */
  console: string;
  maps: BpfMap[];
}

export interface PreparedRun {
  kernel: Kernel;
  program: Program;
  machine: Machine;
  context: RunContext;
  maps: BpfMap[];
}

/** Builds the kernel state, loads the program and returns a machine stopped before the first instruction. */
export function prepareRun(insns: readonly Insn[], opts: RunOptions = {}): PreparedRun | RunFault {
  const kernel = opts.kernel ?? new Kernel({ ...opts.kernelOptions, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  const maps: BpfMap[] = [];
  const byFd = new Map<number, BpfMap>();
  for (const [i, entry] of (opts.maps ?? []).entries()) {
    const fd = 'fd' in entry && 'map' in entry ? entry.fd : i;
    const given = 'fd' in entry && 'map' in entry ? entry.map : entry;
    const map = given instanceof BpfMap ? given : kernel.createMap(given);
    if (!(map instanceof BpfMap)) return { code: 'map_def', message: map.message, pc: 0 };
    maps.push(map);
    byFd.set(fd, map);
  }
  const type = opts.type ?? 'raw';
  const program = loadProgram(kernel, insns, { type, mapsByFd: byFd, mapsByIndex: maps, ...(opts.name ? { name: opts.name } : {}) });
  const context = setupContext(kernel, { type, ...(opts.ctx ? { ctx: opts.ctx } : {}), ...(opts.mem ? { mem: opts.mem } : {}), ...(opts.packet ? { packet: opts.packet } : {}) });
  const machine = new Machine(kernel, program, context, opts.cancelSignal ? { cancelSignal: opts.cancelSignal } : {});
  return { kernel, program, machine, context, maps };
}

/** Runs a program to completion (exit, fault, budget or cancel) and reports r0, output and the final ctx/mem. */
export function runProgram(insns: readonly Insn[], opts: RunOptions = {}): RunResult {
  const prep = prepareRun(insns, opts);
  if (!('machine' in prep)) return { r0: 0n, executed: 0, stop: 'fault', fault: prep, console: '', maps: [] };
  const { machine, context, kernel, maps } = prep;
  const stop = machine.run({ budget: opts.budget ?? 100_000_000 });
  let fault: RunFault | undefined = machine.fault;
  if (stop === 'budget') fault = { code: 'budget_exhausted', message: `instruction budget of ${machine.executed} used up`, pc: machine.pc, program: machine.prog.name };
  if (stop === 'cancelled') fault = { code: 'cancelled', message: 'run cancelled', pc: machine.pc, program: machine.prog.name };
  const result: RunResult = {
    r0: machine.reg(0), executed: machine.executed, stop, ...(fault ? { fault } : {}),
    ...(context.ctx ? { ctxOut: context.ctx.bytes.slice() } : {}),
    ...(context.mem ? { memOut: context.mem.bytes.slice() } : {}),
    ...(context.packet ? { packetOut: context.packet.bytes.slice() } : {}),
    console: kernel.console, maps,
  };
  // The kernel may be the caller's and serve many runs: give back this run's stacks and context.
  machine.dispose();
  releaseContext(kernel, context);
  return result;
}
