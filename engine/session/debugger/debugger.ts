// The debugger core: breakpoints, watchpoints, forward and reverse stepping over a DebugTarget, with a bounded step-back history.
//
// Reverse execution replays nothing: every forward step's change record (registers and memory
// bytes before/after) goes into the history, and stepping back undoes records newest first.
// Edits made while paused (set r1 = 5, set *(u32 *)(r10-4) = 7) are recorded in the same history
// as edit entries, so a reverse step first undoes the edits made since the last step and then the
// step itself: after any sequence of steps, edits and reverse steps the state is exactly what it
// was at that point going forward. Edits the debugger cannot undo (map element insertion done
// elsewhere) must call `discardHistory`, which says so in its message.
import type { Insn } from '../../isa';
import { PointTable, resolveLine, type Breakpoint, type LineTable, type Resolved, type SourceLine, type WatchHit } from './breakpoints';
import { evaluate, parseAssignment, storeScalar, TYPE_SIZE, type EvalState, type Expr } from './expr';
import type { DebugTarget, FrameInfo, MemChange, StepChange, StopPoint, TailCallNote, TargetStatus } from './target';

export type StopReason =
  | 'step' // a stepping command finished normally
  | 'breakpoint'
  | 'watchpoint'
  | 'exited'
  | 'fault'
  | 'budget' // ran the per-command instruction budget
  | 'cancelled'
  | 'history-start' // reverse execution reached the start of the recording
  | 'history-exhausted' // reverse execution reached the oldest kept record; older ones were dropped
  | 'not-running'; // nothing to do: the program already exited or faulted

export interface Stop {
  readonly reason: StopReason;
  readonly pc: number;
  /** Instructions executed (forward) or undone (reverse) by the command. */
  readonly steps: number;
  readonly message: string;
  readonly breakpoint?: Breakpoint;
  readonly watch?: readonly WatchHit[];
  /** Condition evaluation faults met on the way (the condition counted as false). */
  readonly conditionFaults: ReadonlyArray<{ readonly id: number; readonly fault: string }>;
  readonly status: TargetStatus;
  /** The program execution is in (tail calls change it); undefined for single-program targets. */
  readonly program?: string;
  /** The last bpf_tail_call the command ran (forward), taken or not. */
  readonly tailCall?: TailCallNote;
}

/** Line table and function names of one program of the object. */
export interface ProgramDebugInfo {
  readonly lines: LineTable;
  /** Entry pc -> function name (the program and the subprograms linked into it). */
  readonly functions?: ReadonlyMap<number, string>;
}

/** What was last stored in an 8-byte stack slot; `program` when the pc is not in the debugged program (tail calls). */
export type SlotOrigin =
  | { readonly kind: 'spill'; readonly reg: number; readonly pc: number; readonly program?: string }
  | { readonly kind: 'store'; readonly pc: number; readonly size: number; readonly reg?: number; readonly program?: string }
  | { readonly kind: 'atomic'; readonly pc: number; readonly program?: string }
  | { readonly kind: 'helper'; readonly pc: number; readonly program?: string }
  | { readonly kind: 'edit' }
  | { readonly kind: 'uninit' };

type HistoryEntry =
  | { readonly kind: 'step'; readonly change: StepChange; readonly origins: ReadonlyArray<readonly [bigint, SlotOrigin | undefined]> }
  | { readonly kind: 'edit'; readonly text: string; readonly reg?: { n: number; before: bigint }; readonly mem?: MemChange; readonly undo?: () => void; readonly origins: ReadonlyArray<readonly [bigint, SlotOrigin | undefined]> };

/** How a command runs on the unrecorded fast path: extra stop points, or a predicate asked before each instruction. */
interface NativeRun {
  readonly stopPcs?: readonly StopPoint[];
  readonly until?: () => boolean;
}

export interface DebuggerOptions {
  /** The debugged program's line table. */
  readonly lines?: LineTable;
  /** The object's other programs (reached by tail calls), by name. */
  readonly programs?: ReadonlyMap<string, ProgramDebugInfo>;
  /** Steps kept for reverse execution (default 100,000). 0 disables recording and enables the interpreter's fast path. */
  readonly historyLimit?: number;
  /**
   * Instructions one forward command may run before stopping with 'budget': default 1,000,000
   * when recording (about 2 s at the measured 0.4-0.6 M recorded steps/s), 100,000,000 on the fast path.
   */
  readonly budget?: number;
  /** Polled every 4,096 recorded steps and every 1M unrecorded ones; returning true stops the command with 'cancelled'. */
  readonly shouldCancel?: () => boolean;
}

// Measured with debugger.bench.ts (--expose-gc): about 0.3 KB of heap per recorded step (the
// interpreter's compact undo records plus this history's entries), so 100,000 steps cost about
// 32 MB. Raise it with historyLimit when needed.
const DEFAULT_HISTORY = 100_000;
const NO_ORIGINS: Array<readonly [bigint, SlotOrigin | undefined]> = [];
const NO_REGS: StepChange['regs'] = [];
const NO_MEM: StepChange['mem'] = [];
const DEFAULT_BUDGET_RECORDED = 1_000_000;
const DEFAULT_BUDGET_NATIVE = 100_000_000;
const NATIVE_CHUNK = 1 << 20;

/** A bounded ring of history entries: pushing past the limit drops (overwrites) the oldest. */
class History {
  private ring: Array<HistoryEntry | undefined> = [];
  private start = 0;
  private count = 0;
  /** Steps dropped because of the limit since the last clear. */
  dropped = 0;
  private max: number;

  constructor(limit: number) {
    this.max = Math.max(0, Math.floor(limit));
  }

  get limit(): number {
    return this.max;
  }

  /** Changing the limit keeps the newest entries that fit. */
  set limit(n: number) {
    const keep: HistoryEntry[] = [];
    for (let i = 0; i < this.count; i++) keep.push(this.at(i));
    this.max = Math.max(0, Math.floor(n));
    const cut = Math.max(0, keep.length - this.max);
    for (let i = 0; i < cut; i++) if (keep[i].kind === 'step') this.dropped++;
    this.ring = keep.slice(cut);
    this.start = 0;
    this.count = this.ring.length;
  }

  get length(): number {
    return this.count;
  }

  private at(i: number): HistoryEntry {
    return this.ring[(this.start + i) % this.ring.length]!;
  }

  push(e: HistoryEntry): void {
    if (this.max === 0) {
      if (e.kind === 'step') this.dropped++;
      return;
    }
    if (this.count < this.max) {
      // Grow until the limit; the ring is contiguous from `start` while it grows only if start is 0.
      if (this.ring.length < this.max && this.start === 0) {
        this.ring[this.count++] = e;
        return;
      }
      this.ring[(this.start + this.count++) % this.ring.length] = e;
      return;
    }
    const oldest = this.ring[this.start]!;
    if (oldest.kind === 'step') this.dropped++;
    this.ring[this.start] = e;
    this.start = (this.start + 1) % this.ring.length;
  }

  pop(): HistoryEntry | undefined {
    if (this.count === 0) return undefined;
    const i = (this.start + this.count - 1) % this.ring.length;
    const e = this.ring[i];
    this.ring[i] = undefined;
    this.count--;
    if (this.count === 0) {
      this.start = 0;
      this.ring.length = 0;
    }
    return e;
  }

  peek(): HistoryEntry | undefined {
    return this.count ? this.at(this.count - 1) : undefined;
  }

  clear(): void {
    this.ring = [];
    this.start = 0;
    this.count = 0;
    this.dropped = 0;
  }

  steps(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.at(i).kind === 'step') n++;
    return n;
  }
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

const NO_LINES: LineTable = new Map();

export class Debugger {
  readonly points = new PointTable();
  private readonly entryLines: LineTable;
  private readonly programInfo: ReadonlyMap<string, ProgramDebugInfo>;
  /** The program the session started in (breakpoints without a program belong to it). */
  private entry: string | undefined;
  private readonly history: History;
  private readonly budgetRecorded: number;
  private readonly budgetNative: number;
  private readonly shouldCancel: (() => boolean) | undefined;
  private cancelRequested = false;
  private readonly origins = new Map<bigint, SlotOrigin>();
  /** Per program: the pcs with line entries, sorted, for "the line a pc belongs to". */
  private readonly linePcs = new Map<string | undefined, number[]>();
  private lastTail: TailCallNote | undefined;
  /** Total forward steps since the start (minus undone ones): the position in the recording. */
  private position = 0;

  private current: DebugTarget;

  constructor(target: DebugTarget, opts: DebuggerOptions = {}) {
    this.current = target;
    this.entryLines = opts.lines ?? NO_LINES;
    this.programInfo = opts.programs ?? new Map();
    this.history = new History(opts.historyLimit ?? DEFAULT_HISTORY);
    this.budgetRecorded = opts.budget ?? DEFAULT_BUDGET_RECORDED;
    this.budgetNative = opts.budget ?? DEFAULT_BUDGET_NATIVE;
    this.shouldCancel = opts.shouldCancel;
    this.entry = target.program?.();
    this.points.mainProgram = this.entry;
  }

  /** The program execution is in now (undefined for single-program targets). */
  programName(): string | undefined {
    return this.current.program?.();
  }

  /** The program the session started in. */
  get entryProgram(): string | undefined {
    return this.entry;
  }

  /** Every program this run can reach (the debugged one first). */
  programNames(): readonly string[] {
    return this.current.programs?.() ?? (this.entry !== undefined ? [this.entry] : []);
  }

  /** True when the object has programs besides the debugged one (locations then name their program). */
  get multiProgram(): boolean {
    return this.programNames().length > 1;
  }

  /** A program's line table (undefined: the current program). */
  linesOf(program: string | undefined = this.programName()): LineTable {
    if (program === undefined || program === this.entry) return this.entryLines;
    return this.programInfo.get(program)?.lines ?? NO_LINES;
  }

  /** A program's function names by entry pc (undefined where the debugger was given none). */
  functionsOf(program: string | undefined): ReadonlyMap<number, string> | undefined {
    return program === undefined || program === this.entry ? undefined : this.programInfo.get(program)?.functions;
  }

  /** The current program's line table. */
  get lines(): LineTable {
    return this.linesOf();
  }

  /** Every line table of the session with its program. */
  allLines(): ReadonlyArray<readonly [string | undefined, LineTable]> {
    const out: Array<readonly [string | undefined, LineTable]> = [[this.entry, this.entryLines]];
    for (const [name, info] of this.programInfo) if (name !== this.entry) out.push([name, info.lines]);
    return out;
  }

  /** The instruction at pc of a program (undefined program: the current one). */
  insnIn(program: string | undefined, pc: number): Insn | undefined {
    if (program === undefined || program === this.programName()) return this.target.insnAt(pc);
    return this.target.insnIn?.(program, pc);
  }

  get target(): DebugTarget {
    return this.current;
  }

  /**
   * Starts over on a fresh target (the `run` command): history, slot origins and the step count
   * are cleared; breakpoints and watchpoints stay, with their hit counts, as in gdb.
   */
  reset(target: DebugTarget): void {
    this.current = target;
    this.history.clear();
    this.origins.clear();
    this.position = 0;
    this.lastTail = undefined;
    // Breakpoints without a program follow the entry program into the new run (its Program is new).
    this.entry = target.program?.();
    this.points.mainProgram = this.entry;
    this.points.resyncWatchpoints(this.state);
  }

  /** The state expressions are evaluated against: the innermost frame's registers and all memory. */
  get state(): EvalState {
    const t = this.target;
    return { reg: (n) => t.reg(n), read: (a, s) => t.read(a, s), pc: () => t.pc() };
  }

  /** Instructions executed so far on the current timeline (forward steps minus undone ones). */
  get stepCount(): number {
    return this.position;
  }

  get historyLimit(): number {
    return this.history.limit;
  }

  set historyLimit(n: number) {
    this.history.limit = n;
  }

  /** Recorded steps available for reverse execution. */
  historySteps(): number {
    return this.history.steps();
  }

  /** Asks a running command to stop at its next poll (for hosts that can call in while it runs). */
  cancel(): void {
    this.cancelRequested = true;
  }

  insnAt(pc: number): Insn | undefined {
    return this.target.insnAt(pc);
  }

  /**
   * The source line a pc of a program (default: the current one) belongs to: its own entry or the
   * nearest entry before it (line info is sparse in compiled code).
   */
  lineOf(pc: number, program: string | undefined = this.programName()): SourceLine | undefined {
    const lines = this.linesOf(program);
    const own = lines.get(pc);
    if (own) return own;
    const key = program === this.entry ? undefined : program;
    let pcs = this.linePcs.get(key);
    if (!pcs) {
      pcs = [...lines.keys()].sort((a, b) => a - b);
      this.linePcs.set(key, pcs);
    }
    let a = 0;
    let b = pcs.length - 1;
    let found = -1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (pcs[m] <= pc) {
        found = m;
        a = m + 1;
      } else b = m - 1;
    }
    return found >= 0 ? lines.get(pcs[found]) : undefined;
  }

  /** First pc of a source line in the current program (default file: the current pc's). */
  resolveLine(file: string | undefined, line: number): ReturnType<typeof resolveLine> {
    return resolveLine(this.lines, file ?? this.lineOf(this.target.pc())?.file, line);
  }

  /**
   * A source line in whichever programs contain it: each program's first pc of the line (or of the
   * next line with code, as gdb moves a breakpoint), keeping the programs whose resolved line is
   * nearest. A static function linked into two programs has the line in both. With `program`, only
   * that program is searched.
   */
  resolveLineInPrograms(file: string | undefined, line: number, program?: string): Resolved<ReadonlyArray<{ pc: number; source: SourceLine; program: string | undefined }>> {
    const defaultFile = file ?? this.lineOf(this.target.pc())?.file;
    const current = this.programName();
    const tables = program !== undefined ? [[program, this.linesOf(program)] as const] : this.allLines();
    let firstError: Resolved<never> | undefined;
    let best: Array<{ pc: number; source: SourceLine; program: string | undefined; note?: string }> = [];
    for (const [name, table] of tables) {
      if (table.size === 0) continue;
      const r = resolveLine(table, defaultFile, line);
      if (!r.ok) {
        firstError ??= r;
        continue;
      }
      const here = { ...r.value, program: name, ...(r.note ? { note: r.note } : {}) };
      if (!best.length || here.source.line < best[0].source.line) best = [here];
      else if (here.source.line === best[0].source.line) best.push(here);
    }
    if (!best.length) return firstError ?? resolveLine(NO_LINES, defaultFile, line) as Resolved<never>;
    // The current program first, so a one-location answer prefers where the user is.
    best.sort((a, b) => Number(b.program === current) - Number(a.program === current));
    return { ok: true, value: best.map(({ pc, source, program: p }) => ({ pc, source, program: p })), ...(best[0].note ? { note: best[0].note } : {}) };
  }

  // ---- forward execution ----

  private depth(): number {
    return this.target.depth();
  }

  private ready(): boolean {
    return this.target.status().state === 'ready';
  }

  /** Runs one instruction, records it, and updates stack-slot origins. */
  private forward(): StepChange | undefined {
    const pc = this.target.pc();
    const insn = this.target.insnAt(pc);
    const ch = this.target.step();
    if (!ch) return undefined;
    this.position++;
    // bpf_tail_call (helper 12): remember where it went, or why it fell through, for the stop message.
    if (insn !== undefined && insn.imm === 12 && insn.form.id === 'call' && this.target.tailCallNote) {
      this.lastTail = this.target.tailCallNote(pc, ch.program ?? '') ?? this.lastTail;
    }
    let prev: Array<readonly [bigint, SlotOrigin | undefined]> = NO_ORIGINS;
    if (ch.mem.length) {
      prev = [];
      // A tail call keeps the frame's stack: a slot the caller wrote reads "at pc 3 of dispatch" in the callee.
      const origin = originOf(insn, pc);
      const tagged = ch.program !== undefined && ch.program !== this.entry && 'pc' in origin ? { ...origin, program: ch.program } : origin;
      for (const m of ch.mem) this.noteWrite(m, tagged, prev);
    }
    // The history keeps what undo needs, not the change's register and byte lists.
    this.history.push({ kind: 'step', change: { pc: ch.pc, depthBefore: ch.depthBefore, depthAfter: ch.depthAfter, token: ch.token, regs: NO_REGS, mem: NO_MEM, program: ch.program }, origins: prev });
    return ch;
  }

  private noteWrite(m: MemChange, origin: SlotOrigin, prev: Array<readonly [bigint, SlotOrigin | undefined]>): void {
    const first = m.addr & ~7n;
    const end = m.addr + BigInt(m.after.length);
    for (let slot = first; slot < end; slot += 8n) {
      prev.push([slot, this.origins.get(slot)]);
      this.origins.set(slot, origin);
    }
  }

  private stopNow(reason: StopReason, steps: number, message: string, extra: Partial<Stop> = {}): Stop {
    const program = this.programName();
    const tail = this.lastTail;
    this.lastTail = undefined;
    return {
      reason, pc: this.target.pc(), steps, message, conditionFaults: [], status: this.target.status(),
      ...(program !== undefined ? { program } : {}), ...(tail ? { tailCall: tail } : {}), ...extra,
    };
  }

  /** "Breakpoint 2, pc 7 in parse_ipv4 at prog.c:12": names the program when the object has several. */
  private breakMessage(bp: Breakpoint, pc: number): string {
    return breakpointMessage(bp, pc, this.lineOf(pc), this.multiProgram ? this.programName() : undefined);
  }

  private notRunning(): Stop {
    const st = this.target.status();
    const why = st.state === 'exited' ? `it exited with r0 = ${st.r0} (${hex(st.r0)})` : st.state === 'fault' ? `it faulted: ${st.message}` : '';
    return this.stopNow('not-running', 0, `The program is not running: ${why}. Use reverse-step or reverse-continue to go back, or run to restart.`);
  }

  /**
   * The forward loop every command uses. `done` is asked after each step (with the frame depth
   * before the command) and stops the loop with reason 'step'. Breakpoints are checked at each
   * new pc when `breakpoints` is set; watchpoints after every step.
   */
  private go(done: (ch: StepChange, steps: number) => boolean, breakpoints: boolean, fast?: NativeRun): Stop {
    if (!this.ready()) return this.notRunning();
    this.cancelRequested = false;
    this.lastTail = undefined;
    if (fast && this.history.limit === 0 && this.target.runNative && !this.points.hasWatchpoints()) return this.goNative(fast, breakpoints);
    const faults: Array<{ id: number; fault: string }> = [];
    const watching = this.points.hasWatchpoints();
    let steps = 0;
    for (;;) {
      const ch = this.forward();
      // A ready program that did not step had its Machine-level cancel flag set.
      if (!ch) return this.ready() ? this.stopNow('cancelled', steps, `cancelled after ${steps} instructions`) : this.notRunning();
      steps++;
      const status = this.target.status();
      if (watching) {
        const w = this.points.checkWatchpoints(this.state);
        faults.push(...w.faults);
        if (w.hits.length) return this.stopNow('watchpoint', steps, w.hits.map((h) => describeWatchHit(h)).join('\n'), { watch: w.hits, conditionFaults: faults });
      }
      if (status.state === 'exited') return this.stopNow('exited', steps, `program exited with r0 = ${status.r0} (${hex(status.r0)})`, { conditionFaults: faults });
      if (status.state === 'fault') return this.stopNow('fault', steps, `program faulted at pc ${ch.pc}: ${status.message}`, { conditionFaults: faults });
      const pc = this.target.pc();
      if (breakpoints && this.points.anyAt(pc) && this.points.hasBreakpointAt(pc, this.programName())) {
        const b = this.points.checkBreakpoints(pc, this.state, this.programName());
        faults.push(...b.faults);
        if (b.stop) return this.stopNow('breakpoint', steps, this.breakMessage(b.stop, pc), { breakpoint: b.stop, conditionFaults: faults });
      }
      if (done(ch, steps)) return this.stopNow('step', steps, '', { conditionFaults: faults });
      if (steps >= this.budgetRecorded) return this.stopNow('budget', steps, `stopped after ${steps} instructions (the per-command budget); continue to go on`, { conditionFaults: faults });
      if ((steps & 0xfff) === 0 && (this.cancelRequested || this.shouldCancel?.())) return this.stopNow('cancelled', steps, `cancelled after ${steps} instructions`, { conditionFaults: faults });
    }
  }

  /**
   * The unrecorded fast path (history limit 0, no watchpoints): the interpreter runs at full
   * speed between stop pcs. Stack-slot origins are not tracked on this path.
   */
  private goNative(fast: NativeRun, breakpoints: boolean): Stop {
    const run = this.target.runNative!.bind(this.target);
    const stops: StopPoint[] = [...(fast.stopPcs ?? [])];
    if (breakpoints) for (const p of this.points.list()) if (p.kind === 'breakpoint' && p.enabled) stops.push({ pc: p.pc, program: p.program ?? this.entry });
    const faults: Array<{ id: number; fault: string }> = [];
    let steps = 0;
    for (;;) {
      // Chunks of 1M instructions, so that shouldCancel is polled a few times per second.
      const r = run(stops, Math.min(NATIVE_CHUNK, this.budgetNative - steps), fast.until);
      steps += r.steps;
      this.position += r.steps;
      this.history.dropped += r.steps;
      const status = this.target.status();
      if (r.reason === 'exit' && status.state === 'exited') return this.stopNow('exited', steps, `program exited with r0 = ${status.r0} (${hex(status.r0)})`, { conditionFaults: faults });
      if (r.reason === 'fault' && status.state === 'fault') return this.stopNow('fault', steps, `program faulted at pc ${this.target.pc()}: ${status.message}`, { conditionFaults: faults });
      if (r.reason === 'predicate') return this.stopNow('step', steps, '', { conditionFaults: faults });
      if (r.reason === 'cancelled') return this.stopNow('cancelled', steps, `cancelled after ${steps} instructions`, { conditionFaults: faults });
      if (r.reason === 'budget' && steps < this.budgetNative) {
        if (this.cancelRequested || this.shouldCancel?.()) return this.stopNow('cancelled', steps, `cancelled after ${steps} instructions`, { conditionFaults: faults });
        continue;
      }
      if (r.reason === 'budget' || steps >= this.budgetNative) return this.stopNow('budget', steps, `stopped after ${steps} instructions (the per-command budget); continue to go on`, { conditionFaults: faults });
      const pc = this.target.pc();
      const program = this.programName();
      if (breakpoints && this.points.hasBreakpointAt(pc, program)) {
        const b = this.points.checkBreakpoints(pc, this.state, program);
        faults.push(...b.faults);
        if (b.stop) return this.stopNow('breakpoint', steps, this.breakMessage(b.stop, pc), { breakpoint: b.stop, conditionFaults: faults });
      }
      if (fast.stopPcs?.some((s) => s.pc === pc && (s.program === undefined || s.program === program))) return this.stopNow('step', steps, '', { conditionFaults: faults });
      if ((this.cancelRequested || this.shouldCancel?.())) return this.stopNow('cancelled', steps, `cancelled after ${steps} instructions`, { conditionFaults: faults });
    }
  }

  /** stepi: exactly one instruction (a call_local enters the subprogram; a helper call is one step). */
  stepInstruction(): Stop {
    return this.go(() => true, false);
  }

  /** nexti: one instruction, but a call_local runs until it returns to this frame depth. */
  nextInstruction(): Stop {
    const d = this.depth();
    return this.go((ch) => ch.depthAfter <= d, true, { until: () => this.depth() <= d });
  }

  /**
   * step: until the pc is on a different source line (or another frame). Without line
   * information it is one instruction.
   */
  stepLine(): Stop {
    const start = this.lineOf(this.target.pc());
    if (!start) return this.stepInstruction();
    const d = this.depth();
    const from = this.programName();
    return this.go((ch) => ch.depthAfter !== d || this.newLine(start, from), false);
  }

  /** next: like step, but calls into subprograms run to their return. */
  nextLine(): Stop {
    const start = this.lineOf(this.target.pc());
    if (!start) return this.nextInstruction();
    const d = this.depth();
    const from = this.programName();
    // A tail call is no call: nothing returns from it, so `next` stops at the first line of the program it enters.
    const done = (): boolean => this.depth() < d || (this.depth() === d && this.newLine(start, from));
    return this.go(done, true, { until: done });
  }

  private newLine(start: SourceLine, from: string | undefined): boolean {
    const pc = this.target.pc();
    const program = this.programName();
    const lines = this.linesOf(program);
    // Only stop at the first instruction of a line table entry, so that a line's second half
    // (after a jump back into it) does not count as a new line. Another program (after a tail call)
    // is a new line even where its line numbers coincide.
    if (!lines.has(pc)) return false;
    const now = this.lineOf(pc, program);
    return now !== undefined && (program !== from || now.line !== start.line || now.file !== start.file);
  }

  /** finish: until the current frame returns to its caller. */
  finish(): Stop {
    const d = this.depth();
    if (d <= 1) return this.stopNow('not-running', 0, '"finish" not meaningful in the outermost frame.');
    return this.go((ch) => ch.depthAfter < d, true, { until: () => this.depth() < d });
  }

  /** continue: until a breakpoint, watchpoint, exit, fault or the budget. */
  continue(): Stop {
    return this.go(() => false, true, {});
  }

  /** until/advance: continue, also stopping when pc (of `program`, default the current one) is reached. */
  runTo(pc: number, program: string | undefined = this.programName()): Stop {
    const at = (): boolean => this.target.pc() === pc && (program === undefined || this.programName() === program);
    return this.go(at, true, { stopPcs: [{ pc, ...(program !== undefined ? { program } : {}) }] });
  }

  // ---- reverse execution ----

  /** Undoes the newest history entry; returns the undone step's change, or an edit's text. */
  private backward(): { step?: StepChange; edit?: string } | undefined {
    const e = this.history.pop();
    if (!e) return undefined;
    for (let i = e.origins.length - 1; i >= 0; i--) {
      const [slot, o] = e.origins[i];
      if (o) this.origins.set(slot, o);
      else this.origins.delete(slot);
    }
    if (e.kind === 'step') {
      this.target.undo(e.change);
      this.position--;
      return { step: e.change };
    }
    if (e.reg) this.target.setReg(e.reg.n, e.reg.before);
    if (e.mem) this.target.write(e.mem.addr, e.mem.before);
    e.undo?.();
    return { edit: e.text };
  }

  private historyEnd(steps: number, edits: string[]): Stop {
    const undoneEdits = edits.length ? ` (undid edits: ${edits.join('; ')})` : '';
    if (this.history.limit === 0) {
      return this.stopNow('history-exhausted', steps, `Reverse execution is off (history limit 0): nothing was recorded. Turn it on with "set history-limit N" (it applies from then on).${undoneEdits}`);
    }
    if (this.history.dropped > 0) {
      return this.stopNow('history-exhausted', steps, `Reached the oldest recorded step: older history was dropped (the limit is ${this.history.limit} steps, ${this.history.dropped} dropped; raise it with "set history-limit N").${undoneEdits}`);
    }
    return this.stopNow('history-start', steps, `No more reverse-execution history: at the start of the program.${undoneEdits}`);
  }

  /**
   * The reverse loop. `done` is asked after each undone step with the step that was undone (so
   * the state is now the one before it). Edits on top of the history are undone along the way.
   */
  private back(done: (ch: StepChange, steps: number) => boolean, breakpoints: boolean): Stop {
    this.cancelRequested = false;
    this.lastTail = undefined;
    const edits: string[] = [];
    const watching = this.points.hasWatchpoints();
    const faults: Array<{ id: number; fault: string }> = [];
    let steps = 0;
    for (;;) {
      const r = this.backward();
      if (!r) {
        if (watching) this.points.resyncWatchpoints(this.state);
        return this.historyEnd(steps, edits);
      }
      if (r.edit !== undefined) {
        edits.push(r.edit);
        continue;
      }
      const ch = r.step!;
      steps++;
      const suffix = edits.length ? ` (undid edits: ${edits.join('; ')})` : '';
      if (watching) {
        const w = this.points.checkWatchpoints(this.state);
        faults.push(...w.faults);
        if (w.hits.length) return this.stopNow('watchpoint', steps, w.hits.map((h) => describeWatchHit(h)).join('\n') + suffix, { watch: w.hits, conditionFaults: faults });
      }
      const pc = this.target.pc();
      if (breakpoints && this.points.anyAt(pc) && this.points.hasBreakpointAt(pc, this.programName())) {
        const b = this.points.checkBreakpoints(pc, this.state, this.programName());
        faults.push(...b.faults);
        if (b.stop) return this.stopNow('breakpoint', steps, this.breakMessage(b.stop, pc) + suffix, { breakpoint: b.stop, conditionFaults: faults });
      }
      if (done(ch, steps)) return this.stopNow('step', steps, suffix.trim(), { conditionFaults: faults });
      if ((steps & 0xfff) === 0 && (this.cancelRequested || this.shouldCancel?.())) return this.stopNow('cancelled', steps, `cancelled after undoing ${steps} instructions`, { conditionFaults: faults });
    }
  }

  /** reverse-stepi: undo exactly one instruction (and any edits made after it). */
  reverseStepInstruction(): Stop {
    return this.back(() => true, false);
  }

  /** reverse-nexti: undo one instruction of this frame; a call_local that returned is undone whole. */
  reverseNextInstruction(): Stop {
    const d = this.depth();
    return this.back((ch) => ch.depthBefore <= d, true);
  }

  /** reverse-step: back to the first instruction of the previous source line (or one instruction without line info). */
  reverseStepLine(): Stop {
    const start = this.lineOf(this.target.pc());
    // After an exit or a fault, going back one line means back into the instruction that ended the run.
    if (!start || !this.ready()) return this.reverseStepInstruction();
    const from = this.programName();
    return this.back(() => this.atLineStart(start, from, false), false);
  }

  /** reverse-next: like reverse-step, stepping back over whole calls. */
  reverseNextLine(): Stop {
    const start = this.lineOf(this.target.pc());
    if (!start || !this.ready()) return this.reverseStepInstruction();
    const d = this.depth();
    const from = this.programName();
    return this.back((ch) => ch.depthBefore <= d && this.atLineStart(start, from, true, d), true);
  }

  /**
   * True when the state is at the first instruction of a line other than `start` of program `from`
   * (reached going forward): the previous recorded step, if any, ran on a different line, frame or
   * program (a tail call's target starts a line even when the caller's line number is the same).
   */
  private atLineStart(start: SourceLine, from: string | undefined, sameFrame: boolean, depth = 0): boolean {
    const program = this.programName();
    const here = this.lineOf(this.target.pc(), program);
    if (!here || (program === from && here.line === start.line && here.file === start.file)) return false;
    const prev = this.history.peek();
    if (!prev || prev.kind !== 'step') return true;
    const prevProgram = prev.change.program;
    const prevLine = this.lineOf(prev.change.pc, prevProgram);
    if (sameFrame && prev.change.depthBefore > depth) return false;
    return prev.change.depthAfter !== prev.change.depthBefore || prevProgram !== program || prevLine?.line !== here.line || prevLine?.file !== here.file;
  }

  /** reverse-finish: back to the call instruction that entered the current frame. */
  reverseFinish(): Stop {
    const d = this.depth();
    if (d <= 1) return this.stopNow('not-running', 0, '"reverse-finish" not meaningful in the outermost frame.');
    return this.back((ch) => ch.depthBefore < d, true);
  }

  /** reverse-continue: back until a breakpoint, a watchpoint change, or the start of the history. */
  reverseContinue(): Stop {
    return this.back(() => false, true);
  }

  // ---- edits while paused ----

  /** `set r1 = 5`, `set *(u32 *)(r10-4) = 7`: evaluates and writes, recording the edit for reverse execution. */
  assign(text: string): { ok: true; message: string } | { ok: false; message: string; column?: number } {
    const p = parseAssignment(text);
    if (!p.ok) return { ok: false, message: p.diagnostic.message, ...(p.diagnostic.column !== undefined ? { column: p.diagnostic.column } : {}) };
    const v = evaluate(p.expr.value, this.state);
    if (!v.ok) return { ok: false, message: v.fault, column: v.column };
    const t = p.expr.target;
    if (t.kind === 'reg') {
      if (t.reg === 10) return { ok: false, message: 'r10 is the read-only frame pointer', column: t.column };
      // Writing a w register zero-extends, as every BPF alu32 write does.
      const value = t.width === 32 ? v.value.bits & 0xffffffffn : v.value.bits;
      const before = this.target.reg(t.reg);
      this.target.setReg(t.reg, value);
      this.history.push({ kind: 'edit', text: `${t.width === 32 ? 'w' : 'r'}${t.reg} = ${hex(value)}`, reg: { n: t.reg, before }, origins: [] });
      this.points.resyncWatchpoints(this.state);
      return { ok: true, message: `r${t.reg} = ${value} (${hex(value)})` };
    }
    return this.writeMemory(t, v.value.bits);
  }

  private writeMemory(t: Extract<Expr, { kind: 'deref' }>, value: bigint): { ok: true; message: string } | { ok: false; message: string; column?: number } {
    const a = evaluate(t.addr, this.state);
    if (!a.ok) return { ok: false, message: a.fault, column: a.column };
    const size = TYPE_SIZE[t.type];
    const before = this.target.read(a.value.bits, size);
    if (!(before instanceof Uint8Array)) return { ok: false, message: `cannot write ${size} bytes at ${hex(a.value.bits)}: ${before.fault}`, column: t.column };
    const bytes = storeScalar(value, size);
    const err = this.target.write(a.value.bits, bytes);
    if (err) return { ok: false, message: `cannot write ${size} bytes at ${hex(a.value.bits)}: ${err}`, column: t.column };
    const mem = { addr: a.value.bits, before, after: bytes };
    const prev: Array<readonly [bigint, SlotOrigin | undefined]> = [];
    this.noteWrite(mem, { kind: 'edit' }, prev);
    this.history.push({ kind: 'edit', text: `*(${t.type} *)${hex(a.value.bits)} = ${hex(BigInt.asUintN(size * 8, value))}`, mem, origins: prev });
    this.points.resyncWatchpoints(this.state);
    return { ok: true, message: `*(${t.type} *)${hex(a.value.bits)} = ${BigInt.asUintN(size * 8, value)} (${hex(BigInt.asUintN(size * 8, value))})` };
  }

  /**
   * Puts a program into a prog_array slot (undefined: empties it), as user space would between runs.
   * Recorded like an edit, so a reverse step first puts the old slot back.
   */
  setTailSlot(map: string, index: number, program: string | undefined): { ok: boolean; message: string } {
    if (!this.target.setTailSlot) return { ok: false, message: 'this target has no prog_array maps to fill' };
    const r = this.target.setTailSlot(map, index, program);
    if (!r.ok) return r;
    this.history.push({ kind: 'edit', text: r.message, undo: r.undo, origins: [] });
    return { ok: true, message: r.message };
  }

  /** Forgets the reverse-execution history (after a change the debugger cannot undo), saying why. */
  discardHistory(why: string): string {
    const n = this.history.steps();
    this.history.clear();
    return `reverse-execution history cleared (${n} steps): ${why}`;
  }

  // ---- state views ----

  slotOrigin(addr: bigint): SlotOrigin {
    return this.origins.get(addr & ~7n) ?? { kind: 'uninit' };
  }

  frames(): readonly FrameInfo[] {
    return this.target.frames();
  }
}

/** What an instruction's memory writes are, for the stack view's "last stored" column. */
function originOf(insn: Insn | undefined, pc: number): SlotOrigin {
  if (!insn) return { kind: 'helper', pc };
  switch (insn.form.kind) {
    case 'stx':
      return insn.form.size === 8 ? { kind: 'spill', reg: insn.src, pc } : { kind: 'store', pc, size: insn.form.size ?? 8, reg: insn.src };
    case 'st':
      return { kind: 'store', pc, size: insn.form.size ?? 8 };
    case 'atomic':
      return { kind: 'atomic', pc };
    default:
      return { kind: 'helper', pc };
  }
}

/** "Breakpoint 2, pc 7 at prog.c:12" (with a program: "pc 7 in parse_ipv4 at ..."), as gdb announces a stop. */
export function breakpointMessage(bp: Breakpoint, pc: number, src: SourceLine | undefined, program?: string): string {
  return `${bp.temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${bp.id}, pc ${pc}${program !== undefined ? ` in ${program}` : ''}${src ? ` at ${src.file}:${src.line}` : ''}`;
}

function bytesHex(b: Uint8Array | undefined): string {
  if (!b) return '<unreadable>';
  // Ranges wider than a u64 read better as bytes in memory order.
  if (b.length > 8) return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return hex(v);
}

export function describeWatchHit(h: WatchHit): string {
  return `Watchpoint ${h.watch.id}: ${h.watch.text}\n\nOld value = ${bytesHex(h.old)}\nNew value = ${bytesHex(h.new)}`;
}

