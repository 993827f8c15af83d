// The debugger's expression language: parse once (with column diagnostics), evaluate many times against machine state.
//
// Grammar (C precedence, lowest first):
//   assign  := expr ( '=' expr )?                          (only through parseAssignment)
//   expr    := lor
//   lor     := land ( '||' land )*
//   land    := bor  ( '&&' bor )*
//   bor     := bxor ( '|' bxor )*
//   bxor    := band ( '^' band )*
//   band    := eq   ( '&' eq )*
//   eq      := rel  ( ('=='|'!=') rel )*
//   rel     := shift ( ('<'|'>'|'<='|'>='|'s<'|'s>'|'s<='|'s>=') shift )*
//   shift   := add  ( ('<<'|'>>'|'s>>') add )*
//   add     := mul  ( ('+'|'-') mul )*
//   mul     := unary ( ('*'|'/'|'%') unary )*
//   unary   := ('-'|'~'|'!') unary | '*' unary | '(' type ')' unary | '(' type '*' ')' unary | primary
//   primary := NUMBER | r0..r10 | w0..w10 | fp | pc | '(' expr ')'
//
// Values are 64-bit. Arithmetic always wraps modulo 2^64. Every value carries a signedness:
// registers, derefs of u-types and (uN) casts are unsigned; (sN) casts and derefs of s-types are
// signed; literals take the signedness of the other operand. A plain '<', '/', '%' or '>>' is
// signed only when an operand is signed and none is unsigned (C's rule for 64-bit operands);
// 's<', 's>', 's<=', 's>=' and 's>>' are always signed, whatever the operands.
// `*(T *)(addr)` reads sizeof(T) bytes little-endian; a bare `*addr` reads a u64.
import { error, type Diagnostic } from '../../isa';

export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64';

export const TYPE_SIZE: Readonly<Record<ScalarType, 1 | 2 | 4 | 8>> = { u8: 1, u16: 2, u32: 4, u64: 8, s8: 1, s16: 2, s32: 4, s64: 8 };

export type BinaryOp =
  | '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 's<' | 's>' | 's<=' | 's>='
  | '<<' | '>>' | 's>>' | '+' | '-' | '*' | '/' | '%';

export type Expr =
  | { readonly kind: 'num'; readonly value: bigint; readonly column: number }
  | { readonly kind: 'reg'; readonly reg: number; readonly width: 32 | 64; readonly column: number }
  | { readonly kind: 'pc'; readonly column: number }
  | { readonly kind: 'unary'; readonly op: '-' | '~' | '!'; readonly arg: Expr; readonly column: number }
  | { readonly kind: 'cast'; readonly type: ScalarType; readonly arg: Expr; readonly column: number }
  | { readonly kind: 'deref'; readonly type: ScalarType; readonly addr: Expr; readonly column: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly column: number };

/** The state an expression reads: registers (r10 = the current frame's fp) and memory by address. */
export interface EvalState {
  reg(n: number): bigint;
  /** Bytes at addr, or a fault text when any of them is not readable. */
  read(addr: bigint, size: number): Uint8Array | { readonly fault: string };
  /** Current instruction index, for `pc` in expressions. */
  pc?(): number;
}

export interface Value {
  /** The 64-bit pattern, 0 <= bits < 2^64. */
  readonly bits: bigint;
  readonly signed: boolean | 'literal';
}

export type EvalResult =
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly fault: string; readonly column: number };

export type ParseResult<T> = { readonly ok: true; readonly expr: T } | { readonly ok: false; readonly diagnostic: Diagnostic };

/** A parsed `lhs = rhs`: the target is a register or a memory deref. */
export interface Assignment {
  readonly target: Extract<Expr, { kind: 'reg' } | { kind: 'deref' }>;
  readonly value: Expr;
}

const MASK64 = (1n << 64n) - 1n;
const TYPES = new Set<string>(Object.keys(TYPE_SIZE));
const LONG_TYPES: Readonly<Record<string, ScalarType>> = {
  __u8: 'u8', __u16: 'u16', __u32: 'u32', __u64: 'u64', __s8: 's8', __s16: 's16', __s32: 's32', __s64: 's64',
  char: 's8', short: 's16', int: 's32', long: 's64',
};

interface Token {
  readonly text: string;
  readonly kind: 'num' | 'ident' | 'op' | 'end';
  readonly column: number;
  readonly value?: bigint;
}

// Longest first, so that "s<=" wins over "s<" and "<<" over "<".
const OPERATORS = ['s>>', 's<=', 's>=', '||', '&&', '==', '!=', '<=', '>=', '<<', '>>', 's<', 's>', '|', '^', '&', '<', '>', '+', '-', '*', '/', '%', '~', '!', '(', ')', '='];

class ParseError {
  constructor(readonly message: string, readonly column: number) {}
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const column = i + 1;
    // "s<" must be tried before identifiers so that `r0 s< 1` lexes as an operator.
    const op = OPERATORS.find((o) => text.startsWith(o, i) && !(o[0] === 's' && /[A-Za-z0-9_]/.test(text[i - 1] ?? '')));
    if (op) {
      out.push({ text: op, kind: 'op', column });
      i += op.length;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)/.exec(text.slice(i));
    if (num) {
      const rest = text.slice(i + num[0].length);
      if (/^[A-Za-z_]/.test(rest)) throw new ParseError(`bad number '${num[0]}${/^[A-Za-z0-9_]*/.exec(rest)![0]}'`, column);
      out.push({ text: num[0], kind: 'num', column, value: BigInt(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) {
      out.push({ text: id[0], kind: 'ident', column });
      i += id[0].length;
      continue;
    }
    throw new ParseError(`unexpected character '${c}'`, column);
  }
  out.push({ text: '', kind: 'end', column: text.length + 1 });
  return out;
}

const BINARY_LEVELS: ReadonlyArray<readonly BinaryOp[]> = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>=', 's<', 's>', 's<=', 's>='], ['<<', '>>', 's>>'], ['+', '-'], ['*', '/', '%'],
];

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private expect(text: string): Token {
    const t = this.peek();
    if (t.text !== text || t.kind !== 'op') throw new ParseError(`expected '${text}'${describe(t)}`, t.column);
    return this.next();
  }

  atEnd(): boolean {
    return this.peek().kind === 'end';
  }

  current(): Token {
    return this.peek();
  }

  expr(level = 0): Expr {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.expr(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !(BINARY_LEVELS[level] as readonly string[]).includes(t.text)) return left;
      this.next();
      const right = this.expr(level + 1);
      left = { kind: 'binary', op: t.text as BinaryOp, left, right, column: t.column };
    }
  }

  /** A type name inside parentheses at the cursor, with an optional '*': returns it and how many tokens it spans. */
  private typeAt(): { type: ScalarType; pointer: boolean; span: number } | undefined {
    const open = this.peek();
    const name = this.peek(1);
    if (open.text !== '(' || open.kind !== 'op' || name.kind !== 'ident') return undefined;
    const type = TYPES.has(name.text) ? (name.text as ScalarType) : LONG_TYPES[name.text];
    if (!type) return undefined;
    let k = 2;
    let pointer = false;
    if (this.peek(k).text === '*' && this.peek(k).kind === 'op') {
      pointer = true;
      k++;
    }
    if (this.peek(k).text !== ')') throw new ParseError(`expected ')' after type '${name.text}${pointer ? ' *' : ''}'${describe(this.peek(k))}`, this.peek(k).column);
    return { type, pointer, span: k + 1 };
  }

  unary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '~' || t.text === '!')) {
      this.next();
      return { kind: 'unary', op: t.text, arg: this.unary(), column: t.column };
    }
    if (t.kind === 'op' && t.text === '*') {
      this.next();
      const ty = this.typeAt();
      if (ty?.pointer) {
        this.i += ty.span;
        return { kind: 'deref', type: ty.type, addr: this.unary(), column: t.column };
      }
      return { kind: 'deref', type: 'u64', addr: this.unary(), column: t.column };
    }
    const ty = this.typeAt();
    if (ty) {
      if (ty.pointer) throw new ParseError(`a pointer cast must be dereferenced: write '*(${ty.type} *)(...)'`, t.column);
      this.i += ty.span;
      return { kind: 'cast', type: ty.type, arg: this.unary(), column: t.column };
    }
    return this.primary();
  }

  primary(): Expr {
    const t = this.next();
    if (t.kind === 'num') {
      if (t.value! > MASK64) throw new ParseError(`number '${t.text}' does not fit in 64 bits`, t.column);
      return { kind: 'num', value: t.value!, column: t.column };
    }
    if (t.kind === 'ident') {
      const reg = /^([rw])(\d+)$/.exec(t.text);
      if (reg) {
        const n = Number(reg[2]);
        if (n > 10 || String(n) !== reg[2]) throw new ParseError(`no register '${t.text}' (r0-r10, w0-w10)`, t.column);
        return { kind: 'reg', reg: n, width: reg[1] === 'w' ? 32 : 64, column: t.column };
      }
      if (t.text === 'fp') return { kind: 'reg', reg: 10, width: 64, column: t.column };
      if (t.text === 'pc') return { kind: 'pc', column: t.column };
      throw new ParseError(`unknown name '${t.text}' (registers are r0-r10, w0-w10, fp; also pc)`, t.column);
    }
    if (t.kind === 'op' && t.text === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    throw new ParseError(t.kind === 'end' ? 'expected an expression, found the end' : `expected an expression${describe(t)}`, t.column);
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? ', found the end' : `, found '${t.text}'`;
}

function run<T>(text: string, body: (p: Parser) => T): ParseResult<T> {
  try {
    const p = new Parser(tokenize(text));
    const out = body(p);
    if (!p.atEnd()) throw new ParseError(`unexpected '${p.current().text}' after the expression`, p.current().column);
    return { ok: true, expr: out };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, diagnostic: error('debug.expr-syntax', e.message, { column: e.column }) };
    throw e;
  }
}

/** Parses an expression; on bad input returns one diagnostic with the 1-based column. */
export function parseExpr(text: string): ParseResult<Expr> {
  return run(text, (p) => p.expr());
}

/** Parses `lhs = rhs` where lhs is a register (r/w) or a deref. */
export function parseAssignment(text: string): ParseResult<Assignment> {
  return run(text, (p) => {
    const target = p.unary();
    if (target.kind !== 'reg' && target.kind !== 'deref') throw new ParseError('can only assign to a register or to memory (*(T *)addr)', target.column);
    const eq = p.current();
    if (eq.text !== '=' || eq.kind !== 'op') throw new ParseError(`expected '='${describe(eq)}`, eq.column);
    p.next();
    return { target, value: p.expr() };
  });
}

/** Reinterprets the low `bits` bits of a pattern as signed or unsigned, giving a 64-bit pattern. */
export function extend(v: bigint, bits: number, signed: boolean): bigint {
  return BigInt.asUintN(64, signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
}

/** Little-endian bytes to a 64-bit pattern, sign- or zero-extended per the type. */
export function loadScalar(bytes: Uint8Array, type: ScalarType): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return extend(v, TYPE_SIZE[type] * 8, type[0] === 's');
}

/** A value's low `size` bytes, little-endian. */
export function storeScalar(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

class Fault {
  constructor(readonly message: string, readonly column: number) {}
}

const u = (bits: bigint): Value => ({ bits: bits & MASK64, signed: false });
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

function signedPair(a: Value, b: Value): boolean {
  if (a.signed === false || b.signed === false) return false;
  return a.signed === true || b.signed === true;
}

function evalNode(e: Expr, st: EvalState): Value {
  switch (e.kind) {
    case 'num':
      return { bits: e.value, signed: 'literal' };
    case 'reg': {
      const v = st.reg(e.reg) & MASK64;
      return u(e.width === 32 ? v & 0xffffffffn : v);
    }
    case 'pc':
      return u(BigInt(st.pc?.() ?? 0));
    case 'unary': {
      const a = evalNode(e.arg, st);
      if (e.op === '!') return u(a.bits === 0n ? 1n : 0n);
      return { bits: (e.op === '-' ? -a.bits : ~a.bits) & MASK64, signed: a.signed };
    }
    case 'cast':
      return { bits: extend(evalNode(e.arg, st).bits, TYPE_SIZE[e.type] * 8, e.type[0] === 's'), signed: e.type[0] === 's' };
    case 'deref': {
      const addr = evalNode(e.addr, st).bits;
      const size = TYPE_SIZE[e.type];
      const got = st.read(addr, size);
      if (!(got instanceof Uint8Array)) throw new Fault(`cannot read ${size} byte${size > 1 ? 's' : ''} at 0x${addr.toString(16)}: ${got.fault}`, e.column);
      return { bits: loadScalar(got, e.type), signed: e.type[0] === 's' };
    }
    case 'binary':
      return evalBinary(e, st);
  }
}

function evalBinary(e: Extract<Expr, { kind: 'binary' }>, st: EvalState): Value {
  const a = evalNode(e.left, st);
  // Short-circuit like C, so `r1 != 0 && *(u8 *)r1 == 2` does not fault when r1 is 0.
  if (e.op === '&&') return u(a.bits !== 0n && evalNode(e.right, st).bits !== 0n ? 1n : 0n);
  if (e.op === '||') return u(a.bits !== 0n || evalNode(e.right, st).bits !== 0n ? 1n : 0n);
  const b = evalNode(e.right, st);
  const signed = signedPair(a, b);
  const keep = a.signed === 'literal' ? b.signed : a.signed;
  const val = (bits: bigint): Value => ({ bits: bits & MASK64, signed: keep });
  const bool = (c: boolean): Value => u(c ? 1n : 0n);
  const [x, y] = signed ? [s64(a.bits), s64(b.bits)] : [a.bits, b.bits];
  switch (e.op) {
    case '|': return val(a.bits | b.bits);
    case '^': return val(a.bits ^ b.bits);
    case '&': return val(a.bits & b.bits);
    case '==': return bool(a.bits === b.bits);
    case '!=': return bool(a.bits !== b.bits);
    case '<': return bool(x < y);
    case '>': return bool(x > y);
    case '<=': return bool(x <= y);
    case '>=': return bool(x >= y);
    case 's<': return bool(s64(a.bits) < s64(b.bits));
    case 's>': return bool(s64(a.bits) > s64(b.bits));
    case 's<=': return bool(s64(a.bits) <= s64(b.bits));
    case 's>=': return bool(s64(a.bits) >= s64(b.bits));
    // Shift counts are taken modulo 64, as the BPF alu64 shifts do.
    case '<<': return val(a.bits << (b.bits & 63n));
    case '>>': return val(signed || a.signed === true ? s64(a.bits) >> (b.bits & 63n) : a.bits >> (b.bits & 63n));
    case 's>>': return val(s64(a.bits) >> (b.bits & 63n));
    case '+': return val(a.bits + b.bits);
    case '-': return val(a.bits - b.bits);
    case '*': return val(a.bits * b.bits);
    case '/':
    case '%': {
      if (b.bits === 0n) throw new Fault(`${e.op === '/' ? 'division' : 'modulo'} by zero`, e.column);
      // BigInt division truncates toward zero, as C does for signed operands.
      return val(e.op === '/' ? x / y : x % y);
    }
    default:
      throw new Fault(`operator ${e.op}`, e.column);
  }
}

/** Evaluates an expression. Faults (unreadable memory, division by zero) come back as data, never thrown. */
export function evaluate(e: Expr, st: EvalState): EvalResult {
  try {
    return { ok: true, value: evalNode(e, st) };
  } catch (x) {
    if (x instanceof Fault) return { ok: false, fault: x.message, column: x.column };
    throw x;
  }
}

/** A condition's truth: non-zero is true; a fault makes the condition false and is returned for reporting. */
export function evaluateCondition(e: Expr, st: EvalState): { readonly value: boolean; readonly fault?: string } {
  const r = evaluate(e, st);
  return r.ok ? { value: r.value.bits !== 0n } : { value: false, fault: r.fault };
}

/** The value as a signed decimal when its type is signed, unsigned otherwise. */
export function valueToDecimal(v: Value): string {
  return v.signed === true ? s64(v.bits).toString() : v.bits.toString();
}

/** Prints an expression back in canonical form (fully parenthesized binary operators). */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return e.value > 9n ? `0x${e.value.toString(16)}` : e.value.toString();
    case 'reg':
      return `${e.width === 32 ? 'w' : 'r'}${e.reg}`;
    case 'pc':
      return 'pc';
    case 'unary':
      return `${e.op}${printExpr(e.arg)}`;
    case 'cast':
      return `(${e.type})${printExpr(e.arg)}`;
    case 'deref':
      return `*(${e.type} *)(${printExpr(e.addr)})`;
    case 'binary':
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
  }
}
