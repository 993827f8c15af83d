// Debug sessions for hosts: the debugger (engine/session/debugger) over an opened document's program, with plain-data snapshots.
//
// A thin facade: loading, launching, stepping and the command console all belong to
// engine/session/debugger; this file keeps sessions by id and turns their state into data a
// protocol can carry (64-bit values as hex strings, bytes as hex pairs).
import { error, type Diagnostic } from '../isa';
import type { Stop } from './debugger/debugger';
import { createDebugSession, type DebugSession } from './debugger/launch';
import { loadDebugInput, type InputFormat } from './debugger/load';
import { describeOrigin, framesView, registersView } from './debugger/views';
import type { WorkspaceDocument } from './workspace';

export type StepKind = 'into' | 'over' | 'out' | 'back';

export interface SessionSnapshot {
  readonly session: number;
  readonly pc: number;
  readonly status: 'ready' | 'exited' | 'fault';
  readonly registers: { readonly name: string; readonly value: string }[];
  readonly frames: { readonly index: number; readonly pc: number; readonly function?: string; readonly slots: { readonly offset: number; readonly bytes?: string; readonly origin: string }[] }[];
  readonly maps: never[];
  readonly message?: string;
}

export interface StopResult {
  readonly reason: 'entry' | 'step' | 'breakpoint' | 'exit' | 'fault' | 'cancelled' | 'limit';
  readonly message: string;
  readonly state: SessionSnapshot;
}

interface Entry {
  readonly session: DebugSession;
  readonly functions: ReadonlyMap<number, string>;
  /** Program output lines already reported. */
  outputSeen: number;
}

const FORMAT: Readonly<Record<WorkspaceDocument['format'], InputFormat | undefined>> = { object: 'elf', asm: 'asm', raw: 'raw', image2013: undefined };

const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
const hexBytes = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

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

export class DebugSessions {
  private readonly sessions = new Map<number, Entry>();
  private nextId = 1;

  /** @param cancelSignal shared flag another thread sets to stop a running command (element 0 non-zero). */
  constructor(private readonly cancelSignal?: Int32Array) {}

  create(doc: WorkspaceDocument, programIndex: number): { id?: number; state?: SessionSnapshot; diagnostics: Diagnostic[] } {
    const prog = doc.programs[programIndex];
    const format = FORMAT[doc.format];
    if (!prog || !format) return { diagnostics: [error('session.cannot-debug', `${doc.name}: program ${programIndex} cannot be debugged`)] };
    const loaded = loadDebugInput(doc.bytes, { file: doc.name, format, ...(format === 'elf' ? { program: prog.name } : {}) });
    if (!loaded.input) return { diagnostics: loaded.diagnostics };
    const input = loaded.input;
    // The flag goes to the debugger (polled between steps, answered with a 'cancelled' stop), not to
    // the Machine: a Machine that sees it refuses the next step, which the debugger reports as 'not running'.
    const signal = this.cancelSignal;
    const s = createDebugSession(
      { insns: input.insns, name: input.name, type: input.type, maps: input.maps },
      { lines: input.lines, functions: input.functions, ...(signal ? { shouldCancel: () => Atomics.load(signal, 0) !== 0 } : {}) },
    );
    if (!('debugger' in s)) return { diagnostics: [...loaded.diagnostics, ...s.diagnostics] };
    const id = this.nextId++;
    this.sessions.set(id, { session: s, functions: input.functions, outputSeen: 0 });
    return { id, state: this.snapshot(id), diagnostics: loaded.diagnostics };
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
    return {
      session: id,
      pc: dbg.target.pc(),
      status: status.state,
      registers: registersView(dbg, ctx).map((r) => ({ name: r.name, value: hex64(r.value) })),
      frames: framesView(dbg, ctx).map((f) => ({
        index: f.index,
        pc: f.pc,
        ...(f.function !== undefined ? { function: f.function } : {}),
        slots: f.slots.map((s) => ({ offset: s.offset, ...(s.bytes ? { bytes: hexBytes(s.bytes) } : {}), origin: describeOrigin(s.origin) })),
      })),
      maps: [],
      ...(status.state === 'fault' ? { message: status.message } : status.state === 'exited' ? { message: `exited with r0 = ${hex64(status.r0)}` } : {}),
    };
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

  /** Adds a breakpoint at pc, or deletes the ones there; returns the breakpoints afterwards. */
  toggleBreakpoint(id: number, pc: number): { id: number; pc: number; enabled: boolean; condition?: string }[] | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    const points = e.session.debugger.points;
    const here = points.list().filter((p) => p.kind === 'breakpoint' && p.pc === pc);
    if (here.length) for (const p of here) points.delete(p.id);
    else points.addBreakpoint(pc, `*${pc}`, { ...(e.session.debugger.lineOf(pc) ? { source: e.session.debugger.lineOf(pc) } : {}) });
    return this.breakpoints(id);
  }

  breakpoints(id: number): { id: number; pc: number; enabled: boolean; condition?: string }[] | undefined {
    const e = this.sessions.get(id);
    if (!e) return undefined;
    return e.session.debugger.points.list().flatMap((p) =>
      p.kind === 'breakpoint' ? [{ id: p.id, pc: p.pc, enabled: p.enabled, ...(p.condition ? { condition: p.condition.text } : {}) }] : []);
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
