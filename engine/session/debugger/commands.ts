// A gdb-like command interpreter over the Debugger: one line in, text plus a structured result out; used by the app's console and the CLI.
import { printInsn } from '../../asm';
import type { Insn } from '../../isa';
import { parseCondition, watchTargetOf, type Breakpoint, type Point } from './breakpoints';
import { breakpointMessage, type Debugger, type Stop } from './debugger';
import { evaluate, parseExpr, valueToDecimal, type Value } from './expr';
import type { DebugTarget, TailCallNote } from './target';
import { describeOrigin, framesView, registersView, type ViewContext } from './views';

export interface CommandResult {
  /** What a terminal shows, newline-terminated (empty when there is nothing to say). */
  readonly text: string;
  readonly ok: boolean;
  /** The command's name after alias resolution ("next" for "n"); "" for an empty line with nothing to repeat. */
  readonly command: string;
  /** Set when the command ran or undid instructions. */
  readonly stop?: Stop;
  /** Set by `quit`. */
  readonly quit?: boolean;
  /** 1-based column of an error in the command line, when known. */
  readonly column?: number;
  /** Command-specific data for UIs (breakpoint created, value printed). */
  readonly data?: unknown;
}

export interface ConsoleOptions extends ViewContext {
  /** Prints one instruction; default: engine/asm's llvm syntax in decimal, calls named by `functions`. */
  readonly printInsn?: (insn: Insn, pc: number) => string;
  /** Whole source files by the name the line table uses (for `list`); without them only lines with code have text. */
  readonly sources?: ReadonlyMap<string, readonly string[]>;
  /** Makes a fresh target for `run`/`start` after the program has started. */
  readonly restart?: () => DebugTarget;
  /** Map names by the index a relocated lddw carries (the object's map order), to name them in listings. */
  readonly mapNames?: readonly string[];
}

type Handler = (args: string, cmd: string) => CommandResult;

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** Commands that an empty line repeats, as in gdb. */
const REPEATABLE = new Set(['list', 'step', 'next', 'stepi', 'nexti', 'reverse-step', 'reverse-next', 'reverse-stepi', 'reverse-nexti', 'x', 'continue', 'reverse-continue']);

const ALIASES: Readonly<Record<string, string>> = {
  s: 'step', n: 'next', si: 'stepi', ni: 'nexti', c: 'continue', cont: 'continue', fin: 'finish', b: 'break', br: 'break',
  p: 'print', bt: 'backtrace', where: 'backtrace', r: 'run', d: 'delete', rs: 'reverse-step', rn: 'reverse-next',
  l: 'list', rsi: 'reverse-stepi', rni: 'reverse-nexti', rc: 'reverse-continue', i: 'info', q: 'quit', h: 'help', u: 'until', adv: 'advance',
};

const HELP: ReadonlyArray<readonly [string, string]> = [
  ['run / start', 'run from the beginning (start: stop at the first instruction)'],
  ['break LOC [if COND]', 'breakpoint at LOC: LINE, FILE:LINE, FUNCTION, *PC, PROGRAM:LINE or PROGRAM:*PC (b); tbreak: one-shot'],
  ['watch EXPR [@ N] [if COND]', 'stop when a register or memory changes: watch *(u64 *)(r10-8), watch *(u8 *)r1 @ 16'],
  ['delete [N...]', 'delete breakpoints/watchpoints (all without N)'],
  ['disable/enable [N...]', 'disable or enable breakpoints/watchpoints'],
  ['condition N [COND]', 'set or remove a breakpoint condition'],
  ['ignore N COUNT', 'pass over the next COUNT hits of breakpoint N'],
  ['step / next [N]', 'source line: into calls (s) / over calls (n); one insn without line info'],
  ['stepi / nexti [N]', 'one instruction: into calls (si) / over calls (ni)'],
  ['finish', 'run until the current frame returns'],
  ['continue [N]', 'run until a breakpoint, watchpoint, exit or fault (c); N: ignore this breakpoint N-1 more times'],
  ['until / advance LOC', 'run until LOC is reached'],
  ['reverse-step / reverse-next', 'back one source line (rs / rn)'],
  ['reverse-stepi / reverse-nexti', 'back one instruction (rsi / rni)'],
  ['reverse-continue / reverse-finish', 'back to the previous breakpoint/watchpoint (rc) / to the call'],
  ['info registers|breakpoints|frame|stack [all]|maps [NAME]|tails|output|history', 'show state (i r, i b, i f, ...)'],
  ['tail MAP INDEX [PROGRAM]', 'put a program of the object into a prog_array slot (no PROGRAM: empty it); reverse-step undoes it'],
  ['backtrace', 'call stack (bt)'],
  ['list [LINE|FILE:LINE|FUNCTION]', 'source lines around the pc or LOC (l); again: the next ones'],
  ['x/NFU ADDR', 'examine memory: F in x d u i, U in b h w g (x/8gx r10-64, x/4i pc)'],
  ['print[/x|/d|/u|/t] EXPR', 'evaluate an expression (p): r1 + 8, *(u32 *)(r10-4), (s32)w0 s< -1'],
  ['set EXPR = EXPR', 'change a register or memory (recorded: reverse-step undoes it)'],
  ['set history-limit N', 'steps kept for reverse execution'],
  ['help', 'this list'],
];

export class DebugConsole {
  private last = '';
  private valueCount = 0;
  private xDefaults = { format: 'x', unit: 'w' as 'b' | 'h' | 'w' | 'g' };
  private xNext: bigint | undefined;
  private listNext: { file: string; line: number } | undefined;
  /** Name of the command before the current one (a second `list` continues the first). */
  private previous = '';
  private current = '';
  private readonly handlers: Record<string, Handler>;

  constructor(readonly dbg: Debugger, private readonly opts: ConsoleOptions = {}) {
    this.handlers = {
      help: () => this.help(),
      run: () => this.run(false),
      start: () => this.run(true),
      break: (a) => this.breakCmd(a, false),
      tbreak: (a) => this.breakCmd(a, true),
      watch: (a) => this.watch(a),
      delete: (a) => this.forPoints(a, 'delete'),
      disable: (a) => this.forPoints(a, 'disable'),
      enable: (a) => this.forPoints(a, 'enable'),
      condition: (a) => this.condition(a),
      ignore: (a) => this.ignore(a),
      step: (a) => this.repeat(a, () => this.dbg.stepLine(), 'step'),
      next: (a) => this.repeat(a, () => this.dbg.nextLine(), 'next'),
      stepi: (a) => this.repeat(a, () => this.dbg.stepInstruction(), 'stepi'),
      nexti: (a) => this.repeat(a, () => this.dbg.nextInstruction(), 'nexti'),
      finish: () => this.stopped('finish', this.dbg.finish()),
      continue: (a) => this.continueCmd(a),
      until: (a) => this.until(a, 'until'),
      advance: (a) => this.until(a, 'advance'),
      'reverse-step': (a) => this.repeat(a, () => this.dbg.reverseStepLine(), 'reverse-step'),
      'reverse-next': (a) => this.repeat(a, () => this.dbg.reverseNextLine(), 'reverse-next'),
      'reverse-stepi': (a) => this.repeat(a, () => this.dbg.reverseStepInstruction(), 'reverse-stepi'),
      'reverse-nexti': (a) => this.repeat(a, () => this.dbg.reverseNextInstruction(), 'reverse-nexti'),
      'reverse-continue': () => this.stopped('reverse-continue', this.dbg.reverseContinue()),
      'reverse-finish': () => this.stopped('reverse-finish', this.dbg.reverseFinish()),
      info: (a) => this.info(a),
      tail: (a) => this.tail(a),
      list: (a) => this.list(a),
      backtrace: () => this.ok('backtrace', this.backtrace()),
      x: (a, cmd) => this.examine(cmd, a),
      print: (a, cmd) => this.print(cmd, a),
      set: (a) => this.set(a),
      quit: () => ({ text: '', ok: true, command: 'quit', quit: true }),
    };
  }

  /** Runs one command line. Never throws for bad input: errors come back with ok = false. */
  execute(line: string): CommandResult {
    const trimmed = line.trim();
    if (trimmed === '') {
      if (!this.last) return { text: '', ok: true, command: '' };
      return this.execute(this.last);
    }
    // "x/8gx" and "p/x" carry their format glued to the name.
    const m = /^([A-Za-z][\w-]*)(\/\S*)?\s*(.*)$/.exec(trimmed);
    if (!m) return this.fail('', `undefined command: "${trimmed}". Try "help".`);
    const name = ALIASES[m[1]] ?? m[1];
    const h = this.handlers[name];
    if (!h) return this.fail('', `undefined command: "${m[1]}". Try "help".`);
    this.previous = this.current;
    this.current = name;
    const res = h(m[3], m[1] + (m[2] ?? ''));
    // Handlers give columns within their arguments; the caller wants them within the line.
    const argsStart = line.length - line.trimStart().length + trimmed.length - m[3].length;
    if (res.column !== undefined) return { ...res, column: res.column + argsStart };
    this.last = REPEATABLE.has(name) && res.ok ? (name === 'x' ? 'x' : trimmed) : '';
    return res;
  }

  private ok(command: string, text: string, data?: unknown): CommandResult {
    return { text: text && !text.endsWith('\n') ? text + '\n' : text, ok: true, command, ...(data !== undefined ? { data } : {}) };
  }

  private fail(command: string, message: string, column?: number): CommandResult {
    return { text: message + '\n', ok: false, command, ...(column !== undefined ? { column } : {}) };
  }

  private help(): CommandResult {
    const w = Math.max(...HELP.map(([c]) => c.length)) + 2;
    return this.ok('help', HELP.map(([c, d]) => pad(c, w) + d).join('\n'));
  }

  // ---- locations ----

  /** Function names of a program by entry pc (undefined program: the current one). */
  private functions(program: string | undefined = this.dbg.programName()): ReadonlyMap<number, string> | undefined {
    return this.dbg.functionsOf(program) ?? (program === undefined || program === this.dbg.entryProgram ? this.opts.functions : undefined);
  }

  private insnText(pc: number, program?: string): string {
    const insn = this.dbg.insnIn(program, pc);
    if (!insn) return '<no instruction>';
    if (this.opts.printInsn) return this.opts.printInsn(insn, pc);
    const fns = this.functions(program);
    const text = printInsn(insn, { pc, hex: false, ...(fns ? { labelAt: (t: number) => fns.get(t) } : {}) });
    return text + this.mapNote(insn);
  }

  /** "  ; map counts" after an lddw that loads a map (or "+8" into its value), as disasm notes relocations. */
  private mapNote(insn: Insn): string {
    const id = insn.form.id;
    if (id !== 'lddw_map_fd' && id !== 'lddw_map_idx' && id !== 'lddw_map_value' && id !== 'lddw_map_idx_value') return '';
    // The low slot's immediate holds the map (fd or index), the high slot's the value offset.
    const name = this.opts.mapNames?.[insn.imm >>> 0];
    if (!name) return '';
    const off = (insn.imm2 ?? 0) >>> 0;
    return id.endsWith('value') ? `  ; map ${name} value${off ? ` +${off}` : ''}` : `  ; map ${name}`;
  }

  /** "=> 5: r1 = *(u64 *)(r10 - 8)    ; prog.c:12" ("=> 5 in parse_ipv4: ..." when the object has several programs). */
  private here(): string {
    const pc = this.dbg.target.pc();
    const src = this.dbg.lineOf(pc);
    const insn = this.insnText(pc);
    // Source text is worth showing for C; for assembly input it is the instruction again.
    const text = this.dbg.lines.get(pc)?.text?.trim();
    const showText = text && text !== insn;
    const program = this.dbg.multiProgram ? this.dbg.programName() : undefined;
    return `=> ${pc}${program !== undefined ? ` in ${program}` : ''}: ${insn}${src ? `    ; ${src.file}:${src.line}${showText ? `  ${text}` : ''}` : ''}`;
  }

  /**
   * LINE, FILE:LINE, FUNCTION, *PC, PROGRAM:LINE or PROGRAM:*PC to pcs of programs. A source line
   * resolves in whichever programs contain it (several: a static function linked into each); a
   * PROGRAM's number is a line of it, or a pc where it has no line information.
   */
  private location(text: string): { locs: Loc[]; note?: string; requested: string } | { error: string; column?: number } {
    const t = text.trim();
    const current = this.dbg.programName();
    if (t === '') return { locs: [{ pc: this.dbg.target.pc(), program: current }], requested: `*${this.dbg.target.pc()}` };
    const inProgram = /^([^:\s*]+):(\*?)(.+)$/.exec(t);
    // A source file's name wins over a program's (assembly input names its program after the file).
    const named = inProgram && !this.isSourceFile(inProgram[1]) ? this.programNamed(inProgram[1]) : undefined;
    if (inProgram && named !== undefined) {
      const rest = inProgram[3].trim();
      if (inProgram[2] === '*') return this.pcLocation(rest, named, t, 1 + inProgram[1].length + 2);
      if (!/^\d+$/.test(rest)) return { error: `bad location "${t}": use PROGRAM:LINE or PROGRAM:*PC` };
      if (this.dbg.linesOf(named).size === 0) return this.checkPc(Number(rest), named, t, `${named} has no line information: using pc ${rest}`);
      const r = this.dbg.resolveLineInPrograms(undefined, Number(rest), named);
      if (!r.ok) return { error: r.diagnostic.message };
      return { locs: r.value.map((l) => ({ pc: l.pc, program: l.program })), requested: t, ...(r.note ? { note: r.note } : {}) };
    }
    if (t.startsWith('*')) return this.pcLocation(t.slice(1), current, t, 1);
    const fn = this.functionNamed(t);
    if (fn) return this.checkPc(fn.pc, fn.program, t);
    const m = /^(?:(.+):)?(\d+)$/.exec(t);
    if (!m) return { error: `bad location "${t}": use LINE, FILE:LINE, FUNCTION, *PC, PROGRAM:LINE or PROGRAM:*PC` };
    const line = Number(m[2]);
    if (this.dbg.lines.size === 0 && m[1] === undefined) {
      // Without line information a bare number can only mean an instruction index.
      return this.checkPc(line, current, t, `no line information: using pc ${line}`);
    }
    const r = this.dbg.resolveLineInPrograms(m[1], line);
    if (!r.ok) return { error: r.diagnostic.message };
    return { locs: r.value.map((l) => ({ pc: l.pc, program: l.program })), requested: t, ...(r.note ? { note: r.note } : {}) };
  }

  /** *EXPR in a program: the expression's value is the pc. */
  private pcLocation(expr: string, program: string | undefined, requested: string, column: number): { locs: Loc[]; requested: string } | { error: string; column?: number } {
    const e = parseExpr(expr);
    if (!e.ok) return { error: e.diagnostic.message, column: (e.diagnostic.column ?? 1) + column };
    const v = evaluate(e.expr, this.dbg.state);
    if (!v.ok) return { error: v.fault };
    return this.checkPc(Number(v.value.bits), program, requested);
  }

  private isSourceFile(name: string): boolean {
    return this.dbg.allLines().some(([, t]) => [...t.values()].some((l) => l.file === name || l.file.endsWith('/' + name)));
  }

  /** The object's program a name means (function or SEC() name as the target knows it), if any. */
  private programNamed(name: string): string | undefined {
    return this.dbg.programNames().find((p) => p === name);
  }

  /** A function by name: the current program's own first, then a program's entry, then a subprogram of another program. */
  private functionNamed(name: string): Loc | undefined {
    const current = this.dbg.programName();
    for (const [pc, fn] of this.functions(current) ?? []) if (fn === name) return { pc, program: current };
    if (this.programNamed(name) !== undefined) return { pc: 0, program: name };
    for (const p of this.dbg.programNames()) {
      if (p === current) continue;
      for (const [pc, fn] of this.functions(p) ?? []) if (fn === name) return { pc, program: p };
    }
    return undefined;
  }

  private checkPc(pc: number, program: string | undefined, requested: string, note?: string): { locs: Loc[]; note?: string; requested: string } | { error: string } {
    if (!Number.isSafeInteger(pc) || !this.dbg.insnIn(program, pc)) return { error: `no instruction at pc ${pc}${program !== undefined && this.dbg.multiProgram ? ` of ${program}` : ''}` };
    return { locs: [{ pc, program }], requested, ...(note ? { note } : {}) };
  }

  /** " in parse_ipv4" where the object has several programs. */
  private inProgram(program: string | undefined): string {
    return this.dbg.multiProgram && program !== undefined ? ` in ${program}` : '';
  }

  /** Splits "LOC if COND" at the first standalone "if". */
  private splitIf(args: string): { head: string; cond?: string; condColumn: number } {
    const m = /(^|\s)if(\s|$)/.exec(args);
    if (!m) return { head: args, condColumn: 0 };
    const at = m.index + m[1].length;
    return { head: args.slice(0, at), cond: args.slice(at + 2), condColumn: at + 2 };
  }

  // ---- breakpoints ----

  private breakCmd(args: string, temporary: boolean): CommandResult {
    const name = temporary ? 'tbreak' : 'break';
    const { head, cond, condColumn } = this.splitIf(args);
    const loc = this.location(head);
    if ('error' in loc) return this.fail(name, loc.error, loc.column);
    let condition;
    if (cond !== undefined) {
      const c = parseCondition(cond.trim(), condColumn + (cond.length - cond.trimStart().length));
      if (!c.ok) return this.fail(name, `bad condition: ${c.diagnostic.message}`, c.diagnostic.column);
      condition = c.value;
    }
    const lines = [];
    if (loc.note) lines.push(`(${loc.note})`);
    const made: Breakpoint[] = [];
    // One breakpoint per location (gdb would make one breakpoint with several locations).
    for (const l of loc.locs) {
      const source = this.dbg.linesOf(l.program).get(l.pc);
      const bp = this.dbg.points.addBreakpoint(l.pc, loc.requested, {
        temporary, ...(source ? { source } : {}), ...(condition ? { condition } : {}), ...(l.program !== undefined ? { program: l.program } : {}),
      });
      made.push(bp);
      lines.push(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${bp.id} at pc ${bp.pc}${this.inProgram(l.program)}${source ? `: file ${source.file}, line ${source.line}` : ''}.${condition ? ` Condition: ${condition.text}` : ''}`);
    }
    const first = made[0];
    return this.ok(name, lines.join('\n'), { id: first.id, pc: first.pc, ...(first.program !== undefined ? { program: first.program } : {}) });
  }

  private watch(args: string): CommandResult {
    const { head: whole, cond, condColumn } = this.splitIf(args);
    // gdb's artificial array: `*(u8 *)(r1) @ 16` watches 16 elements starting there (a map value, a buffer).
    const at = /^(.*)@\s*(\d+)\s*$/.exec(whole);
    const head = at ? at[1] : whole;
    const e = parseExpr(head);
    if (!e.ok) return this.fail('watch', e.diagnostic.message, e.diagnostic.column);
    let target = watchTargetOf(e.expr, this.dbg.state);
    if (!target.ok) return this.fail('watch', target.diagnostic.message, target.diagnostic.column);
    if (at) {
      const n = Number(at[2]);
      if (target.value.kind !== 'memory') return this.fail('watch', '@ LEN needs a memory expression: watch *(u8 *)addr @ 16');
      if (n < 1 || n * target.value.size > 4096) return this.fail('watch', `@ ${n}: watch 1 to ${4096 / target.value.size} elements`);
      target = { ok: true, value: { ...target.value, size: target.value.size * n } };
    }
    let condition;
    if (cond !== undefined) {
      const c = parseCondition(cond.trim(), condColumn + (cond.length - cond.trimStart().length));
      if (!c.ok) return this.fail('watch', `bad condition: ${c.diagnostic.message}`, c.diagnostic.column);
      condition = c.value;
    }
    const w = this.dbg.points.addWatchpoint(whole.trim(), target.value, this.dbg.state, condition);
    const where = w.target.kind === 'memory' ? ` (${w.target.size} bytes at ${hex(w.target.addr)})` : '';
    return this.ok('watch', `Watchpoint ${w.id}: ${w.text}${where}`, { id: w.id });
  }

  private ids(args: string, cmd: string): number[] | CommandResult {
    const out: number[] = [];
    for (const tok of args.split(/\s+/).filter(Boolean)) {
      if (!/^\d+$/.test(tok)) return this.fail(cmd, `bad breakpoint number "${tok}"`);
      if (!this.dbg.points.get(Number(tok))) return this.fail(cmd, `No breakpoint number ${tok}.`);
      out.push(Number(tok));
    }
    return out;
  }

  private forPoints(args: string, cmd: 'delete' | 'disable' | 'enable'): CommandResult {
    const ids = this.ids(args, cmd);
    if (!Array.isArray(ids)) return ids;
    const targets = ids.length ? ids : this.dbg.points.list().map((p) => p.id);
    for (const id of targets) {
      if (cmd === 'delete') this.dbg.points.delete(id);
      else {
        const p = this.dbg.points.get(id)!;
        p.enabled = cmd === 'enable';
        if (p.enabled && p.kind === 'watchpoint') this.dbg.points.resyncWatchpoints(this.dbg.state);
      }
    }
    const verb = cmd === 'delete' ? 'Deleted' : cmd === 'disable' ? 'Disabled' : 'Enabled';
    return this.ok(cmd, targets.length ? `${verb} ${targets.join(', ')}.` : 'No breakpoints or watchpoints.');
  }

  private condition(args: string): CommandResult {
    const m = /^\s*(\d+)\s*(.*)$/.exec(args);
    if (!m) return this.fail('condition', 'usage: condition N [EXPR]');
    const p = this.dbg.points.get(Number(m[1]));
    if (!p) return this.fail('condition', `No breakpoint number ${m[1]}.`);
    if (!m[2]) {
      delete p.condition;
      return this.ok('condition', `Breakpoint ${p.id} now unconditional.`);
    }
    const c = parseCondition(m[2], 'condition '.length + args.indexOf(m[2]));
    if (!c.ok) return this.fail('condition', `bad condition: ${c.diagnostic.message}`, c.diagnostic.column);
    p.condition = c.value;
    return this.ok('condition', `Breakpoint ${p.id} condition: ${c.value.text}`);
  }

  private ignore(args: string): CommandResult {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(args);
    if (!m) return this.fail('ignore', 'usage: ignore N COUNT');
    const p = this.dbg.points.get(Number(m[1]));
    if (!p) return this.fail('ignore', `No breakpoint number ${m[1]}.`);
    p.ignore = Number(m[2]);
    return this.ok('ignore', `Will ignore next ${p.ignore} crossings of breakpoint ${p.id}.`);
  }

  // ---- execution ----

  private run(stopAtStart: boolean): CommandResult {
    const name = stopAtStart ? 'start' : 'run';
    let note = '';
    if (this.dbg.stepCount > 0 || this.dbg.target.status().state !== 'ready') {
      if (!this.opts.restart) return this.fail(name, 'cannot restart: this session has no program to reload');
      this.dbg.reset(this.opts.restart());
      note = 'Starting over from the beginning.\n';
    }
    if (stopAtStart) return this.ok(name, `${note}${this.here()}`);
    const pc = this.dbg.target.pc();
    // At the entry, a breakpoint on the first instruction must stop before it runs.
    if (this.dbg.stepCount === 0 && this.dbg.points.hasBreakpointAt(pc)) {
      const b = this.dbg.points.checkBreakpoints(pc, this.dbg.state);
      if (b.stop) {
        const stop: Stop = { reason: 'breakpoint', pc, steps: 0, message: breakpointMessage(b.stop, pc, this.dbg.lineOf(pc)), breakpoint: b.stop, conditionFaults: b.faults, status: this.dbg.target.status() };
        return this.stopped(name, stop, note);
      }
    }
    return this.stopped(name, this.dbg.continue(), note);
  }

  private stopped(command: string, stop: Stop, prefix = ''): CommandResult {
    const lines: string[] = [];
    for (const f of stop.conditionFaults) lines.push(`warning: condition of breakpoint ${f.id} could not be evaluated (${f.fault}); treated as false`);
    if (stop.tailCall) lines.push(describeTailCall(stop.tailCall));
    if (stop.message) lines.push(stop.message);
    if (stop.reason !== 'exited' && stop.reason !== 'not-running' && !(stop.reason === 'fault' && stop.steps === 0)) lines.push(this.here());
    const ok = stop.reason !== 'not-running';
    return { text: prefix + lines.map((l) => l + '\n').join(''), ok, command, stop };
  }

  private repeat(args: string, once: () => Stop, command: string): CommandResult {
    const n = args.trim() === '' ? 1 : Number(args.trim());
    if (!Number.isSafeInteger(n) || n < 1) return this.fail(command, `bad repeat count "${args.trim()}"`);
    let stop = once();
    let steps = stop.steps;
    for (let i = 1; i < n && stop.reason === 'step'; i++) {
      stop = once();
      steps += stop.steps;
    }
    return this.stopped(command, { ...stop, steps });
  }

  private continueCmd(args: string): CommandResult {
    if (args.trim()) {
      const n = Number(args.trim());
      if (!Number.isSafeInteger(n) || n < 1) return this.fail('continue', `bad ignore count "${args.trim()}"`);
      const bp = this.currentBreakpoint();
      if (bp) bp.ignore = n - 1;
    }
    return this.stopped('continue', this.dbg.continue());
  }

  private currentBreakpoint(): Breakpoint | undefined {
    const pc = this.dbg.target.pc();
    const program = this.dbg.programName();
    return this.dbg.points.list().find((p): p is Breakpoint => p.kind === 'breakpoint' && p.pc === pc && this.dbg.points.inProgram(p, program));
  }

  private until(args: string, cmd: string): CommandResult {
    if (!args.trim()) return this.stopped(cmd, this.dbg.nextLine());
    const loc = this.location(args);
    if ('error' in loc) return this.fail(cmd, loc.error, loc.column);
    const [l] = loc.locs;
    return this.stopped(cmd, this.dbg.runTo(l.pc, l.program));
  }

  // ---- tail calls ----

  /** tail MAP INDEX [PROGRAM]: fill (or, without PROGRAM, empty) a prog_array slot. */
  private tail(args: string): CommandResult {
    const m = /^\s*(\S+)\s+(\d+)(?:\s+(\S+))?\s*$/.exec(args);
    if (!m) return this.fail('tail', `usage: tail MAP INDEX [PROGRAM] (programs: ${this.dbg.programNames().join(', ') || 'none'})`);
    const r = this.dbg.setTailSlot(m[1], Number(m[2]), m[3]);
    return r.ok ? this.ok('tail', r.message) : this.fail('tail', r.message);
  }

  private tails(): string {
    const t = this.dbg.target;
    const maps = (t.maps?.() ?? []).filter((m) => m.type === 'prog_array');
    const slots = t.tailSlots?.() ?? [];
    const out: string[] = [];
    if (!maps.length) out.push('The program has no prog_array maps.');
    for (const m of maps) {
      const filled = slots.filter((s) => s.map === m.name);
      out.push(`${m.name}: prog_array, max_entries ${m.maxEntries}; ${filled.length ? filled.map((s) => `[${s.index}] = ${s.program}`).join(', ') : 'all slots empty'}`);
    }
    out.push(`Programs: ${this.dbg.programNames().join(', ') || 'none'}; executing ${this.dbg.programName() ?? '?'}.`);
    const note = t.tailCallCount?.();
    if (note) out.push(`Tail calls made in this run: ${note.count} of ${note.limit} (MAX_TAIL_CALL_CNT; beyond it bpf_tail_call falls through).`);
    return out.join('\n');
  }

  // ---- state ----

  private info(args: string): CommandResult {
    const [what, ...rest] = args.trim().split(/\s+/);
    const sub = what ?? '';
    const pick = (full: string, short: string[]): boolean => sub === full || short.includes(sub) || (sub.length >= 2 && full.startsWith(sub));
    if (pick('registers', ['r', 'reg'])) return this.ok('info registers', this.registers(rest));
    if (pick('breakpoints', ['b', 'br', 'watchpoints'])) return this.ok('info breakpoints', this.breakpoints());
    if (pick('frame', ['f'])) return this.ok('info frame', this.frame());
    if (pick('stack', ['s'])) return this.ok('info stack', this.stack(rest[0] === 'all'));
    if (pick('output', ['o', 'console'])) {
      const out = this.dbg.target.output();
      return this.ok('info output', out.length ? out.join('\n') : '(no output)');
    }
    if (pick('maps', ['m'])) return this.ok('info maps', this.maps(rest[0]));
    if (pick('tails', ['t', 'tail'])) return this.ok('info tails', this.tails());
    if (pick('history', ['h'])) {
      return this.ok('info history', `${this.dbg.historySteps()} steps recorded for reverse execution (limit ${this.dbg.historyLimit}); ${this.dbg.stepCount} instructions executed`);
    }
    return this.fail('info', `info what? registers, breakpoints, frame, stack [all], maps [NAME], tails, output, history`);
  }

  private registers(names: string[]): string {
    const regs = registersView(this.dbg, this.opts);
    const chosen = names.length ? regs.filter((r) => names.includes(r.name)) : regs;
    // Pointers show what they point into; scalars their signed decimal value.
    const lines = chosen.map((r) => `${pad(r.name, 5)}${pad(hex(r.value), 20)}${pad(r.pointsTo !== undefined ? `<${r.pointsTo}>` : BigInt.asIntN(64, r.value).toString(), 24)}${r.abstractType ? ` ${r.abstractType}` : ''}`.trimEnd());
    if (!names.length) lines.push(`${pad('pc', 5)}${this.dbg.target.pc()}`);
    return lines.join('\n');
  }

  private breakpoints(): string {
    const points = this.dbg.points.list();
    if (!points.length) return 'No breakpoints or watchpoints.';
    const rows = ['Num  Type        Disp  Enb  Where'];
    for (const p of points) rows.push(...describePoint(p, this.dbg.multiProgram ? (p.kind === 'breakpoint' ? p.program ?? this.dbg.entryProgram : undefined) : undefined));
    return rows.join('\n');
  }

  private maps(only?: string): string {
    const maps = (this.dbg.target.maps?.() ?? []).filter((m) => only === undefined || m.name === only);
    if (!maps.length) return only === undefined ? 'The program has no maps.' : `No map named ${only}.`;
    const bytes = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const out: string[] = [];
    for (const m of maps) {
      out.push(`${m.name}: ${m.type}, key ${m.keySize} bytes, value ${m.valueSize} bytes, max_entries ${m.maxEntries}, at ${hex(m.address)}; ${m.entries.length} entr${m.entries.length === 1 ? 'y' : 'ies'}`);
      // Large arrays would flood a terminal: show the first 32 entries.
      for (const e of m.entries.slice(0, 32)) out.push(`  [${bytes(e.key)}] = ${bytes(e.value)}`);
      if (m.entries.length > 32) out.push(`  ... ${m.entries.length - 32} more`);
    }
    return out.join('\n');
  }

  /** Ten source lines around a location, from the text the line table carries (BTF stores each line's text). */
  private list(args: string): CommandResult {
    const texts = new Map<string, Map<number, string>>();
    // Every program's lines: the programs of one object share their source files.
    for (const [, table] of this.dbg.allLines()) {
      for (const l of table.values()) {
        if (l.text === undefined) continue;
        const m = texts.get(l.file) ?? new Map<number, string>();
        m.set(l.line, l.text);
        texts.set(l.file, m);
      }
    }
    for (const [file, all] of this.opts.sources ?? []) texts.set(file, new Map(all.map((t, i) => [i + 1, t])));
    if (!texts.size) return this.fail('list', 'no source text: the program has no line information with text');
    let file: string;
    let first: number;
    if (args.trim()) {
      const loc = this.location(args);
      if ('error' in loc) return this.fail('list', loc.error, loc.column);
      const [l] = loc.locs;
      const src = this.dbg.lineOf(l.pc, l.program);
      if (!src) return this.fail('list', `no line information for pc ${l.pc}`);
      file = src.file;
      first = Math.max(1, src.line - 5);
    } else if (this.previous === 'list' && this.listNext) {
      ({ file, line: first } = this.listNext);
    } else {
      const src = this.dbg.lineOf(this.dbg.target.pc());
      if (!src) return this.fail('list', `no line information for pc ${this.dbg.target.pc()}`);
      file = src.file;
      first = Math.max(1, src.line - 5);
    }
    const lines = texts.get(file) ?? new Map<number, string>();
    const whole = this.opts.sources?.get(file);
    const last = whole ? Math.min(first + 9, whole.length) : first + 9;
    if (first > last) return this.fail('list', `Line number ${first} out of range; "${file}" has ${whole?.length ?? 0} lines.`);
    const out: string[] = [];
    // Without the file, lines without code have no line-table entry and so no text: their numbers show alone.
    for (let n = first; n <= last; n++) out.push(`${n}\t${lines.get(n) ?? ''}`.trimEnd());
    this.listNext = { file, line: last + 1 };
    return this.ok('list', out.join('\n'));
  }

  private backtrace(): string {
    return framesView(this.dbg, this.opts)
      .map((f) => `#${f.index}  pc ${f.pc} in ${frameName(f, this.dbg.multiProgram)}${f.source ? ` at ${f.source.file}:${f.source.line}` : ''}`)
      .join('\n');
  }

  private frame(): string {
    const [f, caller] = framesView(this.dbg, this.opts);
    if (!f) return 'No frame.';
    const lines = [
      `Stack level 0, frame at fp = ${hex(f.fp)}:`,
      ` pc = ${f.pc} in ${frameName(f, this.dbg.multiProgram)}${f.source ? ` (${f.source.file}:${f.source.line})` : ''}; depth ${this.dbg.frames().length}`,
      f.returnPc !== undefined ? ` returns to pc ${f.returnPc}${caller ? ` in ${frameName(caller, this.dbg.multiProgram)}` : ''}` : ' outermost frame',
    ];
    const used = f.slots.filter((s) => s.origin.kind !== 'uninit');
    lines.push(used.length ? ` stack slots written: ${used.map((s) => s.name).join(' ')}` : ' no stack slots written');
    return lines.join('\n');
  }

  private stack(all: boolean): string {
    const [f] = framesView(this.dbg, this.opts);
    if (!f) return 'No frame.';
    const slots = all ? f.slots : f.slots.filter((s) => s.origin.kind !== 'uninit');
    if (!slots.length) return 'No stack slot of this frame was written (info stack all shows all of them).';
    return slots.map((s) => `${pad(s.name, 8)}${pad(hex(s.addr), 20)}${pad(s.value === undefined ? '<unreadable>' : `0x${s.value.toString(16).padStart(16, '0')}`, 20)}${describeOrigin(s.origin)}`).join('\n');
  }

  private examine(cmd: string, args: string): CommandResult {
    const fmt = cmd.includes('/') ? cmd.slice(cmd.indexOf('/') + 1) : '';
    const m = /^(\d*)([a-z]*)$/.exec(fmt);
    if (!m) return this.fail('x', `bad format "/${fmt}": use x/NFU with F in x d u i and U in b h w g`);
    let { format, unit } = this.xDefaults;
    // As in gdb, the format and unit stick; the count does not.
    const count = m[1] ? Number(m[1]) : 1;
    for (const ch of m[2]) {
      if ('xdui'.includes(ch)) format = ch;
      else if ('bhwg'.includes(ch)) unit = ch as typeof unit;
      else return this.fail('x', `bad format letter "${ch}": F in x d u i, U in b h w g`);
    }
    if (count < 1 || count > 4096) return this.fail('x', 'count must be 1..4096');
    this.xDefaults = { format, unit };
    let start: bigint;
    if (args.trim()) {
      const e = parseExpr(args);
      if (!e.ok) return this.fail('x', e.diagnostic.message, e.diagnostic.column);
      const v = evaluate(e.expr, this.dbg.state);
      if (!v.ok) return this.fail('x', v.fault);
      start = v.value.bits;
    } else if (this.xNext !== undefined) start = this.xNext;
    else return this.fail('x', 'x needs an address');
    if (format === 'i') {
      const lines: string[] = [];
      let pc = Number(start);
      for (let i = 0; i < count && this.dbg.insnAt(pc); i++) {
        const insn = this.dbg.insnAt(pc)!;
        lines.push(`${pc === this.dbg.target.pc() ? '=>' : '  '} ${pc}: ${this.insnText(pc)}`);
        pc += insn.form.kind === 'lddw' ? 2 : 1;
      }
      this.xNext = BigInt(pc);
      return lines.length ? this.ok('x', lines.join('\n')) : this.fail('x', `no instruction at pc ${start}`);
    }
    const size = { b: 1, h: 2, w: 4, g: 8 }[unit];
    const perLine = { b: 8, h: 8, w: 4, g: 2 }[unit];
    const lines: string[] = [];
    let row = '';
    for (let i = 0; i < count; i++) {
      const addr = BigInt.asUintN(64, start + BigInt(i * size));
      const b = this.dbg.target.read(addr, size);
      if (!(b instanceof Uint8Array)) {
        if (row) lines.push(row);
        lines.push(`Cannot access memory at address ${hex(addr)}: ${b.fault}`);
        return { ...this.ok('x', lines.join('\n')), ok: false };
      }
      if (i % perLine === 0) {
        if (row) lines.push(row);
        row = `${hex(addr)}:`;
      }
      let v = 0n;
      for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
      const cell = format === 'x' ? `0x${v.toString(16).padStart(size * 2, '0')}` : format === 'd' ? BigInt.asIntN(size * 8, v).toString() : v.toString();
      row += `\t${cell}`;
    }
    if (row) lines.push(row);
    this.xNext = BigInt.asUintN(64, start + BigInt(count * size));
    return this.ok('x', lines.join('\n'));
  }

  private print(cmd: string, args: string): CommandResult {
    const fmt = cmd.includes('/') ? cmd.slice(cmd.indexOf('/') + 1) : '';
    if (!['', 'x', 'd', 'u', 't'].includes(fmt)) return this.fail('print', `bad format "/${fmt}": use /x /d /u /t`);
    if (!args.trim()) return this.fail('print', 'print what? e.g. print r1 + 8');
    const e = parseExpr(args);
    if (!e.ok) return this.fail('print', e.diagnostic.message, e.diagnostic.column);
    const v = evaluate(e.expr, this.dbg.state);
    if (!v.ok) return this.fail('print', v.fault, v.column);
    const n = ++this.valueCount;
    return this.ok('print', `$${n} = ${formatValue(v.value, fmt)}`, { value: v.value.bits, signed: v.value.signed === true });
  }

  private set(args: string): CommandResult {
    const lim = /^\s*history-limit\s+(\d+)\s*$/.exec(args);
    if (lim) {
      this.dbg.historyLimit = Number(lim[1]);
      return this.ok('set', `History limit set to ${this.dbg.historyLimit} steps.`);
    }
    const body = args.replace(/^\s*var\s+/, '');
    const r = this.dbg.assign(body);
    if (!r.ok) return this.fail('set', r.message, r.column);
    return this.ok('set', r.message);
  }
}

function formatValue(v: Value, fmt: string): string {
  switch (fmt) {
    case 'x':
      return hex(v.bits);
    case 'd':
      return BigInt.asIntN(64, v.bits).toString();
    case 'u':
      return v.bits.toString();
    case 't':
      return v.bits.toString(2);
    default:
      return `${valueToDecimal(v)}${v.bits > 9n ? ` (${hex(v.bits)})` : ''}`;
  }
}

/** A location in a program. */
interface Loc {
  readonly pc: number;
  readonly program: string | undefined;
}

/** "bump of parse_ipv4" for a subprogram when several programs link it; the function (or program) name otherwise. */
function frameName(f: { function?: string; entry: number; program?: string }, multiProgram: boolean): string {
  const fn = f.function ?? `subprog@${f.entry}`;
  return multiProgram && f.program !== undefined && f.program !== fn ? `${fn} of ${f.program}` : fn;
}

/** "tail call jmp_table[0]: dispatch -> parse_ipv4 (1 of 33)" or why it fell through. */
export function describeTailCall(t: TailCallNote): string {
  return t.to !== undefined
    ? `tail call ${t.map}[${t.index}] at pc ${t.pc}: ${t.from} -> ${t.to} (tail call ${t.count} of at most ${t.limit})`
    : `tail call ${t.map}[${t.index}] at pc ${t.pc} of ${t.from} not taken: ${t.fellThrough}; execution falls through (${t.count} tail calls made, limit ${t.limit})`;
}

function describePoint(p: Point, program?: string): string[] {
  const disp = p.kind === 'breakpoint' && p.temporary ? 'del ' : 'keep';
  const where = p.kind === 'breakpoint'
    ? `pc ${p.pc}${program !== undefined ? ` in ${program}` : ''}${p.source ? ` (${p.source.file}:${p.source.line})` : ''}`
    : `${p.text}${p.target.kind === 'memory' ? ` (${p.target.size} bytes at ${hex(p.target.addr)})` : ''}`;
  const rows = [`${pad(String(p.id), 5)}${pad(p.kind === 'breakpoint' ? 'breakpoint' : 'watchpoint', 12)}${pad(disp, 6)}${pad(p.enabled ? 'y' : 'n', 5)}${where}`];
  if (p.condition) rows.push(`\tstop only if ${p.condition.text}`);
  if (p.hits) rows.push(`\t${p.kind === 'breakpoint' ? 'breakpoint' : 'watchpoint'} already hit ${p.hits} time${p.hits === 1 ? '' : 's'}`);
  if (p.ignore) rows.push(`\tWill ignore next ${p.ignore} crossings of breakpoint.`);
  return rows;
}
