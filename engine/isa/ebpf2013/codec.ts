// decode2013(bytes) -> Insn2013[] and encode2013(Insn2013[]) -> bytes for the 2013 dialect.
// Every byte string decodes: bytes with no 2013 form become 'invalid' plus an error with its byte
// offset, so encode2013(decode2013(x).insns) equals x for any x whose length is a multiple of 8.
import { error, warning, type Diagnostic } from '../diagnostic';
import { INSN_SIZE } from '../opcodes';
import type { Insn2013 } from './insn';
import { MAX_REG_2013 } from './opcodes';
import { explainInvalidCode2013, formWithCode2013, INVALID_FORM_2013, type InsnForm2013 } from './table';

export interface Decode2013Options {
  /** Byte offset of bytes[0] within its file (16 for the instructions of a 2013 image). */
  readonly baseOffset?: number;
  readonly section?: string;
}

export interface Decoded2013 {
  readonly insns: Insn2013[];
  readonly diagnostics: Diagnostic[];
}

interface Raw {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const FIELDS = ['dst', 'src', 'off', 'imm'] as const;
const FIELD_NAMES = { dst: 'a_reg', src: 'x_reg', off: 'off', imm: 'imm' } as const;

/** Registers r0..r10 only: the seed never rejects 11..15 (a {BUG} the hardened engine closes). */
export function checkFields2013(form: InsnForm2013, raw: Raw): string | undefined {
  for (const f of FIELDS) {
    if (form[f] === 'reg' && (raw[f] < 0 || raw[f] > MAX_REG_2013)) return `invalid register r${raw[f]} in ${FIELD_NAMES[f]} (the 2013 ISA has r0..r9 and __fp__ = r10)`;
  }
  return undefined;
}

/** Fields the 2013 code never reads but that hold non-zero bits. */
export function ignoredFields2013(form: InsnForm2013, raw: Raw): string[] {
  return FIELDS.filter((f) => form[f] === 'ignored' && raw[f] !== 0).map((f) => FIELD_NAMES[f]);
}

export function decode2013(bytes: Uint8Array, options: Decode2013Options = {}): Decoded2013 {
  const base = options.baseOffset ?? 0;
  const sect = options.section !== undefined ? { section: options.section } : {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Math.floor(bytes.byteLength / INSN_SIZE);
  const insns: Insn2013[] = [];
  const diagnostics: Diagnostic[] = [];
  for (let pc = 0; pc < n; pc++) {
    const at = pc * INSN_SIZE;
    const regs = view.getUint8(at + 1);
    const raw: Raw = { code: view.getUint8(at), dst: regs & 0x0f, src: regs >> 4, off: view.getInt16(at + 2, true), imm: view.getInt32(at + 4, true) };
    const where = { pc, byteOffset: base + at, ...sect };
    const form = formWithCode2013(raw.code);
    if (!form) {
      insns.push({ form: INVALID_FORM_2013, ...raw });
      diagnostics.push(error('isa2013.invalid-opcode', explainInvalidCode2013(raw.code), where));
      continue;
    }
    const bad = checkFields2013(form, raw);
    if (bad) {
      insns.push({ form: INVALID_FORM_2013, ...raw });
      diagnostics.push(error('isa2013.bad-register', bad, where));
      continue;
    }
    const ignored = ignoredFields2013(form, raw);
    if (ignored.length) {
      diagnostics.push(warning('isa2013.ignored-field', `${form.id}: ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} not zero; the 2013 code ignores ${ignored.length > 1 ? 'them' : 'it'}`, where));
    }
    insns.push({ form, ...raw });
  }
  if (bytes.byteLength % INSN_SIZE !== 0) {
    diagnostics.push(error('isa2013.truncated', `${bytes.byteLength % INSN_SIZE} trailing bytes do not make an instruction (length ${bytes.byteLength} is not a multiple of 8)`, { byteOffset: base + n * INSN_SIZE, ...sect }));
  }
  return { insns, diagnostics };
}

/** Encodes the raw fields of each instruction (a_reg in the low nibble of byte 1, x_reg in the high). */
export function encode2013(insns: readonly Insn2013[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(out.buffer);
  insns.forEach((insn, pc) => {
    const at = pc * INSN_SIZE;
    view.setUint8(at, insn.code & 0xff);
    view.setUint8(at + 1, ((insn.src & 0x0f) << 4) | (insn.dst & 0x0f));
    view.setInt16(at + 2, insn.off, true);
    view.setInt32(at + 4, insn.imm, true);
  });
  return out;
}

/** Checks an instruction built in code or parsed from text; undefined when it encodes as a valid 2013 form. */
export function validate2013(insn: Insn2013): string | undefined {
  if (insn.form.kind === 'invalid') return formWithCode2013(insn.code) ? 'invalid instruction' : explainInvalidCode2013(insn.code & 0xff);
  if (insn.code !== insn.form.code) return `code 0x${insn.code.toString(16)} does not belong to form ${insn.form.id}`;
  if (insn.dst < 0 || insn.dst > 15 || insn.src < 0 || insn.src > 15) return 'register fields are 4 bits (0..15)';
  if (insn.off < -32768 || insn.off > 32767) return `offset ${insn.off} does not fit in s16`;
  if (insn.imm < -2147483648 || insn.imm > 2147483647) return `immediate ${insn.imm} does not fit in s32`;
  return checkFields2013(insn.form, insn);
}
