// The tokenizer shared by both syntaxes: source text -> statements of tokens with 1-based columns.
import type { Syntax } from './spelling';

export type TokenKind = 'ident' | 'num' | 'punct' | 'bad';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the first character. */
  readonly col: number;
  /** num: the unsigned value. */
  readonly value?: bigint;
}

export interface Statement {
  /** 1-based line number. */
  readonly line: number;
  readonly tokens: Token[];
  /** 1-based column just past the statement's last character, for "expected ... at end of line". */
  readonly endCol: number;
}

const PUNCT = ['<<=', '>>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '==', '!=', '>=', '<='];
const IDENT_START = /[A-Za-z_.$]/;
const IDENT_CHAR = /[A-Za-z0-9_.$]/;

/** Tokens of one piece of text; `col0` is the 1-based column of text[0]. */
export function tokenize(text: string, col0 = 1): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const start = i;
    if (IDENT_START.test(c) || (c === '%' && /[A-Za-z]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length && IDENT_CHAR.test(text[i])) i++;
      out.push({ kind: 'ident', text: text.slice(start, i), col: col0 + start });
      continue;
    }
    if (c >= '0' && c <= '9') {
      while (i < text.length && IDENT_CHAR.test(text[i])) i++;
      const t = text.slice(start, i);
      if (/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(t)) out.push({ kind: 'num', text: t, col: col0 + start, value: BigInt(t) });
      else out.push({ kind: 'bad', text: t, col: col0 + start });
      continue;
    }
    const p = PUNCT.find((q) => text.startsWith(q, i)) ?? c;
    i += p.length;
    out.push({ kind: 'punct', text: p, col: col0 + start });
  }
  return out;
}

/**
 * Splits source into statements, dropping comments: "#", "//" and "/* *\/" in both syntaxes; ";" starts
 * a comment in conformance syntax (the suite's disassembler prints raw bytes after it) and separates
 * statements in llvm syntax (as in llvm-mc).
 */
export function statements(source: string, syntax: Syntax): Statement[] {
  const out: Statement[] = [];
  const lines = source.split('\n');
  let inBlock = false;
  lines.forEach((raw, idx) => {
    let text = '';
    let i = 0;
    // Replace comments by spaces so that columns stay true.
    while (i < raw.length) {
      if (inBlock) {
        const end = raw.indexOf('*/', i);
        if (end < 0) {
          text += ' '.repeat(raw.length - i);
          i = raw.length;
        } else {
          text += ' '.repeat(end + 2 - i);
          i = end + 2;
          inBlock = false;
        }
        continue;
      }
      if (raw.startsWith('/*', i)) {
        inBlock = true;
        continue;
      }
      const c = raw[i];
      if (c === '#' || raw.startsWith('//', i) || (c === ';' && syntax === 'conformance')) break;
      text += c;
      i++;
    }
    let col = 1;
    for (const part of syntax === 'llvm' ? text.split(';') : [text]) {
      const tokens = tokenize(part, col);
      if (tokens.length) out.push({ line: idx + 1, tokens, endCol: col + part.trimEnd().length });
      col += part.length + 1;
    }
  });
  return out;
}
