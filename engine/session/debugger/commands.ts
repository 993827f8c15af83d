// A gdb-like command interpreter over the Debugger: one line in, text plus a structured result out; used by the app's console and the CLI.
import { printInsn } from '../../asm';
import type { Insn } from '../../isa';
import { parseCondition, watchTargetOf, type Breakpoint, type Point } from './breakpoints';
import { breakpointMessage, type Debugger, type Stop } from './debugger';
import { evaluate, parseExpr, valueToDecimal, type Value } from './expr';
import type { DebugTarget } from './target';
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
  ['break LOC [if COND]', 'breakpoint at LOC: LINE, FILE:LINE, FUNCTION or *PC (b); tbreak: one-shot'],
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
  ['info registers|breakpoints|frame|stack [all]|maps [NAME]|output|history', 'show state (i r, i b, i f, ...)'],
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

  private insnText(pc: number): string {
    const insn = this.dbg.insnAt(pc);
    if (!insn) return '<no instruction>';
    if (this.opts.printInsn) return this.opts.printInsn(insn, pc);
    const fns = this.opts.functions;
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

  /** "=> 5: r1 = *(u64 *)(r10 - 8)    ; prog.c:12" */
  private here(): string {
    const pc = this.dbg.target.pc();
    const src = this.dbg.lineOf(pc);
    const insn = this.insnText(pc);
    // Source text is worth showing for C; for assembly input it is the instruction again.
    const text = this.dbg.lines.get(pc)?.text?.trim();
    const showText = text && text !== insn;
    return `=> ${pc}: ${insn}${src ? `    ; ${src.file}:${src.line}${showText ? `  ${text}` : ''}` : ''}`;
  }

  /** LINE, FILE:LINE or *PC to a pc; also the breakpoint's source line and a note. */
  private location(text: string): { pc: number; note?: string; requested: string } | { error: string; column?: number } {
    const t = text.trim();
    if (t === '') return { pc: this.dbg.target.pc(), requested: `*${this.dbg.target.pc()}` };
    if (t.startsWith('*')) {
      const e = parseExpr(t.slice(1));
      if (!e.ok) return { error: e.diagnostic.message, column: (e.diagnostic.column ?? 1) + 1 };
      const v = evaluate(e.expr, this.dbg.state);
      if (!v.ok) return { error: v.fault };
      return this.checkPc(Number(v.value.bits), t);
    }
    for (const [pc, name] of this.opts.functions ?? []) if (name === t) return this.checkPc(pc, t);
    const m = /^(?:(.+):)?(\d+)$/.exec(t);
    if (!m) return { error: `bad location "${t}": use LINE, FILE:LINE, FUNCTION or *PC` };
    const line = Number(m[2]);
    if (this.dbg.lines.size === 0 && m[1] === undefined) {
      // Without line information a bare number can only mean an instruction index.
      return this.checkPc(line, t, `no line information: using pc ${line}`);
    }
    const r = this.dbg.resolveLine(m[1], line);
    if (!r.ok) return { error: r.diagnostic.message };
    return { pc: r.value.pc, requested: t, ...(r.note ? { note: r.note } : {}) };
  }

  private checkPc(pc: number, requested: string, note?: string): { pc: number; note?: string; requested: string } | { error: string } {
    if (!Number.isSafeInteger(pc) || !this.dbg.insnAt(pc)) return { error: `no instruction at pc ${pc}` };
    return { pc, requested, ...(note ? { note } : {}) };
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
    const source = this.dbg.lines.get(loc.pc);
    const bp = this.dbg.points.addBreakpoint(loc.pc, loc.requested, { temporary, ...(source ? { source } : {}), ...(condition ? { condition } : {}) });
    const lines = [];
    if (loc.note) lines.push(`(${loc.note})`);
    lines.push(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${bp.id} at pc ${bp.pc}${source ? `: file ${source.file}, line ${source.line}` : ''}.${condition ? ` Condition: ${condition.text}` : ''}`);
    return this.ok(name, lines.join('\n'), { id: bp.id, pc: bp.pc });
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
    return this.dbg.points.list().find((p): p is Breakpoint => p.kind === 'breakpoint' && p.pc === pc);
  }

  private until(args: string, cmd: string): CommandResult {
    if (!args.trim()) return this.stopped(cmd, this.dbg.nextLine());
    const loc = this.location(args);
    if ('error' in loc) return this.fail(cmd, loc.error, loc.column);
    return this.stopped(cmd, this.dbg.runTo(loc.pc));
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
    if (pick('history', ['h'])) {
      return this.ok('info history', `${this.dbg.historySteps()} steps recorded for reverse execution (limit ${this.dbg.historyLimit}); ${this.dbg.stepCount} instructions executed`);
    }
    return this.fail('info', `info what? registers, breakpoints, frame, stack [all], maps [NAME], output, history`);
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
    for (const p of points) rows.push(...describePoint(p));
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
    for (const l of this.dbg.lines.values()) {
      if (l.text === undefined) continue;
      const m = texts.get(l.file) ?? new Map<number, string>();
      m.set(l.line, l.text);
      texts.set(l.file, m);
    }
    for (const [file, all] of this.opts.sources ?? []) texts.set(file, new Map(all.map((t, i) => [i + 1, t])));
    if (!texts.size) return this.fail('list', 'no source text: the program has no line information with text');
    let file: string;
    let first: number;
    if (args.trim()) {
      const loc = this.location(args);
      if ('error' in loc) return this.fail('list', loc.error, loc.column);
      const src = this.dbg.lineOf(loc.pc);
      if (!src) return this.fail('list', `no line information for pc ${loc.pc}`);
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
      .map((f) => `#${f.index}  pc ${f.pc} in ${f.function ?? `subprog@${f.entry}`}${f.source ? ` at ${f.source.file}:${f.source.line}` : ''}`)
      .join('\n');
  }

  private frame(): string {
    const [f, caller] = framesView(this.dbg, this.opts);
    if (!f) return 'No frame.';
    const lines = [
      `Stack level 0, frame at fp = ${hex(f.fp)}:`,
      ` pc = ${f.pc} in ${f.function ?? `subprog@${f.entry}`}${f.source ? ` (${f.source.file}:${f.source.line})` : ''}; depth ${this.dbg.frames().length}`,
      f.returnPc !== undefined ? ` returns to pc ${f.returnPc}${caller ? ` in ${caller.function ?? `subprog@${caller.entry}`}` : ''}` : ' outermost frame',
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

function describePoint(p: Point): string[] {
  const disp = p.kind === 'breakpoint' && p.temporary ? 'del ' : 'keep';
  const where = p.kind === 'breakpoint'
    ? `pc ${p.pc}${p.source ? ` (${p.source.file}:${p.source.line})` : ''}`
    : `${p.text}${p.target.kind === 'memory' ? ` (${p.target.size} bytes at ${hex(p.target.addr)})` : ''}`;
  const rows = [`${pad(String(p.id), 5)}${pad(p.kind === 'breakpoint' ? 'breakpoint' : 'watchpoint', 12)}${pad(disp, 6)}${pad(p.enabled ? 'y' : 'n', 5)}${where}`];
  if (p.condition) rows.push(`\tstop only if ${p.condition.text}`);
  if (p.hits) rows.push(`\t${p.kind === 'breakpoint' ? 'breakpoint' : 'watchpoint'} already hit ${p.hits} time${p.hits === 1 ? '' : 's'}`);
  if (p.ignore) rows.push(`\tWill ignore next ${p.ignore} crossings of breakpoint.`);
  return rows;
}
