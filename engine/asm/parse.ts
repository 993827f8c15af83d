// The parser: llvm or conformance assembly text -> Insn[] plus labels and diagnostics; never throws.
// Each statement is matched against every form's spellings (spelling.ts); the furthest partial match
// explains a failure ("expected register at 1:7").
import { error, FORMS, makeInsn, warning, type Diagnostic, type Insn, type InsnFields, type InsnForm } from '../isa';
import { statements, tokenize, type Statement, type Token } from './lexer';
import { spellings, type Syntax } from './spelling';
import { pieces, type Placeholder } from './template';

export interface ParseOptions {
  /** Default 'llvm'. */
  readonly syntax?: Syntax;
  /** File name for diagnostics. */
  readonly file?: string;
}

export interface ParseResult {
  readonly insns: Insn[];
  /** Label name -> slot index (pc) it marks. */
  readonly labels: Map<string, number>;
  /** 1-based source line of each instruction. */
  readonly lineOfInsn: number[];
  readonly diagnostics: Diagnostic[];
}

/** A spelling compiled for matching: literal tokens and placeholders. */
type Step = { lit: string } | Placeholder;

interface Pattern {
  readonly form: InsnForm;
  readonly steps: Step[];
}

interface PatternIndex {
  /** Patterns starting with a literal token, by that token. */
  readonly byFirst: Map<string, Pattern[]>;
  /** Patterns starting with an operand (llvm's "r1 += ..."), tried for every statement. */
  readonly operandFirst: Pattern[];
}

const compiled = new Map<Syntax, PatternIndex>();

/** Candidate patterns for a statement, in table order (a pattern whose first literal differs cannot match). */
function candidates(syntax: Syntax, first: Token): Pattern[] {
  const index = patterns(syntax);
  const lit = index.byFirst.get(first.text) ?? [];
  return lit.length ? [...lit, ...index.operandFirst] : index.operandFirst;
}

function patterns(syntax: Syntax): PatternIndex {
  const done = compiled.get(syntax);
  if (done) return done;
  const list: Pattern[] = [];
  for (const form of FORMS) {
    for (const s of spellings(form, syntax)) {
      const steps: Step[] = [];
      for (const p of pieces(s.text)) {
        if (typeof p === 'string') for (const t of tokenize(p)) steps.push({ lit: t.text });
        else steps.push(p);
      }
      list.push({ form, steps });
    }
  }
  const index: PatternIndex = { byFirst: new Map(), operandFirst: [] };
  for (const p of list) {
    const first = p.steps[0];
    if (first && 'lit' in first) {
      const bucket = index.byFirst.get(first.lit) ?? [];
      bucket.push(p);
      index.byFirst.set(first.lit, bucket);
    } else {
      index.operandFirst.push(p);
    }
  }
  compiled.set(syntax, index);
  return index;
}

interface Fixup {
  readonly field: 'off' | 'imm';
  readonly label: string;
  readonly token: Token;
}

interface Match {
  fields: InsnFields;
  asDst?: number;
  asSrc?: number;
  fixups: Fixup[];
  notes: Array<{ code: string; message: string; token: Token }>;
}

/** Why a pattern stopped matching: at which token, what it wanted, and whether the text was right but the value not. */
interface Failure {
  readonly at: number;
  readonly expected: string;
  readonly code: string;
  readonly range?: string;
}

const S32_MIN = -(2n ** 31n);
const U32_MAX = 2n ** 32n - 1n;

function wrap32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

class Cursor {
  constructor(
    readonly toks: Token[],
    public pos = 0,
  ) {}
  peek(k = 0): Token | undefined {
    return this.toks[this.pos + k];
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.text === text;
  }
}

const REG_RE: Record<string, RegExp> = { r: /^r(\d+)$/, w: /^w(\d+)$/, x: /^[rw](\d+)$/, p: /^%?r(\d+)$/ };

function regName(kind: string): string {
  return kind === 'w' ? 'a w register' : kind === 'p' ? 'a register (%rN)' : kind === 'x' ? 'a register' : 'an r register';
}

/** Reads an optionally signed number; undefined if the next tokens are not one. */
function signedNumber(c: Cursor, allowPlus = true): { value: bigint; token: Token } | undefined {
  const t = c.peek();
  if (!t) return undefined;
  let neg = false;
  let k = 0;
  if (t.kind === 'punct' && (t.text === '-' || (allowPlus && t.text === '+'))) {
    neg = t.text === '-';
    k = 1;
  }
  const n = c.peek(k);
  if (n?.kind !== 'num') return undefined;
  c.pos += k + 1;
  return { value: neg ? -n.value! : n.value!, token: t };
}

function matchPattern(p: Pattern, toks: Token[], syntax: Syntax): Match | Failure {
  const c = new Cursor(toks);
  const m: Match = { fields: {}, fixups: [], notes: [] };
  const fail = (expected: string, code: string, at = c.pos): Failure => ({ at, expected, code });
  const range = (message: string, code: string, at: number): Failure => ({ at, expected: '', code, range: message });

  const setField = (name: keyof InsnFields, v: number, at: number, prefix: string): Failure | undefined => {
    const prev = m.fields[name];
    if (prev !== undefined && prev !== v) return fail(`${prefix}${prev} (the same register as before)`, 'asm.expected-register', at);
    m.fields[name] = v;
    return undefined;
  };

  for (const step of p.steps) {
    const start = c.pos;
    const t = c.peek();
    if ('lit' in step) {
      if (!t || t.text !== step.lit) return fail(`'${step.lit}'`, 'asm.expected-token');
      c.pos++;
      continue;
    }
    switch (step.kind) {
      case 'r':
      case 'w':
      case 'x':
      case 'p': {
        const mm = t?.kind === 'ident' ? REG_RE[step.kind].exec(t.text) : null;
        const n = mm ? Number(mm[1]) : NaN;
        if (!mm || n > 15) return fail(regName(step.kind), 'asm.expected-register');
        if (step.arg === '0') {
          if (n !== 0) return fail(`${step.kind === 'w' ? 'w0' : 'r0'}`, 'asm.expected-register');
        } else {
          const f = setField(step.arg as 'dst' | 'src', n, start, t!.text.replace(/\d+$/, ''));
          if (f) return f;
          if (n > 10) m.notes.push({ code: 'asm.invalid-register', message: `${t!.text} is not a register the kernel accepts (r0..r10)`, token: t! });
        }
        c.pos++;
        break;
      }
      case 'imm': {
        const v = signedNumber(c);
        if (!v) return fail('a number', 'asm.expected-number');
        if (v.value < S32_MIN || v.value > U32_MAX) {
          // The conformance suite's assembler truncates (static_cast<uint32_t>) and its tests rely on it.
          if (syntax !== 'conformance' || v.value < -(2n ** 63n) || v.value >= 2n ** 64n) return range(`immediate ${v.value} does not fit in 32 bits`, 'asm.immediate-range', start);
          m.notes.push({ code: 'asm.immediate-truncated', message: `immediate 0x${BigInt.asUintN(64, v.value).toString(16)} truncated to 32 bits (0x${BigInt.asUintN(32, v.value).toString(16)})`, token: v.token });
        }
        m.fields.imm = wrap32(v.value);
        break;
      }
      case 'imm64': {
        const v = signedNumber(c);
        if (!v) return fail('a number', 'asm.expected-number');
        if (v.value < -(2n ** 63n) || v.value > 2n ** 64n - 1n) return range(`constant ${v.value} does not fit in 64 bits`, 'asm.immediate-range', start);
        const u = BigInt.asUintN(64, v.value);
        m.fields.imm = wrap32(u);
        m.fields.imm2 = wrap32(u >> 32n);
        break;
      }
      case 'memoff': {
        if (!t || t.kind !== 'punct' || (t.text !== '+' && t.text !== '-')) return fail("'+' or '-' and an offset", 'asm.expected-token');
        const n = c.peek(1);
        if (n?.kind !== 'num') return fail('an offset', 'asm.expected-number', c.pos + 1);
        c.pos += 2;
        const v = t.text === '-' ? -n.value! : n.value!;
        if (v < -32768n || v > 32767n) return range(`offset ${v} does not fit in 16 bits`, 'asm.offset-range', start);
        m.fields.off = Number(v);
        break;
      }
      case 'mem': {
        if (!c.isPunct('[')) return fail("'['", 'asm.expected-token');
        c.pos++;
        const r = c.peek();
        const mm = r?.kind === 'ident' ? REG_RE.p.exec(r.text) : null;
        if (!mm || Number(mm[1]) > 15) return fail(regName('p'), 'asm.expected-register');
        const f = setField(step.arg as 'dst' | 'src', Number(mm[1]), c.pos, '%r');
        if (f) return f;
        c.pos++;
        let off = 0n;
        if (c.isPunct('+') || c.isPunct('-')) {
          const at = c.pos;
          const v = signedNumber(c);
          if (!v) return fail('an offset', 'asm.expected-number', c.pos + 1);
          if (v.value < -32768n || v.value > 32767n) return range(`offset ${v.value} does not fit in 16 bits`, 'asm.offset-range', at);
          off = v.value;
        }
        if (!c.isPunct(']')) return fail("']'", 'asm.expected-token');
        c.pos++;
        m.fields.off = Number(off);
        break;
      }
      case 'target':
      case 'pctarget': {
        const field = step.arg as 'off' | 'imm';
        if (t?.kind === 'ident' && !(step.kind === 'pctarget' && t.text === 'pc' && (c.peek(1)?.text === '+' || c.peek(1)?.text === '-'))) {
          m.fixups.push({ field, label: t.text, token: t });
          m.fields[field] = 0;
          c.pos++;
        } else {
          if (step.kind === 'pctarget') {
            if (t?.text !== 'pc') return fail("a label or 'pc+N'", 'asm.expected-target');
            c.pos++;
          }
          const s = c.peek();
          if (!s || s.kind !== 'punct' || (s.text !== '+' && s.text !== '-')) return fail("a label or a signed offset ('+3')", 'asm.expected-target');
          const v = signedNumber(c);
          if (!v) return fail('an offset', 'asm.expected-number', c.pos + 1);
          const lo = field === 'off' ? -32768n : S32_MIN;
          const hi = field === 'off' ? 32767n : 2n ** 31n - 1n;
          if (v.value < lo || v.value > hi) return range(`jump offset ${v.value} does not fit in ${field === 'off' ? 16 : 32} bits`, 'asm.offset-range', start);
          m.fields[field] = Number(v.value);
        }
        // llvm-objdump's annotation of the target ("<LBB0_1+0x30>") may follow: skip it.
        if (syntax === 'llvm' && c.isPunct('<') && toks[toks.length - 1].text === '>') c.pos = toks.length;
        break;
      }
      case 'fixed': {
        const v = signedNumber(c);
        const want = p.form[step.arg as 'src'] as number;
        if (!v || v.value !== BigInt(want)) return fail(String(want), 'asm.expected-number');
        break;
      }
      case 'num': {
        const v = signedNumber(c);
        if (!v) return fail('a number', 'asm.expected-number');
        if (v.value < -32768n || v.value > 32767n) return range(`${v.value} does not fit in 16 bits`, 'asm.offset-range', start);
        m.fields[step.arg as 'off'] = Number(v.value);
        break;
      }
      case 'as': {
        const v = signedNumber(c, false);
        if (!v) return fail('an address space number', 'asm.expected-number');
        if (v.value < 0n || v.value > 0xffffn) return range(`address space ${v.value} does not fit in 16 bits`, 'asm.immediate-range', start);
        if (step.arg === 'dst') m.asDst = Number(v.value);
        else m.asSrc = Number(v.value);
        break;
      }
    }
  }
  if (c.pos < toks.length) return fail('end of statement', 'asm.trailing-tokens');
  if (m.asDst !== undefined || m.asSrc !== undefined) m.fields.imm = wrap32(BigInt(((m.asDst ?? 0) << 16) | (m.asSrc ?? 0)));
  return m;
}

const HARMLESS_DIRECTIVES = new Set([
  '.text', '.section', '.globl', '.global', '.type', '.size', '.p2align', '.align', '.file', '.loc', '.ident', '.local',
  '.weak', '.hidden', '.previous', '.addrsig', '.addrsig_sym', '.cfi_sections', '.cfi_startproc', '.cfi_endproc', '.set',
]);

export function parse(source: string, opts: ParseOptions = {}): ParseResult {
  const syntax = opts.syntax ?? 'llvm';
  const where = (line: number, column: number) => ({ line, column, ...(opts.file !== undefined ? { file: opts.file } : {}) });
  const insns: Insn[] = [];
  const lineOfInsn: number[] = [];
  const labels = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  const fixups: Array<{ index: number; pc: number; fixup: Fixup; line: number }> = [];
  let pc = 0;

  const statement = (st: Statement): void => {
    let toks = st.tokens;
    // Label definitions: "name:" (possibly followed by an instruction on the same line).
    while (toks.length >= 2 && toks[0].kind === 'ident' && toks[1].text === ':') {
      const name = toks[0].text;
      if (labels.has(name)) diagnostics.push(error('asm.duplicate-label', `label '${name}' is already defined`, where(st.line, toks[0].col)));
      else labels.set(name, pc);
      toks = toks.slice(2);
    }
    if (!toks.length) return;
    const first = toks[0];
    if (syntax === 'llvm' && first.kind === 'ident' && first.text.startsWith('.')) {
      if (!HARMLESS_DIRECTIVES.has(first.text) && !first.text.startsWith('.cfi')) {
        diagnostics.push(warning('asm.ignored-directive', `directive ${first.text} is ignored`, where(st.line, first.col)));
      }
      return;
    }
    let best: Failure | undefined;
    for (const p of candidates(syntax, first)) {
      const r = matchPattern(p, toks, syntax);
      if ('fields' in r) {
        const insn = makeInsn(p.form.id, r.fields);
        for (const f of r.fixups) fixups.push({ index: insns.length, pc, fixup: f, line: st.line });
        for (const n of r.notes) diagnostics.push(warning(n.code, n.message, where(st.line, n.token.col)));
        insns.push(insn);
        lineOfInsn.push(st.line);
        pc += p.form.kind === 'lddw' ? 2 : 1;
        return;
      }
      // Prefer the failure that got furthest; at equal distance a range error beats a syntax one.
      if (!best || r.at > best.at || (r.at === best.at && r.range && !best.range)) best = r;
      else if (r.at === best.at && !r.range && !best.range && !best.expected.split(' or ').includes(r.expected)) {
        best = { ...best, expected: `${best.expected} or ${r.expected}`, code: best.code === r.code ? r.code : 'asm.expected' };
      }
    }
    const at = best?.at ?? 0;
    const tok = toks[at];
    const col = tok?.col ?? st.endCol;
    if (best?.range) {
      diagnostics.push(error(best.code, best.range, where(st.line, col)));
    } else if (at === 0) {
      diagnostics.push(error('asm.unknown-instruction', `unknown instruction '${first.text}'`, where(st.line, first.col)));
    } else {
      const expected = shorten(best!.expected);
      diagnostics.push(error(best!.code, `expected ${expected}${tok ? `, found '${tok.text}'` : ' at end of statement'}`, where(st.line, col)));
    }
  };

  for (const st of statements(source, syntax)) statement(st);

  // The conformance suite's assembler names the first exit "exit" so that "ja exit" works.
  if (syntax === 'conformance' && !labels.has('exit')) {
    const i = insns.findIndex((x) => x.form.kind === 'exit');
    if (i >= 0) labels.set('exit', pcOf(insns, i));
  }

  for (const { index, pc: at, fixup, line } of fixups) {
    const target = labels.get(fixup.label);
    if (target === undefined) {
      diagnostics.push(error('asm.undefined-label', `undefined label '${fixup.label}'`, where(line, fixup.token.col)));
      continue;
    }
    const delta = target - (at + 1);
    if (fixup.field === 'off' && (delta < -32768 || delta > 32767)) {
      diagnostics.push(error('asm.offset-range', `jump to '${fixup.label}' is ${delta} instructions away, more than a 16-bit offset holds`, where(line, fixup.token.col)));
      continue;
    }
    insns[index] = { ...insns[index], [fixup.field]: delta };
  }
  return { insns, labels, lineOfInsn, diagnostics };
}

function pcOf(insns: readonly Insn[], index: number): number {
  let pc = 0;
  for (let i = 0; i < index; i++) pc += insns[i].form.kind === 'lddw' ? 2 : 1;
  return pc;
}

/** Long alternative lists ("'+=' or '-=' or ...") read better cut short. */
function shorten(expected: string): string {
  const alts = [...new Set(expected.split(' or '))];
  return alts.length > 6 ? `${alts.slice(0, 5).join(', ')} (or ${alts.length - 5} other things)` : alts.join(' or ');
}
