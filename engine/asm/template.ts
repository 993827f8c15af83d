// Splits a spelling template ("{r:dst} += {imm}") into literal text and placeholders, once per text.

export type PlaceholderKind = 'r' | 'w' | 'x' | 'p' | 'imm' | 'imm64' | 'memoff' | 'mem' | 'target' | 'pctarget' | 'fixed' | 'num' | 'as';

export interface Placeholder {
  readonly kind: PlaceholderKind;
  /** The field it reads or writes ("dst", "src", "off", "imm"), or "0" for the fixed register r0. */
  readonly arg: string;
}

export type Piece = string | Placeholder;

const cache = new Map<string, Piece[]>();

export function pieces(text: string): Piece[] {
  let out = cache.get(text);
  if (out) return out;
  out = [];
  const re = /\{([a-z0-9]+)(?::([a-z0-9]+))?\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push({ kind: m[1] as PlaceholderKind, arg: m[2] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  cache.set(text, out);
  return out;
}
