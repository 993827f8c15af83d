// decode(bytes) -> Insn[] and encode(Insn[]) -> bytes for modern eBPF, driven by the form table.
// Every byte string decodes: bytes that match no form become an 'invalid' instruction plus a
// diagnostic, so encode(decode(x)) === x for any x whose length is a multiple of 8.
import { error, type Diagnostic } from './diagnostic';
import type { Insn } from './insn';
import { INSN_SIZE, MAX_REG } from './opcodes';
import { formsWithCode, INVALID_FORM, isFixed, type FieldUse, type InsnForm } from './table';

export interface DecodeOptions {
  /** Byte offset of bytes[0] within its file or section, for diagnostics. */
  readonly baseOffset?: number;
  /** Section or part name for diagnostics. */
  readonly section?: string;
}

export interface DecodedProgram {
  readonly insns: Insn[];
  /** Slot index (pc) of each instruction. */
  readonly pcs: number[];
  readonly diagnostics: Diagnostic[];
}

interface Raw {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

function readSlot(view: DataView, at: number): Raw {
  const regs = view.getUint8(at + 1);
  return { code: view.getUint8(at), dst: regs & 0x0f, src: regs >> 4, off: view.getInt16(at + 2, true), imm: view.getInt32(at + 4, true) };
}

const FIELDS = ['dst', 'src', 'off', 'imm'] as const;

function fixedMatch(form: InsnForm, raw: Raw): boolean {
  return FIELDS.every((f) => {
    const use: FieldUse = form[f];
    return !isFixed(use) || raw[f] === use;
  });
}

/** Why bytes with a known opcode match no form: the first reserved or discriminator field that is off. */
function explainMismatch(candidates: readonly InsnForm[], raw: Raw): string {
  const form = candidates[0];
  for (const f of FIELDS) {
    const allowed = [...new Set(candidates.map((c) => c[f]).filter(isFixed))];
    if (allowed.length && !allowed.includes(raw[f])) {
      return `opcode 0x${raw.code.toString(16).padStart(2, '0')} (${form.kind}) does not allow ${f}=${raw[f]} (expected ${allowed.join(' or ')})`;
    }
  }
  return `opcode 0x${raw.code.toString(16).padStart(2, '0')} has no form for these fields`;
}

/** Checks the non-discriminator fields of a form: reserved fields zero, registers r0..r10. */
export function checkFields(form: InsnForm, raw: Raw): string | undefined {
  for (const f of FIELDS) {
    const use = form[f];
    if (use === 'zero' && raw[f] !== 0) return `reserved field ${f} is ${raw[f]}, must be 0`;
    if (use === 'reg' && (raw[f] < 0 || raw[f] > MAX_REG)) return `invalid register r${raw[f]} in ${f}`;
  }
  return undefined;
}

export function decode(bytes: Uint8Array, options: DecodeOptions = {}): DecodedProgram {
  const base = options.baseOffset ?? 0;
  const where = (slot: number) => ({ pc: slot, byteOffset: base + slot * INSN_SIZE, ...(options.section !== undefined ? { section: options.section } : {}) });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nslots = Math.floor(bytes.byteLength / INSN_SIZE);
  const insns: Insn[] = [];
  const pcs: number[] = [];
  const diagnostics: Diagnostic[] = [];

  const invalid = (slot: number, raw: Raw, code: string, message: string): void => {
    insns.push({ form: INVALID_FORM, ...raw });
    pcs.push(slot);
    diagnostics.push(error(code, message, where(slot)));
  };

  for (let slot = 0; slot < nslots; slot++) {
    const raw = readSlot(view, slot * INSN_SIZE);
    const candidates = formsWithCode(raw.code);
    if (candidates.length === 0) {
      invalid(slot, raw, 'isa.unknown-opcode', `unknown opcode 0x${raw.code.toString(16).padStart(2, '0')}`);
      continue;
    }
    const form = candidates.find((c) => fixedMatch(c, raw));
    if (!form) {
      invalid(slot, raw, 'isa.bad-discriminator', explainMismatch(candidates, raw));
      continue;
    }
    const bad = checkFields(form, raw);
    if (bad) {
      invalid(slot, raw, 'isa.reserved-field', bad);
      continue;
    }
    if (form.kind === 'lddw') {
      if (slot + 1 >= nslots) {
        invalid(slot, raw, 'isa.lddw-truncated', 'invalid bpf_ld_imm64 insn: the second half is missing');
        continue;
      }
      const hi = readSlot(view, (slot + 1) * INSN_SIZE);
      if (hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        invalid(slot, raw, 'isa.lddw-second-half', 'invalid bpf_ld_imm64 insn: the second slot must have code, registers and offset 0');
        continue;
      }
      insns.push({ form, ...raw, imm2: hi.imm });
      pcs.push(slot);
      slot++;
      continue;
    }
    insns.push({ form, ...raw });
    pcs.push(slot);
  }
  if (bytes.byteLength % INSN_SIZE !== 0) {
    diagnostics.push(error('isa.truncated', `${bytes.byteLength % INSN_SIZE} trailing bytes do not make an instruction (length ${bytes.byteLength} is not a multiple of 8)`, { byteOffset: base + nslots * INSN_SIZE, ...(options.section !== undefined ? { section: options.section } : {}) }));
  }
  return { insns, pcs, diagnostics };
}

function writeSlot(view: DataView, at: number, code: number, dst: number, src: number, off: number, imm: number): void {
  view.setUint8(at, code);
  view.setUint8(at + 1, ((src & 0x0f) << 4) | (dst & 0x0f));
  view.setInt16(at + 2, off, true);
  view.setInt32(at + 4, imm, true);
}

/** Total slots of a list of instructions. */
export function slotCount(insns: readonly Insn[]): number {
  let n = 0;
  for (const i of insns) n += i.form.kind === 'lddw' ? 2 : 1;
  return n;
}

export function encode(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(slotCount(insns) * INSN_SIZE);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const insn of insns) {
    writeSlot(view, at, insn.code, insn.dst, insn.src, insn.off, insn.imm);
    at += INSN_SIZE;
    if (insn.form.kind === 'lddw') {
      writeSlot(view, at, 0, 0, 0, 0, insn.imm2 ?? 0);
      at += INSN_SIZE;
    }
  }
  return out;
}

/** Checks an instruction built in code or parsed from text: the form's fixed and reserved fields, ranges. */
export function validate(insn: Insn): string | undefined {
  if (insn.form.kind === 'invalid') return 'invalid instruction';
  if (!fixedMatch(insn.form, insn)) return explainMismatch([insn.form], insn);
  if (insn.off < -32768 || insn.off > 32767) return `offset ${insn.off} does not fit in s16`;
  if (insn.imm < -2147483648 || insn.imm > 2147483647) return `immediate ${insn.imm} does not fit in s32`;
  return checkFields(insn.form, insn);
}
