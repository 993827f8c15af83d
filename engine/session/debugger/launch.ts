// Starts a debuggable run: a fresh simulated kernel, the program predecoded into a Machine, wrapped for the debugger; restartable for `run`.
import { error, type Diagnostic, type Insn } from '../../isa';
import { ArrayMap, BpfMap, Kernel, prepare2013, registerDtrace, type Helpers2013Mode, type KernelOptions, type MapDef, type RunProgType } from '../../kernel';
import type { Program2013 } from '../../isa/ebpf2013';
import { prepareRun } from '../../interp';
import type { LineTable } from './breakpoints';
import { DebugConsole, type ConsoleOptions } from './commands';
import { Debugger, type DebuggerOptions } from './debugger';
import type { DebugTarget } from './target';
import { MachineTarget } from './machine-target';
import { ProgramCatalog, type LaunchProgram, type TailSpec } from './programs';

export interface LaunchMap {
  readonly def: MapDef;
  /** Global data maps (.data, .rodata, .bss): the value of key 0 at load time. */
  readonly initialData?: Uint8Array;
  /** The object's name for the map, when the kernel's (def.name, at most 15 characters) differs. */
  readonly name?: string;
}

export interface LaunchSpec {
  readonly insns: readonly Insn[];
  readonly name?: string;
  /** Run-time program type (ctx layout); default 'raw' (r1 = mem, r2 = its length). */
  readonly type?: RunProgType;
  readonly ctx?: Uint8Array;
  readonly mem?: Uint8Array;
  readonly packet?: Uint8Array;
  /** Maps in the order lddw map_idx / object relocations index them. */
  readonly maps?: readonly LaunchMap[];
  readonly kernel?: KernelOptions;
  /**
   * A 2013 image (seed 003): each launch binds its helpers and tables on the launch's kernel and
   * runs the result (insns is then only what the listing shows; prepare2013 makes the same ones).
   */
  readonly image2013?: { readonly program: Program2013; readonly helpers?: Helpers2013Mode; readonly probe?: string };
  /** Shared cancel flag (element 0 non-zero stops a run); a SharedArrayBuffer view lets another thread cancel. */
  readonly cancelSignal?: Int32Array;
  /** The object's other programs, which tail calls can reach once they are in a prog_array slot. */
  readonly programs?: readonly LaunchProgram[];
  /** prog_array slots to fill before the run starts (`--tail MAP:INDEX=PROGRAM`). */
  readonly tails?: readonly TailSpec[];
}

/** A fresh kernel and Machine for the program, positioned at pc 0; map problems come back as diagnostics. */
export function launchTarget(spec: LaunchSpec): { target?: MachineTarget; diagnostics: Diagnostic[] } {
  const kernel = new Kernel(spec.kernel);
  // Seed 002's DTrace type has to exist before anything is loaded: its helpers take the kernel's first dynamic ids.
  if (spec.tails?.some((t) => t.type === 'dtrace')) registerDtrace(kernel);
  let insns = spec.insns;
  if (spec.image2013) {
    const { program, helpers, probe } = spec.image2013;
    const prep = prepare2013(kernel, program, { ...(helpers ? { helpers } : {}), ...(probe !== undefined ? { probe } : {}) });
    if ('error' in prep) return { diagnostics: [...prep.diagnostics, error('debug.image2013', prep.error)] };
    insns = prep.insns;
    spec = { ...spec, maps: prep.maps.map((def) => ({ def })) };
  }
  const maps: BpfMap[] = [];
  for (const [i, m] of (spec.maps ?? []).entries()) {
    const made = kernel.createMap(m.def);
    if (!(made instanceof BpfMap)) return { diagnostics: [error('debug.map', `map ${i} (${m.def.name ?? 'unnamed'}): ${made.message}`)] };
    if (m.initialData && made instanceof ArrayMap) made.storage[0].bytes.set(m.initialData.subarray(0, made.storage[0].bytes.byteLength));
    maps.push(made);
  }
  const prep = prepareRun(insns, {
    kernel, maps, type: spec.type ?? 'raw',
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.ctx ? { ctx: spec.ctx } : {}),
    ...(spec.mem ? { mem: spec.mem } : {}),
    ...(spec.packet ? { packet: spec.packet } : {}),
    ...(spec.cancelSignal ? { cancelSignal: spec.cancelSignal } : {}),
  });
  if (!('machine' in prep)) return { diagnostics: [error('debug.launch', prep.message)] };
  const catalog = new ProgramCatalog(kernel, maps, spec.programs ?? [], prep.program, spec.type ?? 'raw', (spec.maps ?? []).map((m) => m.name));
  const diagnostics = catalog.fillAll(spec.tails ?? []);
  if (diagnostics.length) return { diagnostics };
  return { target: new MachineTarget(prep.machine, catalog), diagnostics: [] };
}

export interface DebugSession {
  readonly debugger: Debugger;
  readonly console: DebugConsole;
}

/** A debugger and its command console over a fresh run of the program; `run` after the start relaunches the same spec. */
export function createDebugSession(spec: LaunchSpec, opts: DebuggerOptions & ConsoleOptions & { lines?: LineTable } = {}): DebugSession | { diagnostics: Diagnostic[] } {
  const first = launchTarget(spec);
  if (!first.target) return { diagnostics: first.diagnostics };
  const signal = spec.cancelSignal;
  const dbg = new Debugger(first.target, { ...opts, ...(signal && !opts.shouldCancel ? { shouldCancel: () => Atomics.load(signal, 0) !== 0 } : {}) });
  const console = new DebugConsole(dbg, {
    mapNames: (spec.maps ?? []).map((m) => m.def.name ?? ''),
    ...opts,
    restart: () => carryTailSlots(dbg.target, launchTarget(spec).target!),
  });
  return { debugger: dbg, console };
}

/**
 * A relaunched run keeps the prog_array slots the user filled in the old one (`tail`, the Maps pane),
 * as gdb keeps breakpoints: programs never change prog_array slots themselves, so the old target's
 * slots are exactly the user's choices.
 */
export function carryTailSlots<T extends DebugTarget>(from: DebugTarget, to: T, refused?: (message: string) => void): T {
  if (!from.tailSlots || !to.setTailSlot || !to.tailSlots) return to;
  const key = (s: { map: string; index: number }): string => `${s.map}\0${s.index}`;
  const want = new Map(from.tailSlots().map((s) => [key(s), s] as const));
  const have = new Map(to.tailSlots().map((s) => [key(s), s] as const));
  // Only differences are applied, so slots the launch filled with an explicit type (@dtrace) keep it.
  for (const [k, s] of have) if (want.get(k)?.program !== s.program) to.setTailSlot(s.map, s.index, undefined);
  for (const [k, s] of want) {
    if (have.get(k)?.program === s.program) continue;
    // A relaunch with another run type can make the kernel refuse a slot (bpf_check_tail_call).
    const r = to.setTailSlot(s.map, s.index, s.program);
    if (!r.ok) refused?.(`${s.map}[${s.index}] = ${s.program} not kept: ${r.message}`);
  }
  return to;
}
