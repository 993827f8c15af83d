// Breakpoints and watchpoints as data: where they are, their conditions, hit and ignore counts, and the line table that maps source lines to pcs.
import { error, type Diagnostic } from '../../isa';
import { evaluate, evaluateCondition, parseExpr, TYPE_SIZE, type EvalState, type Expr, type ScalarType } from './expr';

/** One source line an instruction came from (engine/obj fills these from .BTF.ext line info or the asm text). */
export interface SourceLine {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column?: number;
  /** The line's text, when the loader has it. */
  readonly text?: string;
}

/** Per-instruction source information: instruction index (pc, in slots) -> source line. Pcs without an entry have none. */
export type LineTable = ReadonlyMap<number, SourceLine>;

export interface Condition {
  readonly text: string;
  readonly expr: Expr;
}

export interface Breakpoint {
  readonly kind: 'breakpoint';
  readonly id: number;
  readonly pc: number;
  /**
   * The program the pc is in (an object's programs each count pcs from 0; tail calls move between
   * them). Undefined: the program the session started in (PointTable.mainProgram).
   */
  readonly program?: string;
  /** What the user asked for ("prog.c:30", "*12"), kept for `info breakpoints`. */
  readonly requested: string;
  readonly source?: SourceLine;
  condition?: Condition;
  enabled: boolean;
  /** tbreak: deleted when it stops the program. */
  readonly temporary: boolean;
  /** Times the pc was reached with the condition true (ignored hits count too, as in gdb). */
  hits: number;
  /** Remaining hits to pass over without stopping. */
  ignore: number;
}

/** What a watchpoint watches: bytes at a fixed address (resolved when set) or a register. */
export type WatchTarget =
  | { readonly kind: 'memory'; readonly addr: bigint; readonly size: number; readonly type: ScalarType }
  | { readonly kind: 'register'; readonly reg: number; readonly width: 32 | 64 };

export interface Watchpoint {
  readonly kind: 'watchpoint';
  readonly id: number;
  readonly text: string;
  readonly target: WatchTarget;
  condition?: Condition;
  enabled: boolean;
  hits: number;
  ignore: number;
  /** The bytes (memory) or little-endian value bytes (register) last seen; undefined while unreadable. */
  last: Uint8Array | undefined;
}

export type Point = Breakpoint | Watchpoint;

/** A watchpoint that fired: its bytes changed from old to new. */
export interface WatchHit {
  readonly watch: Watchpoint;
  readonly old: Uint8Array | undefined;
  readonly new: Uint8Array | undefined;
}

export type Resolved<T> = { readonly ok: true; readonly value: T; readonly note?: string } | { readonly ok: false; readonly diagnostic: Diagnostic };

function sameFile(entry: string, asked: string): boolean {
  if (entry === asked) return true;
  const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  return entry.endsWith('/' + asked) || base(entry) === asked;
}

/**
 * The first pc of a source line. When the line has no code (a comment, a declaration), the
 * breakpoint moves to the next line of the same file that has some, as gdb does, and says so.
 */
export function resolveLine(table: LineTable, file: string | undefined, line: number): Resolved<{ pc: number; source: SourceLine }> {
  const files = [...new Set([...table.values()].map((s) => s.file))];
  const wanted = file === undefined ? files.slice(0, 1) : files.filter((f) => sameFile(f, file));
  if (wanted.length === 0) {
    return { ok: false, diagnostic: error('debug.no-such-file', file === undefined ? 'the program has no source line information' : `no source file named ${file} (known: ${files.join(', ') || 'none'})`) };
  }
  let best: { pc: number; source: SourceLine } | undefined;
  for (const [pc, src] of table) {
    if (!wanted.includes(src.file) || src.line < line) continue;
    if (!best || src.line < best.source.line || (src.line === best.source.line && pc < best.pc)) best = { pc, source: src };
  }
  if (!best) return { ok: false, diagnostic: error('debug.no-code-at-line', `no code at or after line ${line} of ${wanted[0]}`, { file: wanted[0], line }) };
  const note = best.source.line !== line ? `line ${line} has no code; using line ${best.source.line}` : undefined;
  return { ok: true, value: best, ...(note ? { note } : {}) };
}

export function parseCondition(text: string, columnOffset = 0): Resolved<Condition> {
  const p = parseExpr(text);
  if (!p.ok) {
    const d = p.diagnostic;
    return { ok: false, diagnostic: { ...d, column: (d.column ?? 1) + columnOffset } };
  }
  return { ok: true, value: { text, expr: p.expr } };
}

/** The outcome of checking the breakpoints at one pc. */
export interface BreakCheck {
  /** The breakpoint that stops the program, if any (the lowest id among those that would). */
  readonly stop?: Breakpoint;
  /** Condition evaluation faults, reported and treated as false. */
  readonly faults: ReadonlyArray<{ readonly id: number; readonly fault: string }>;
}

function readTarget(t: WatchTarget, st: EvalState): Uint8Array | undefined {
  if (t.kind === 'memory') {
    const b = st.read(t.addr, t.size);
    return b instanceof Uint8Array ? b.slice() : undefined;
  }
  const v = st.reg(t.reg);
  const n = t.width / 8;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** All breakpoints and watchpoints of a session, numbered from 1 in one sequence like gdb's. */
export class PointTable {
  /** The program a breakpoint without one belongs to: the debugged program (the debugger sets it). */
  mainProgram: string | undefined;
  private nextId = 1;
  private readonly points = new Map<number, Point>();
  /** Breakpoints by pc, for the per-step check. */
  private readonly byPc = new Map<number, Breakpoint[]>();

  list(): Point[] {
    return [...this.points.values()];
  }

  get(id: number): Point | undefined {
    return this.points.get(id);
  }

  addBreakpoint(pc: number, requested: string, opts: { source?: SourceLine; condition?: Condition; temporary?: boolean; program?: string } = {}): Breakpoint {
    const bp: Breakpoint = {
      kind: 'breakpoint', id: this.nextId++, pc, requested, enabled: true, temporary: opts.temporary ?? false, hits: 0, ignore: 0,
      ...(opts.program !== undefined && opts.program !== this.mainProgram ? { program: opts.program } : {}),
      ...(opts.source ? { source: opts.source } : {}), ...(opts.condition ? { condition: opts.condition } : {}),
    };
    this.points.set(bp.id, bp);
    const list = this.byPc.get(pc) ?? [];
    list.push(bp);
    this.byPc.set(pc, list);
    return bp;
  }

  addWatchpoint(text: string, target: WatchTarget, st: EvalState, condition?: Condition): Watchpoint {
    const wp: Watchpoint = {
      kind: 'watchpoint', id: this.nextId++, text, target, enabled: true, hits: 0, ignore: 0, last: readTarget(target, st),
      ...(condition ? { condition } : {}),
    };
    this.points.set(wp.id, wp);
    return wp;
  }

  delete(id: number): boolean {
    const p = this.points.get(id);
    if (!p) return false;
    this.points.delete(id);
    if (p.kind === 'breakpoint') {
      const rest = (this.byPc.get(p.pc) ?? []).filter((b) => b.id !== id);
      if (rest.length) this.byPc.set(p.pc, rest);
      else this.byPc.delete(p.pc);
    }
    return true;
  }

  /** True when the breakpoint belongs to `program` (undefined: the main program). */
  inProgram(b: Breakpoint, program: string | undefined): boolean {
    return (b.program ?? this.mainProgram) === (program ?? this.mainProgram);
  }

  /** True when any breakpoint (of any program, enabled or not) sits at pc: the per-step test before the program is asked for. */
  anyAt(pc: number): boolean {
    return this.byPc.has(pc);
  }

  /** True when some enabled breakpoint sits at pc of `program` (before its condition is looked at). */
  hasBreakpointAt(pc: number, program?: string): boolean {
    const here = this.byPc.get(pc);
    return here !== undefined && here.some((b) => b.enabled && this.inProgram(b, program));
  }

  hasWatchpoints(): boolean {
    for (const p of this.points.values()) if (p.kind === 'watchpoint' && p.enabled) return true;
    return false;
  }

  /**
   * Checks the breakpoints at pc, counting hits and consuming ignore counts. Temporary
   * breakpoints that stop are deleted. Every enabled breakpoint at the pc is evaluated, so
   * their hit counts stay true even when an earlier one already stops.
   */
  checkBreakpoints(pc: number, st: EvalState, program?: string): BreakCheck {
    const here = this.byPc.get(pc);
    if (!here) return { faults: [] };
    let stop: Breakpoint | undefined;
    const faults: Array<{ id: number; fault: string }> = [];
    for (const bp of [...here]) {
      if (!bp.enabled || !this.inProgram(bp, program)) continue;
      if (bp.condition) {
        const c = evaluateCondition(bp.condition.expr, st);
        if (c.fault) faults.push({ id: bp.id, fault: c.fault });
        if (!c.value) continue;
      }
      bp.hits++;
      if (bp.ignore > 0) {
        bp.ignore--;
        continue;
      }
      stop ??= bp;
    }
    if (stop?.temporary) this.delete(stop.id);
    return { ...(stop ? { stop } : {}), faults };
  }

  /**
   * Compares every enabled watchpoint's bytes with what it last saw; those that changed (and
   * whose condition holds, and whose ignore count is used up) are returned. Each watchpoint's
   * remembered bytes are refreshed either way, so the next check compares with this state.
   */
  checkWatchpoints(st: EvalState): { hits: WatchHit[]; faults: Array<{ id: number; fault: string }> } {
    const hits: WatchHit[] = [];
    const faults: Array<{ id: number; fault: string }> = [];
    for (const p of this.points.values()) {
      if (p.kind !== 'watchpoint' || !p.enabled) continue;
      const now = readTarget(p.target, st);
      if (sameBytes(now, p.last)) continue;
      const old = p.last;
      p.last = now;
      if (p.condition) {
        const c = evaluateCondition(p.condition.expr, st);
        if (c.fault) faults.push({ id: p.id, fault: c.fault });
        if (!c.value) continue;
      }
      p.hits++;
      if (p.ignore > 0) {
        p.ignore--;
        continue;
      }
      hits.push({ watch: p, old, new: now });
    }
    return { hits, faults };
  }

  /** Re-reads every watchpoint's bytes without reporting (after state edits made by the user). */
  resyncWatchpoints(st: EvalState): void {
    for (const p of this.points.values()) if (p.kind === 'watchpoint') p.last = readTarget(p.target, st);
  }
}

/** The watch target an expression denotes: a register, or a deref whose address is evaluated now (as gdb does). */
export function watchTargetOf(expr: Expr, st: EvalState): Resolved<WatchTarget> {
  if (expr.kind === 'reg') return { ok: true, value: { kind: 'register', reg: expr.reg, width: expr.width } };
  if (expr.kind === 'deref') {
    const a = evaluate(expr.addr, st);
    if (!a.ok) return { ok: false, diagnostic: error('debug.eval-fault', a.fault, { column: a.column }) };
    return { ok: true, value: { kind: 'memory', addr: a.value.bits, size: TYPE_SIZE[expr.type], type: expr.type } };
  }
  return { ok: false, diagnostic: error('debug.watch-target', 'can only watch a register or memory (*(T *)addr)', { column: expr.column }) };
}
