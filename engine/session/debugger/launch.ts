// Starts a debuggable run: a fresh simulated kernel, the program predecoded into a Machine, wrapped for the debugger; restartable for `run`.
import { error, type Diagnostic, type Insn } from '../../isa';
import { ArrayMap, BpfMap, Kernel, prepare2013, type Helpers2013Mode, type KernelOptions, type MapDef, type RunProgType } from '../../kernel';
import type { Program2013 } from '../../isa/ebpf2013';
import { prepareRun } from '../../interp';
import type { LineTable } from './breakpoints';
import { DebugConsole, type ConsoleOptions } from './commands';
import { Debugger, type DebuggerOptions } from './debugger';
import { MachineTarget } from './machine-target';

export interface LaunchMap {
  readonly def: MapDef;
  /** Global data maps (.data, .rodata, .bss): the value of key 0 at load time. */
  readonly initialData?: Uint8Array;
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
}

/** A fresh kernel and Machine for the program, positioned at pc 0; map problems come back as diagnostics. */
export function launchTarget(spec: LaunchSpec): { target?: MachineTarget; diagnostics: Diagnostic[] } {
  const kernel = new Kernel(spec.kernel);
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
  return { target: new MachineTarget(prep.machine), diagnostics: [] };
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
    restart: () => launchTarget(spec).target!,
  });
  return { debugger: dbg, console };
}
