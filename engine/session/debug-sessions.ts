// Debug sessions for hosts: the debugger (engine/session/debugger) over an opened document's program, with plain-data snapshots.
//
// A thin facade: loading, launching, stepping and the command console all belong to
// engine/session/debugger; this file keeps sessions by id, launches them with the user's inputs
// (ctx, packet, memory probe_read can reach), applies edits made in the UI (registers, map
// entries), and turns their state into data a protocol can carry (64-bit values as hex strings,
// bytes as hex pairs).
import { error, warning, type Diagnostic } from '../isa';
import { ArrayMap, ERRNO, HashMap, MAX_FUNC_ARGS, ProgArrayMap, TRACE_ENTRY, joinAddress, type BpfMap, type Kernel, type RunProgType } from '../kernel';
import { PROG_TYPES } from '../kernel/prog-types';
import { DebugConsole } from './debugger/commands';
import { Debugger, type Stop } from './debugger/debugger';
import { carryTailSlots, launchTarget, type DebugSession, type LaunchSpec } from './debugger/launch';
import { loadDebugInput, type InputFormat } from './debugger/load';
import { MachineTarget } from './debugger/machine-target';
import { notProgArray } from './debugger/programs';
import type { DebugTarget } from './debugger/target';
import { describeOrigin, framesView, registersView } from './debugger/views';
import { evaluateWatches, type WatchResult } from './watches';
import type { WorkspaceDocument } from './workspace';

export type StepKind = 'into' | 'over' | 'out' | 'back';

export interface SlotSnapshot {
  readonly offset: number;
  readonly bytes?: string;
  readonly origin: string;
  readonly originKind: 'spill' | 'store' | 'atomic' | 'helper' | 'edit' | 'uninit';
  readonly originPc?: number;
  readonly pointsTo?: string;
}

export interface MapSnapshot {
  readonly index: number;
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly entries: { readonly key: string; readonly value: string }[];
  readonly total: number;
  readonly zeroesOmitted?: boolean;
  readonly editing: 'none' | 'values' | 'entries';
  /** prog_array: the filled slots and the document program in each (set them with setTailSlot). */
  readonly slots?: { readonly index: number; readonly program: number }[];
}

export interface SessionSnapshot {
  readonly session: number;
  readonly pc: number;
  /** The document program `pc` is in (a tail call changes it from the session's program). */
  readonly program?: number;
  readonly status: 'ready' | 'exited' | 'fault';
  readonly registers: { readonly name: string; readonly value: string }[];
  readonly frames: { readonly index: number; readonly pc: number; readonly program?: number; readonly function?: string; readonly source?: FrameSource; readonly slots: SlotSnapshot[] }[];
  readonly maps: MapSnapshot[];
  readonly message?: string;
}

/** A frame's source line (column 0 and empty text where the line table has none). */
export interface FrameSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

export interface StopResult {
  readonly reason: 'entry' | 'step' | 'breakpoint' | 'exit' | 'fault' | 'cancelled' | 'limit';
  readonly message: string;
  readonly state: SessionSnapshot;
}

/** A run's inputs as bytes (the protocol's ProgramInputs decoded). */
export interface SessionInputs {
  readonly type: RunProgType;
  readonly ctx?: Uint8Array;
  readonly packet?: Uint8Array;
  readonly mem?: Uint8Array;
  readonly memory: readonly { readonly address?: bigint; readonly bytes: Uint8Array; readonly user: boolean }[];
}

/** The ctx layout a UI edits for a run type. */
export interface InputsView {
  readonly inputs: SessionInputs;
  readonly ctxStruct: string;
  readonly ctxSize: number;
  readonly fields: { readonly name: string; readonly offset: number; readonly size: number }[];
  readonly memoryAddresses: bigint[];
}

/** Map entries one snapshot carries per map; matches the protocol's LIMITS.maxMapEntries. */
export const MAX_MAP_ENTRIES = 256;

interface Entry {
  readonly session: DebugSession;
  readonly functions: ReadonlyMap<number, string>;
  /** The program without inputs: instructions, maps, name. */
  readonly spec: LaunchSpec;
  inputs: SessionInputs;
  /** Where this run mapped inputs.memory. */
  memoryAddresses: bigint[];
  /** Program output lines already reported. */
  outputSeen: number;
  /** Document program index by program name (the object's programs, which tail calls move between). */
  readonly programIndex: ReadonlyMap<string, number>;
}

/** A breakpoint as hosts list it: pc in a document program. */
export interface BreakpointSummary {
  readonly id: number;
  readonly pc: number;
  readonly enabled: boolean;
  readonly condition?: string;
  /** Document program index; absent for the session's own program. */
  readonly program?: number;
  /** Times it was reached with its condition true (absent while zero). */
  readonly hits?: number;
}

const FORMAT: Readonly<Record<WorkspaceDocument['format'], InputFormat | undefined>> = { object: 'elf', asm: 'asm', raw: 'raw', image2013: undefined };

const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
const hexBytes = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** "aa bb" -> bytes (the protocol validated the shape). */
export function parseHexBytes(text: string): Uint8Array {
  const t = text.trim();
  return t === '' ? new Uint8Array(0) : Uint8Array.from(t.split(/\s+/), (x) => parseInt(x, 16));
}

function reasonOf(stop: Stop): StopResult['reason'] {
  switch (stop.reason) {
    case 'breakpoint':
    case 'watchpoint':
      return 'breakpoint';
    case 'exited':
      return 'exit';
    case 'fault':
      return 'fault';
    case 'cancelled':
      return 'cancelled';
    case 'budget':
    case 'history-exhausted':
      return 'limit';
    default:
      return stop.status.state === 'exited' ? 'exit' : stop.status.state === 'fault' ? 'fault' : 'step';
  }
}

/** How the debugger may change a map of this kind: array values in place, hash entries freely, nothing else. */
function editingOf(m: BpfMap): MapSnapshot['editing'] {
  if (m instanceof ArrayMap) return 'values';
  if (m instanceof HashMap) return 'entries';
  return 'none';
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(ERRNO).map(([k, v]) => [v, k]));
const errnoText = (rc: number): string => `${ERRNO_NAMES.get(-rc) ?? 'error'} (${rc})`;

/**
 * The first MAX_MAP_ENTRIES entries without building all of a large map's entries. Array maps list
 * only their non-zero elements: a 256-element array of counters is mostly zeroes, and the one
 * counter that moved would otherwise be lost among them (or past the cap).
 */
function mapEntries(m: BpfMap, cpu: number): { entries: { key: Uint8Array; value: Uint8Array }[]; total: number; zeroesOmitted?: boolean } {
  if (m instanceof ArrayMap) {
    const region = m.storage[m.type === 'percpu_array' ? cpu : 0];
    const stride = (m.def.valueSize + 7) & ~7;
    const entries = [];
    for (let i = 0; i < m.def.maxEntries && entries.length < MAX_MAP_ENTRIES; i++) {
      const value = region.bytes.subarray(i * stride, i * stride + m.def.valueSize);
      if (value.every((b) => b === 0)) continue;
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, i, true);
      entries.push({ key, value: value.slice() });
    }
    return { entries, total: m.def.maxEntries, zeroesOmitted: true };
  }
  const all = m.entries(cpu);
  return { entries: all.slice(0, MAX_MAP_ENTRIES), total: all.length };
}

/** The ctx a run type gets, named field by field where the kernel's struct has names. */
export function ctxLayout(type: RunProgType, ctxBytes: number): Pick<InputsView, 'ctxStruct' | 'ctxSize' | 'fields'> {
  const fields = (name: string) => (PROG_TYPES[name]?.fields ?? []).map((f) => ({ name: f.name, offset: f.offset, size: f.size }));
  switch (type) {
    case 'kprobe':
      return { ctxStruct: PROG_TYPES.kprobe.ctxStruct, ctxSize: PROG_TYPES.kprobe.ctxSize, fields: fields('kprobe') };
    case 'tracing':
    case 'raw_tracepoint': {
      // fentry/fexit and raw tracepoints see their arguments as u64 args[] (at most MAX_BPF_FUNC_ARGS).
      const n = MAX_FUNC_ARGS;
      const ctxStruct = type === 'tracing' ? 'u64 args[]' : 'struct bpf_raw_tracepoint_args (u64 args[])';
      return { ctxStruct, ctxSize: n * 8, fields: Array.from({ length: n }, (_, i) => ({ name: `args[${i}]`, offset: 8 * i, size: 8 })) };
    }
    case 'tracepoint':
      // The event's own fields follow the common header; their layout is in the event's format file
      // (tracefs events/<system>/<event>/format), so the rest of the record is given as bytes.
      return {
        ctxStruct: 'trace event record (struct trace_entry, then the event fields)',
        ctxSize: Math.max(ctxBytes, TRACE_ENTRY.size),
        fields: Object.entries(TRACE_ENTRY).filter(([n]) => n !== 'size').map(([name, offset], i, all) => ({
          name, offset, size: (i + 1 < all.length ? all[i + 1][1] : TRACE_ENTRY.size) - offset,
        })),
      };
    case 'syscall':
      return { ctxStruct: PROG_TYPES.syscall.ctxStruct, ctxSize: ctxBytes, fields: [] };
    case 'xdp':
      return { ctxStruct: PROG_TYPES.xdp.ctxStruct, ctxSize: PROG_TYPES.xdp.ctxSize, fields: fields('xdp') };
    case 'socket_filter':
    case 'sched_cls':
    case 'tc':
      return { ctxStruct: PROG_TYPES.socket_filter.ctxStruct, ctxSize: PROG_TYPES.socket_filter.ctxSize, fields: fields(type === 'socket_filter' ? 'socket_filter' : 'sched_cls') };
    case 'raw':
      return { ctxStruct: 'raw memory (r1 = address, r2 = length)', ctxSize: 0, fields: [] };
  }
}

/** A fresh target for the program with these inputs, and where its memory inputs were mapped. */
function launchWith(spec: LaunchSpec, inputs: SessionInputs): { target?: MachineTarget; addresses: bigint[]; diagnostics: Diagnostic[] } {
  const r = launchTarget({
    ...spec, type: inputs.type,
    ...(inputs.ctx ? { ctx: inputs.ctx } : {}),
    ...(inputs.packet ? { packet: inputs.packet } : {}),
    ...(inputs.mem ? { mem: inputs.mem } : {}),
  });
  if (!r.target) return { addresses: [], diagnostics: r.diagnostics };
  const kernel: Kernel = r.target.machine.kernel;
  const addresses: bigint[] = [];
  // Fixed addresses first, so the engine's own picks cannot take them.
  const order = inputs.memory.map((m, i) => ({ m, i })).sort((a, b) => Number(b.m.address !== undefined) - Number(a.m.address !== undefined));
  for (const { m, i } of order) {
    try {
      const region = kernel.mapKernelMemory(`${m.user ? 'user' : 'kernel'} memory input ${i}`, m.bytes.slice(), {
        user: m.user, writable: false, ...(m.address !== undefined ? { address: m.address } : {}),
      });
      addresses[i] = joinAddress(region.hi, region.lo);
    } catch (e) {
      const where = m.address !== undefined ? ` at ${hex64(m.address)}` : '';
      return { addresses: [], diagnostics: [error('session.memory-input', `memory input ${i}${where}: ${e instanceof Error ? e.message : String(e)}`)] };
    }
  }
  return { target: r.target, addresses, diagnostics: r.diagnostics };
}

export class DebugSessions {
  private readonly sessions = new Map<number, Entry>();
  private nextId = 1;

  /** @param cancelSignal shared flag another thread sets to stop a running command (element 0 non-zero). */
  constructor(private readonly cancelSignal?: Int32Array) {}

  create(doc: WorkspaceDocument, programIndex: number, inputs?: SessionInputs): { id?: number; state?: SessionSnapshot; diagnostics: Diagnostic[] } {
    const prog = doc.programs[programIndex];
    const format = FORMAT[doc.format];
    if (!prog || !format) return { diagnostics: [error('session.cannot-debug', `${doc.name}: program ${programIndex} cannot be debugged`)] };
    const loaded = loadDebugInput(doc.bytes, { file: doc.name, format, ...(format === 'elf' ? { program: prog.name } : {}) });
    if (!loaded.input) return { diagnostics: loaded.diagnostics };
    const input = loaded.input;
    // The object's other programs come along: tail calls can reach them once a prog_array slot holds them.
    const spec: LaunchSpec = { insns: input.insns, name: input.name, type: input.type, maps: input.maps, programs: input.programs };
    const first = inputs ?? { type: input.type, memory: [] };
    const launched = launchWith(spec, first);
    if (!launched.target) return { diagnostics: [...loaded.diagnostics, ...launched.diagnostics] };
    // The flag goes to the debugger (polled between steps, answered with a 'cancelled' stop), not to
    // the Machine: a Machine that sees it refuses the next step, which the debugger reports as 'not running'.
    const signal = this.cancelSignal;
    const dbg = new Debugger(launched.target, {
      lines: input.lines, programs: new Map(input.programs.map((p) => [p.name, p] as const)),
      ...(signal ? { shouldCancel: () => Atomics.load(signal, 0) !== 0 } : {}),
    });
    const id = this.nextId++;
    let entry: Entry | undefined = undefined;
    // The console's `run` starts over with the session's current inputs, like Apply in the inputs pane.
    const console = new DebugConsole(dbg, {
      functions: input.functions, sources: input.sources,
      restart: (): DebugTarget => {
        const e = entry as Entry;
        const again = launchWith(e.spec, e.inputs);
        e.memoryAddresses = again.addresses;
        // These inputs launched before, and a launch is deterministic. The prog_array slots the user filled stay.
        return carryTailSlots(dbg.target, again.target as MachineTarget);
      },
    });
    const indexOf = new Map(doc.programs.map((p, i) => [p.name, i] as const));
    entry = { session: { debugger: dbg, console }, functions: input.functions, spec, inputs: first, memoryAddresses: launched.addresses, outputSeen: 0, programIndex: indexOf };
    this.sessions.set(id, entry);
    return { id, state: this.snapshot(id), diagnostics: loaded.diagnostics };
  }

  /** Starts the program over with new inputs; breakpoints and watchpoints stay. */
  restart(id: number, inputs: SessionInputs): { state?: SessionSnapshot; diagnostics: Diagnostic[] } | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const launched = launchWith(e.spec, inputs);
    if (!launched.target) return { diagnostics: launched.diagnostics };
    e.inputs = inputs;
    e.memoryAddresses = launched.addresses;
    e.outputSeen = 0;
    const refused: Diagnostic[] = [];
    e.session.debugger.reset(carryTailSlots(e.session.debugger.target, launched.target, (m) => refused.push(warning('session.tail-slot', m))));
    return { state: this.snapshot(id), diagnostics: [...launched.diagnostics, ...refused] };
  }

  /** The session's inputs with the ctx layout of its run type. */
  inputs(id: number): InputsView | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    return { inputs: e.inputs, ...ctxLayout(e.inputs.type, e.inputs.ctx?.byteLength ?? 0), memoryAddresses: e.memoryAddresses };
  }

  /** Sets r0-r9 while paused (recorded, so a reverse step undoes it). */
  setRegister(id: number, reg: number, value: bigint): { message: string; ok: boolean } | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    if (!Number.isInteger(reg) || reg < 0 || reg > 9) return { ok: false, message: `r${reg} cannot be set (r0-r9 only; r10 is the read-only frame pointer)` };
    return e.session.debugger.assign(`r${reg} = ${hex64(value)}`);
  }

  /**
   * Sets a map entry. A value of an existing key is written in place as memory edits (recorded, so
   * step back undoes it); a new or deleted hash entry changes the map's structure, which the
   * history cannot undo, so that clears it and says so.
   */
  updateMap(id: number, index: number, key: Uint8Array, value: Uint8Array, flag: 'any' | 'noexist' | 'exist'): { ok: boolean; message: string } | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const found = this.mapOf(e, index);
    if ('message' in found) return { ok: false, message: found.message };
    const { map: m, kernel } = found;
    if (key.byteLength !== m.def.keySize) return { ok: false, message: `${m.name}: the key must be ${m.def.keySize} bytes, not ${key.byteLength}` };
    if (value.byteLength !== m.def.valueSize) return { ok: false, message: `${m.name}: the value must be ${m.def.valueSize} bytes, not ${value.byteLength}` };
    const dbg = e.session.debugger;
    const at = m instanceof ArrayMap || m.get(key, kernel.cpu) !== undefined ? m.lookupRegion(key, kernel.cpu) : undefined;
    if (at) {
      if (flag === 'noexist') return { ok: false, message: `${m.name}: the key exists: ${errnoText(-ERRNO.EEXIST)}` };
      const addr = joinAddress(at.region.hi, at.region.lo) + BigInt(at.offset);
      const failed = writeBytes(dbg, addr, value);
      return failed ? { ok: false, message: `${m.name}: ${failed}` } : { ok: true, message: `${m.name}[${hexBytes(key)}] = ${hexBytes(value)}` };
    }
    if (m instanceof ArrayMap) return { ok: false, message: `${m.name}: index out of range (max_entries ${m.def.maxEntries}): ${errnoText(-ERRNO.E2BIG)}` };
    if (flag === 'exist') return { ok: false, message: `${m.name}: no such key: ${errnoText(-ERRNO.ENOENT)}` };
    const rc = m.update(key, value, flag === 'noexist' ? 1 : 0, kernel.cpu);
    if (rc < 0) return { ok: false, message: `${m.name}: update failed: ${errnoText(rc)}` };
    return { ok: true, message: `${m.name}: added ${hexBytes(key)}; ${dbg.discardHistory(`a map entry was added to ${m.name}`)}` };
  }

  deleteMapEntry(id: number, index: number, key: Uint8Array): { ok: boolean; message: string } | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const found = this.mapOf(e, index);
    if ('message' in found) return { ok: false, message: found.message };
    const m = found.map;
    if (!(m instanceof HashMap)) return { ok: false, message: `${m.name}: ${m.type} elements cannot be deleted: ${errnoText(-ERRNO.EINVAL)}` };
    if (key.byteLength !== m.def.keySize) return { ok: false, message: `${m.name}: the key must be ${m.def.keySize} bytes, not ${key.byteLength}` };
    const rc = m.delete(key);
    if (rc < 0) return { ok: false, message: `${m.name}: delete failed: ${errnoText(rc)}` };
    return { ok: true, message: `${m.name}: deleted ${hexBytes(key)}; ${e.session.debugger.discardHistory(`a map entry was deleted from ${m.name}`)}` };
  }

  /**
   * Puts a document program into a prog_array slot (undefined: empties it), as user space does with
   * bpf_map_update_elem(prog_array, &slot, &prog_fd); recorded, so a reverse step undoes it.
   */
  setTailSlot(id: number, index: number, slot: number, program: number | undefined): { ok: boolean; message: string } | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const found = this.mapOf(e, index);
    if ('message' in found) return { ok: false, message: found.message };
    if (!(found.map instanceof ProgArrayMap)) return { ok: false, message: notProgArray(found.map.name, found.map.type) };
    let name: string | undefined;
    if (program !== undefined) {
      name = [...e.programIndex].find(([, i]) => i === program)?.[0];
      if (name === undefined) return { ok: false, message: `the document has no program ${program}` };
    }
    return e.session.debugger.setTailSlot(found.map.name, slot, name);
  }

  private mapOf(e: Entry, index: number): { map: BpfMap; kernel: Kernel } | { message: string } {
    const t = e.session.debugger.target;
    if (!(t instanceof MachineTarget)) return { message: 'this session has no simulated kernel' };
    const map = t.machine.kernel.allMaps()[index];
    return map ? { map, kernel: t.machine.kernel } : { message: `the program has no map ${index}` };
  }

  has(id: number): boolean {
    return this.sessions.has(id);
  }

  close(id: number): void {
    this.sessions.delete(id);
  }

  snapshot(id: number): SessionSnapshot | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const dbg = e.session.debugger;
    const status = dbg.target.status();
    const ctx = { functions: e.functions };
    const t = dbg.target;
    const kernel = t instanceof MachineTarget ? t.machine.kernel : undefined;
    const program = e.programIndex.get(dbg.programName() ?? '');
    const slots = new Map<string, { index: number; program: number }[]>();
    for (const s of t.tailSlots?.() ?? []) {
      const p = e.programIndex.get(s.program);
      if (p !== undefined) slots.set(s.map, [...(slots.get(s.map) ?? []), { index: s.index, program: p }]);
    }
    return {
      session: id,
      pc: dbg.target.pc(),
      ...(program !== undefined ? { program } : {}),
      status: status.state,
      registers: registersView(dbg, ctx).map((r) => ({ name: r.name, value: hex64(r.value) })),
      frames: framesView(dbg, ctx).map((f) => ({
        index: f.index,
        pc: f.pc,
        ...(f.program !== undefined && e.programIndex.has(f.program) ? { program: e.programIndex.get(f.program)! } : {}),
        ...(f.function !== undefined ? { function: f.function } : {}),
        ...(f.source ? { source: { file: f.source.file, line: f.source.line, column: f.source.column ?? 0, text: f.source.text ?? '' } } : {}),
        slots: f.slots.map((s): SlotSnapshot => {
          // Only values that look like addresses are worth a region lookup (as in the registers view).
          const to = s.value !== undefined && s.value > 0xffffffffn ? t.describeAddress?.(s.value) : undefined;
          return {
            offset: s.offset, ...(s.bytes ? { bytes: hexBytes(s.bytes) } : {}), origin: describeOrigin(s.origin), originKind: s.origin.kind,
            // A pc of another program (written before a tail call) is named in the text only: originPc indexes the session's listing.
            ...('pc' in s.origin && s.origin.program === undefined ? { originPc: s.origin.pc } : {}), ...(to !== undefined ? { pointsTo: to } : {}),
          };
        }),
      })),
      maps: kernel ? kernel.allMaps().map((m, index) => {
        const { entries, total, zeroesOmitted } = mapEntries(m, kernel.cpu);
        return {
          index, name: m.name, type: m.type, keySize: m.def.keySize, valueSize: m.def.valueSize, maxEntries: m.def.maxEntries,
          entries: entries.map((x) => ({ key: hexBytes(x.key), value: hexBytes(x.value) })), total,
          ...(zeroesOmitted ? { zeroesOmitted } : {}), editing: editingOf(m),
          ...(m instanceof ProgArrayMap ? { slots: slots.get(m.name) ?? [] } : {}),
        };
      }) : [],
      ...(status.state === 'fault' ? { message: status.message } : status.state === 'exited' ? { message: `exited with r0 = ${hex64(status.r0)}` } : {}),
    };
  }

  /** Watch expressions in the paused state (innermost frame's registers, all memory), one answer each. */
  evaluate(id: number, expressions: readonly string[]): { pc: number; values: WatchResult[] } | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const dbg = e.session.debugger;
    return { pc: dbg.target.pc(), values: evaluateWatches(expressions, dbg.state) };
  }

  /** Runs to the next breakpoint, exit or fault. */
  run(id: number): StopResult | undefined {
    return this.command(id, (e) => e.session.debugger.continue());
  }

  step(id: number, kind: StepKind): StopResult | undefined {
    return this.command(id, (e) => {
      const d = e.session.debugger;
      return kind === 'into' ? d.stepInstruction() : kind === 'over' ? d.nextInstruction() : kind === 'out' ? d.finish() : d.reverseStepInstruction();
    });
  }

  /**
   * Adds a breakpoint at pc of a document program (default: the session's own), or deletes the ones
   * there; returns the breakpoints afterwards.
   */
  toggleBreakpoint(id: number, pc: number, program?: number): BreakpointSummary[] | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const dbg = e.session.debugger;
    const name = program === undefined ? dbg.entryProgram : [...e.programIndex].find(([, i]) => i === program)?.[0];
    if (name === undefined && program !== undefined) return this.breakpoints(id);
    const points = dbg.points;
    const here = points.list().filter((p) => p.kind === 'breakpoint' && p.pc === pc && points.inProgram(p, name));
    if (here.length) for (const p of here) points.delete(p.id);
    else {
      const source = dbg.lineOf(pc, name);
      points.addBreakpoint(pc, `*${pc}`, { ...(source ? { source } : {}), ...(name !== undefined ? { program: name } : {}) });
    }
    return this.breakpoints(id);
  }

  breakpoints(id: number): BreakpointSummary[] | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    return e.session.debugger.points.list().flatMap((p) => {
      if (p.kind !== 'breakpoint') return [];
      const program = p.program !== undefined ? e.programIndex.get(p.program) : undefined;
      return [{
        id: p.id, pc: p.pc, enabled: p.enabled, ...(p.condition ? { condition: p.condition.text } : {}), ...(program !== undefined ? { program } : {}),
        ...(p.hits ? { hits: p.hits } : {}),
      }];
    });
  }

  /** One line of the gdb-like console. */
  console(id: number, line: string): { text: string; state: SessionSnapshot } | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    this.resetCancel();
    const r = e.session.console.execute(line);
    return { text: r.text, state: this.snapshot(id) as SessionSnapshot };
  }

  /** Lines the program printed since the last call (bpf_trace_printk and friends). */
  newOutput(id: number): string[] {
    const e = this.sessions.get(id);
    if (!e) return [];
    const all = e.session.debugger.target.output();
    // A console `run` relaunches the program with fresh output.
    if (all.length < e.outputSeen) e.outputSeen = 0;
    const fresh = all.slice(e.outputSeen);
    e.outputSeen = all.length;
    return [...fresh];
  }

  private resetCancel(): void {
    if (this.cancelSignal) Atomics.store(this.cancelSignal, 0, 0);
  }

  private command(id: number, f: (e: Entry) => Stop): StopResult | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    this.resetCancel();
    const stop = f(e);
    return { reason: reasonOf(stop), message: stop.message, state: this.snapshot(id) as SessionSnapshot };
  }
}

/** Writes bytes through the debugger in u64/u32/u16/u8 pieces, so each is an edit a reverse step undoes. */
function writeBytes(dbg: Debugger, addr: bigint, bytes: Uint8Array): string | undefined {
  for (let off = 0; off < bytes.byteLength;) {
    const left = bytes.byteLength - off;
    const size = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]);
    const r = dbg.assign(`*(u${size * 8} *)${hex64(addr + BigInt(off))} = ${hex64(v)}`);
    if (!r.ok) return r.message;
    off += size;
  }
  return undefined;
}
