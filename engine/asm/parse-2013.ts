// Parses the 2013 assembler macro syntax (ISA-13): a list of BPF_INSN_*(...) invocations, or a C
// file in the style of the seed's filter_ex*.c with `struct bpf_insn x[] = {...}`, an optional
// `struct bpf_table y[] = {...}` and a `char strtab[N] = "..."`; other C is skipped.
import { error, warning, type Diagnostic } from '../isa';
import { decode2013, encode2013, INVALID_FORM_2013, SYMBOLS_2013, type Insn2013, type Table2013 } from '../isa/ebpf2013';

export interface Parse2013Options {
  /** File name for diagnostics. */
  readonly file?: string;
}

export interface Parse2013Result {
  readonly insns: Insn2013[];
  /** 1-based line of each instruction's macro. */
  readonly lines: number[];
  readonly tables: Table2013[];
  /** The char array initializer (with C's sizing rules), when the text declares one. */
  readonly strtab?: Uint8Array;
  readonly diagnostics: Diagnostic[];
}

type Kind = 'ident' | 'num' | 'str' | 'punct';
interface Tok {
  readonly kind: Kind;
  readonly text: string;
  readonly line: number;
  readonly col: number;
  readonly value?: bigint;
  readonly bytes?: number[];
}

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34, "'": 39, '?': 63 };

function tokenize(text: string, diags: Diagnostic[], file: string | undefined): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const at = (p: number) => ({ line, column: p - lineStart + 1, ...(file ? { file } : {}) });
  let bol = true;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = ++i;
      bol = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (bol && c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    bol = false;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const start = at(i);
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= text.length) diags.push(error('asm2013.unterminated-comment', 'unterminated /* comment', start));
      i += 2;
      continue;
    }
    const col = i - lineStart + 1;
    if (/[A-Za-z_]/.test(c)) {
      const s = i;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      toks.push({ kind: 'ident', text: text.slice(s, i), line, col });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const s = i;
      while (i < text.length && /[0-9A-Za-z_]/.test(text[i])) i++;
      const raw = text.slice(s, i);
      const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(raw);
      if (!m) {
        diags.push(error('asm2013.bad-number', `bad number "${raw}"`, at(s)));
        toks.push({ kind: 'num', text: raw, line, col, value: 0n });
      } else {
        const digits = m[1];
        const value = /^0[0-7]+$/.test(digits) ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
        toks.push({ kind: 'num', text: raw, line, col, value });
      }
      continue;
    }
    if (c === '"') {
      const s = i;
      const bytes: number[] = [];
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\') {
          const e = text[i + 1] ?? '';
          if (/[0-7]/.test(e)) {
            let j = i + 1;
            let v = 0;
            while (j < i + 4 && /[0-7]/.test(text[j] ?? '')) v = v * 8 + Number(text[j++]);
            bytes.push(v & 0xff);
            i = j;
          } else if (e === 'x') {
            let j = i + 2;
            let v = 0;
            while (/[0-9a-fA-F]/.test(text[j] ?? '')) v = v * 16 + parseInt(text[j++], 16);
            if (j === i + 2) diags.push(error('asm2013.bad-escape', '\\x used with no following hex digits', at(i)));
            bytes.push(v & 0xff);
            i = j;
          } else if (e in ESCAPES) {
            bytes.push(ESCAPES[e]);
            i += 2;
          } else {
            diags.push(error('asm2013.bad-escape', `unknown escape sequence \\${e}`, at(i)));
            i += 2;
          }
          continue;
        }
        bytes.push(...new TextEncoder().encode(text[i]));
        i++;
      }
      if (text[i] !== '"') diags.push(error('asm2013.unterminated-string', 'missing terminating " character', at(s)));
      else i++;
      toks.push({ kind: 'str', text: text.slice(s, i), line, col, bytes });
      continue;
    }
    if (c === "'") {
      diags.push(error('asm2013.char-literal', 'character literals are not supported; write the number', at(i)));
      i++;
      while (i < text.length && text[i] !== "'" && text[i] !== '\n') i++;
      i++;
      continue;
    }
    toks.push({ kind: 'punct', text: c, line, col });
    i++;
  }
  return toks;
}

type ArgKind = 'op' | 'size' | 'reg' | 'off' | 'imm';

/** Each macro of include/linux/bpf.h: its argument kinds (in order) and how they fill the slot. */
const MACROS: Record<string, { args: ArgKind[]; build: (v: number[]) => { code: number; dst: number; src: number; off: number; imm: number } }> = {
  BPF_INSN_ALU: { args: ['op', 'reg', 'reg'], build: ([op, a, x]) => ({ code: 0x04 | op | 0x08, dst: a, src: x, off: 0, imm: 0 }) },
  BPF_INSN_ALU_IMM: { args: ['op', 'reg', 'imm'], build: ([op, a, imm]) => ({ code: 0x04 | op, dst: a, src: 0, off: 0, imm }) },
  BPF_INSN_LD: { args: ['size', 'reg', 'reg', 'off'], build: ([sz, a, x, off]) => ({ code: 0x01 | sz | 0xc0, dst: a, src: x, off, imm: 0 }) },
  BPF_INSN_ST: { args: ['size', 'reg', 'off', 'reg'], build: ([sz, a, off, x]) => ({ code: 0x03 | sz | 0xc0, dst: a, src: x, off, imm: 0 }) },
  BPF_INSN_ST_IMM: { args: ['size', 'reg', 'off', 'imm'], build: ([sz, a, off, imm]) => ({ code: 0x02 | sz | 0xc0, dst: a, src: 0, off, imm }) },
  BPF_INSN_XADD: { args: ['size', 'reg', 'off', 'reg'], build: ([sz, a, off, x]) => ({ code: 0x03 | sz | 0xe0, dst: a, src: x, off, imm: 0 }) },
  BPF_INSN_JUMP: { args: ['op', 'reg', 'reg', 'off'], build: ([op, a, x, off]) => ({ code: 0x05 | op | 0x08, dst: a, src: x, off, imm: 0 }) },
  BPF_INSN_JUMP_IMM: { args: ['op', 'reg', 'imm', 'off'], build: ([op, a, imm, off]) => ({ code: 0x05 | op, dst: a, src: 0, off, imm }) },
  BPF_INSN_RET: { args: [], build: () => ({ code: 0x06, dst: 0, src: 0, off: 0, imm: 0 }) },
  BPF_INSN_CALL: { args: ['imm'], build: ([imm]) => ({ code: 0x85, dst: 0, src: 0, off: 0, imm }) },
};

const FAMILY: Record<string, RegExp> = {
  aluop: /^BPF_(ADD|SUB|MUL|DIV|OR|AND|LSH|RSH|NEG|MOD|XOR|MOV|ARSH|BSWAP32|BSWAP64)$/,
  jmpop: /^BPF_(JA|JEQ|JGT|JGE|JSET|JNE|JSGT|JSGE|CALL)$/,
  size: /^BPF_(W|H|B|DW)$/,
  reg: /^(R[0-9]|__fp__)$/,
};

class Parser {
  pos = 0;
  readonly insns: Insn2013[] = [];
  readonly lines: number[] = [];
  readonly tables: Table2013[] = [];
  strtab?: Uint8Array;
  strtabName?: string;

  constructor(readonly toks: Tok[], readonly diags: Diagnostic[], readonly file: string | undefined) {}

  where(t: Tok | undefined) {
    const last = this.toks[this.toks.length - 1];
    const tok = t ?? last;
    const column = t ? t.col : last ? last.col + last.text.length : 1;
    return { line: tok?.line ?? 1, column, ...(this.file ? { file: this.file } : {}) };
  }

  peek(k = 0): Tok | undefined {
    return this.toks[this.pos + k];
  }

  is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }

  expect(text: string): boolean {
    if (this.is(text)) {
      this.pos++;
      return true;
    }
    const t = this.peek();
    this.diags.push(error('asm2013.expected', `expected '${text}'${t ? ` before '${t.text}'` : ' at end of input'}`, this.where(t)));
    return false;
  }

  /** Skips to just past the next token `text` at nesting depth 0 (error recovery and C skipping). */
  skipPast(text: string): void {
    let depth = 0;
    while (this.pos < this.toks.length) {
      const t = this.toks[this.pos++];
      if (t.kind !== 'punct') continue;
      if (depth === 0 && t.text === text) return;
      if (t.text === '(' || t.text === '{' || t.text === '[') depth++;
      else if (t.text === ')' || t.text === '}' || t.text === ']') {
        if (depth === 0) {
          this.pos--;
          return;
        }
        depth--;
      }
    }
  }

  /** expr := unary (('|' | '+' | '-' | '&') unary)* over 64-bit integers. */
  expr(): bigint | undefined {
    let v = this.unary();
    while (v !== undefined && (this.is('|') || this.is('+') || this.is('-') || this.is('&'))) {
      const op = this.toks[this.pos++].text;
      const r = this.unary();
      if (r === undefined) return undefined;
      v = op === '|' ? v | r : op === '&' ? v & r : op === '+' ? v + r : v - r;
    }
    return v;
  }

  unary(): bigint | undefined {
    const t = this.peek();
    if (!t) {
      this.diags.push(error('asm2013.expected', 'expected an expression at end of input', this.where(undefined)));
      return undefined;
    }
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      this.pos++;
      const v = this.unary();
      if (v === undefined) return undefined;
      return t.text === '-' ? -v : t.text === '~' ? ~v : v;
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.pos++;
      const v = this.expr();
      if (v === undefined || !this.expect(')')) return undefined;
      return v;
    }
    if (t.kind === 'num') {
      this.pos++;
      return t.value ?? 0n;
    }
    if (t.kind === 'ident') {
      this.pos++;
      const v = SYMBOLS_2013[t.text];
      if (v === undefined) {
        this.diags.push(error('asm2013.unknown-symbol', `unknown symbol '${t.text}'`, this.where(t)));
        return undefined;
      }
      return BigInt(v);
    }
    this.diags.push(error('asm2013.expected', `expected an expression before '${t.text}'`, this.where(t)));
    return undefined;
  }

  /** One macro argument: evaluated, range-checked and masked the way the C macro and bitfields would. */
  arg(kind: ArgKind, macro: string): number | undefined {
    const first = this.peek();
    const single = first?.kind === 'ident' && (this.is(',', 1) || this.is(')', 1)) ? first.text : undefined;
    const v = this.expr();
    if (v === undefined || !first) return undefined;
    const where = this.where(first);
    const family = kind === 'op' ? (macro.startsWith('BPF_INSN_JUMP') ? 'jmpop' : 'aluop') : kind === 'size' ? 'size' : kind === 'reg' ? 'reg' : undefined;
    if (single && family && !FAMILY[family].test(single)) {
      this.diags.push(warning('asm2013.symbol-family', `'${single}' is not ${family === 'aluop' ? 'an ALU op' : family === 'jmpop' ? 'a jump op' : family === 'size' ? 'a size' : 'a register'}; its value ${v} is used as is`, where));
    }
    switch (kind) {
      case 'op':
      case 'size': {
        const mask = kind === 'op' ? 0xf0n : 0x18n;
        if ((v & ~mask) !== 0n) this.diags.push(warning('asm2013.masked', `value 0x${v.toString(16)} has bits outside the ${kind === 'op' ? 'BPF_OP mask 0xf0' : 'BPF_SIZE mask 0x18'}`, where));
        return Number(v & mask);
      }
      case 'reg':
        if (v < 0n || v > 15n) {
          this.diags.push(error('asm2013.bad-register', `register ${v} does not fit the 4-bit field`, where));
          return undefined;
        }
        return Number(v);
      case 'off':
        if (v < -32768n || v > 32767n) {
          this.diags.push(error('asm2013.range', `offset ${v} does not fit in s16`, where));
          return undefined;
        }
        return Number(v);
      case 'imm':
        if (v < -2147483648n || v > 0xffffffffn) {
          this.diags.push(error('asm2013.range', `immediate ${v} does not fit in 32 bits`, where));
          return undefined;
        }
        return Number(BigInt.asIntN(32, v));
    }
  }

  macro(): void {
    const name = this.toks[this.pos++];
    const spec = MACROS[name.text];
    if (!spec) {
      this.diags.push(error('asm2013.unknown-macro', `unknown macro '${name.text}' (expected one of ${Object.keys(MACROS).join(', ')})`, this.where(name)));
      if (this.is('(')) {
        this.pos++;
        this.skipPast(')');
      }
      return;
    }
    if (!this.expect('(')) return;
    const values: number[] = [];
    let ok = true;
    for (let k = 0; k < spec.args.length; k++) {
      if (k > 0 && !this.expect(',')) {
        ok = false;
        break;
      }
      const v = this.arg(spec.args[k], name.text);
      if (v === undefined) {
        ok = false;
        break;
      }
      values.push(v);
    }
    if (ok && !this.is(')')) {
      const t = this.peek();
      this.diags.push(error('asm2013.arg-count', `${name.text} takes ${spec.args.length} argument${spec.args.length === 1 ? '' : 's'}${t ? `; unexpected '${t.text}'` : ''}`, this.where(t)));
      ok = false;
    }
    if (!ok) {
      this.skipPast(')');
      return;
    }
    this.pos++;
    const raw = spec.build(values);
    const d = decode2013(encode2013([{ ...raw, form: INVALID_FORM_2013 }]));
    for (const diag of d.diagnostics) {
      this.diags.push({ code: diag.code, severity: diag.severity, message: diag.message, ...this.where(name) });
    }
    this.insns.push(d.insns[0]);
    this.lines.push(name.line);
  }

  /** `struct bpf_insn NAME[] = { MACRO(...), ... };` */
  insnArray(): void {
    this.pos += 2;
    this.skipPast('=');
    if (!this.expect('{')) return;
    while (this.pos < this.toks.length && !this.is('}')) {
      const t = this.peek()!;
      if (t.kind === 'ident' && t.text.startsWith('BPF_INSN_')) this.macro();
      else {
        this.diags.push(error('asm2013.expected', `expected a BPF_INSN_* macro, found '${t.text}'`, this.where(t)));
        const before = this.pos;
        this.skipPast(',');
        if (this.pos === before) this.pos++;
        continue;
      }
      if (this.is(',')) this.pos++;
      else if (!this.is('}')) this.expect(',');
    }
    this.expect('}');
    if (this.is(';')) this.pos++;
  }

  /** `struct bpf_table NAME[] = { {type, key_size, elem_size, max_entries, param1}, ... };` */
  tableArray(): void {
    this.pos += 2;
    this.skipPast('=');
    if (!this.expect('{')) return;
    while (this.pos < this.toks.length && !this.is('}')) {
      const open = this.peek();
      if (!this.expect('{')) {
        this.skipPast('}');
        return;
      }
      const vals: number[] = [];
      while (!this.is('}') && this.pos < this.toks.length) {
        const t = this.peek();
        const v = this.expr();
        if (v === undefined) {
          this.skipPast('}');
          break;
        }
        if (v < 0n || v > 0xffffffffn) this.diags.push(error('asm2013.range', `table field ${v} does not fit in u32`, this.where(t)));
        vals.push(Number(BigInt.asUintN(32, v)));
        if (this.is(',')) this.pos++;
        else break;
      }
      this.expect('}');
      if (vals.length > 5) this.diags.push(error('asm2013.table-fields', `struct bpf_table has 5 fields, ${vals.length} given`, this.where(open)));
      const [type = 0, keySize = 0, elemSize = 0, maxEntries = 0, param1 = 0] = vals;
      this.tables.push({ type, keySize, elemSize, maxEntries, param1 });
      if (this.is(',')) this.pos++;
    }
    this.expect('}');
    if (this.is(';')) this.pos++;
  }

  /** `[const] char NAME[N] = "..." "...";` with C's rules: the NUL is added when it fits, N pads with zeros. */
  charArray(): void {
    const start = this.peek()!;
    while (this.is('const') || this.is('static') || this.is('unsigned')) this.pos++;
    this.pos++; // char
    const name = this.toks[this.pos++];
    if (!this.expect('[')) return;
    let size: number | undefined;
    if (!this.is(']')) {
      const v = this.expr();
      if (v !== undefined) size = Number(v);
    }
    if (!this.expect(']') || !this.expect('=')) {
      this.skipPast(';');
      return;
    }
    const bytes: number[] = [];
    let any = false;
    while (this.peek()?.kind === 'str') {
      bytes.push(...(this.toks[this.pos++].bytes ?? []));
      any = true;
    }
    if (!any) {
      this.diags.push(error('asm2013.expected', 'expected a string literal initializer', this.where(this.peek())));
      this.skipPast(';');
      return;
    }
    this.expect(';');
    let data: number[];
    if (size === undefined) data = [...bytes, 0];
    else if (bytes.length > size) {
      this.diags.push(error('asm2013.string-too-long', `initializer-string for array of chars is too long (${bytes.length} > ${size})`, this.where(start)));
      data = bytes.slice(0, size);
    } else data = [...bytes, ...new Array<number>(size - bytes.length).fill(0)];
    const isStrtab = /strtab/i.test(name?.text ?? '');
    if (this.strtab === undefined || (isStrtab && !/strtab/i.test(this.strtabName ?? ''))) {
      this.strtab = Uint8Array.from(data);
      this.strtabName = name?.text;
    }
  }

  isCharDecl(): boolean {
    let k = 0;
    while (this.is('const', k) || this.is('static', k) || this.is('unsigned', k)) k++;
    return this.is('char', k) && this.peek(k + 1)?.kind === 'ident' && this.is('[', k + 2);
  }

  run(): void {
    const cMode = this.toks.some((t, k) => t.text === 'struct' && this.toks[k + 1]?.text === 'bpf_insn');
    while (this.pos < this.toks.length) {
      const t = this.peek()!;
      const before = this.pos;
      this.statement(t, cMode);
      if (this.pos === before) this.pos++;
    }
  }

  /** One top-level item: a macro, one of the three recognised declarations, or skipped C. */
  statement(t: Tok, cMode: boolean): void {
    if (t.kind === 'ident' && t.text.startsWith('BPF_INSN_')) {
      this.macro();
      if (this.is(',') || this.is(';')) this.pos++;
    } else if (t.text === 'struct' && this.is('bpf_insn', 1)) {
      this.insnArray();
    } else if (t.text === 'struct' && this.is('bpf_table', 1)) {
      this.tableArray();
    } else if (this.isCharDecl()) {
      this.charArray();
    } else if (cMode) {
      // Other C (includes, main, prototypes): skip one token or one balanced block.
      this.pos++;
      if (t.text === '{') this.skipPast('}');
    } else {
      this.diags.push(error('asm2013.expected', `expected a BPF_INSN_* macro, found '${t.text}'`, this.where(t)));
      this.pos++;
      while (this.pos < this.toks.length && this.peek()!.line === t.line) this.pos++;
    }
  }
}

/** Parses macro text into 2013 instructions (plus tables and strtab from C declarations), never throwing. */
export function parse2013(text: string, options: Parse2013Options = {}): Parse2013Result {
  const diagnostics: Diagnostic[] = [];
  const toks = tokenize(text, diagnostics, options.file);
  const p = new Parser(toks, diagnostics, options.file);
  p.run();
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { insns: p.insns, lines: p.lines, tables: p.tables, ...(p.strtab ? { strtab: p.strtab } : {}), diagnostics };
}
