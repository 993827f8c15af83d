// Number and byte formatting for the state panes: register display modes, hex byte strings, decoded map keys and values, user input parsing.
//
// Values arrive from the engine as "0x..." strings (64-bit) and "aa bb cc" byte strings; the user
// types hex, decimal or negative numbers. Everything here is pure so the panes stay thin and the
// conversions have their own tests.

export type RegisterFormat = 'hex' | 'unsigned' | 'signed';

const U64 = (1n << 64n) - 1n;

/** "0x..." from the engine shown as hex, unsigned decimal or two's-complement signed decimal. */
export function formatRegister(value: string, mode: RegisterFormat): string {
  const v = BigInt(value) & U64;
  if (mode === 'hex') return `0x${v.toString(16)}`;
  if (mode === 'unsigned') return v.toString();
  return BigInt.asIntN(64, v).toString();
}

/**
 * What the user typed for a register: 0x hex, decimal, or a negative decimal (two's complement),
 * as the 64-bit "0x..." the protocol carries; an error text when it is not a 64-bit number.
 */
export function parseRegisterInput(text: string): { value: string } | { error: string } {
  const t = text.trim().replace(/_/g, '');
  let v: bigint;
  if (/^-?0x[0-9a-f]+$/i.test(t) || /^-?[0-9]+$/.test(t)) {
    const neg = t.startsWith('-');
    v = BigInt(neg ? t.slice(1) : t);
    if (neg) v = -v;
  } else return { error: `"${text}" is not a number (use 0x1f, 31 or -1)` };
  if (v > U64 || v < -(1n << 63n)) return { error: `${text} does not fit in 64 bits` };
  return { value: `0x${BigInt.asUintN(64, v).toString(16)}` };
}

/** "aa bb" -> bytes. */
export function bytesOf(hex: string): Uint8Array {
  const t = hex.trim();
  return t === '' ? new Uint8Array(0) : Uint8Array.from(t.split(/\s+/), (x) => parseInt(x, 16));
}

export function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Little-endian u32/u64 of a 4- or 8-byte value (what a C __u32/__u64 key or value holds); undefined for other sizes. */
export function decodeScalar(hex: string): string | undefined {
  const b = bytesOf(hex);
  if (b.length !== 4 && b.length !== 8) return undefined;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return `${b.length === 4 ? 'u32' : 'u64'} ${v}`;
}

/** Printable ASCII of bytes, dots elsewhere (for values that hold strings, like a comm or a file name). */
export function asciiOf(hex: string): string {
  return Array.from(bytesOf(hex), (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
}

/**
 * A key or value the user typed, as exactly `size` bytes. A number (0x2a, 42, -1: "0x" prefix, a
 * sign, or decimal digits only) is stored little-endian, for 1/2/4/8-byte fields; anything else is
 * read as hex bytes ("01 00 00 00", "2a000000").
 */
export function parseBytesInput(text: string, size: number): { hex: string } | { error: string } {
  const t = text.trim();
  if (/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(t)) {
    if (![1, 2, 4, 8].includes(size)) return { error: `a ${size}-byte field takes hex bytes, not a number` };
    const neg = t.startsWith('-');
    let v = BigInt(neg ? t.slice(1) : t);
    if (neg) v = -v;
    const bits = BigInt(size * 8);
    if (v >= 1n << bits || v < -(1n << (bits - 1n))) return { error: `${t} does not fit in ${size} byte${size > 1 ? 's' : ''}` };
    v = BigInt.asUintN(size * 8, v);
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    return { hex: hexOf(out) };
  }
  const hex = parseHexText(t);
  if (hex === undefined) return { error: `"${text}" is neither hex bytes nor a number` };
  const n = hex === '' ? 0 : hex.split(' ').length;
  if (n !== size) return { error: `${n} bytes given; ${size} needed` };
  return { hex };
}

/** Hex bytes from free text: pairs separated by spaces, commas or newlines, or one run of pairs ("deadbeef"); undefined otherwise. */
export function parseHexText(text: string): string | undefined {
  const tokens = text.trim().split(/[\s,]+/).filter((t) => t !== '');
  if (tokens.length > 1 && !tokens.every((t) => /^[0-9a-f]{2}$/i.test(t))) return undefined;
  const compact = tokens.join('');
  if (!/^([0-9a-f]{2})*$/i.test(compact)) return undefined;
  return hexOf(Uint8Array.from(compact.match(/../g) ?? [], (x) => parseInt(x, 16)));
}
