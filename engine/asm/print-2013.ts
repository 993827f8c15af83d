// Prints 2013 instructions exactly as the seed's pr_info_bpf_insn() does (ISA-15/ISA-16), optionally
// with register values: the debugger trace format and the legacy listing export.
import { strtabName, type Insn2013 } from '../isa/ebpf2013';

/** The raw fields pr_info_bpf_insn reads; an Insn2013 fits, and so do bytes that match no form. */
export type RawInsn2013 = Pick<Insn2013, 'code' | 'dst' | 'src' | 'off' | 'imm'>;

const CLASS_STRING = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'ret', 'misc'];
const ALU_STRING = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'bswap32', 'bswap64', 'BUG'];
const LDST_STRING = ['u32', 'u16', 'u8', 'u64'];
/** Only 9 entries in the seed: ops 0x90..0xf0 would read past its end. The lookup below is guarded. */
const JMP_STRING = ['jmp', '==', '>', '>=', '&', '!=', 's>', 's>=', 'call'];

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
const plus = (n: number): string => (n >= 0 ? `+${n}` : String(n));

/** The seed indexes past bpf_jmp_string for ops >= 0x90; we print "BUG" there instead of reading garbage. */
function jmpString(op: number): string {
  return JMP_STRING[op >> 4] ?? 'BUG';
}

/**
 * pr_info_bpf_insn(insn, regs) without the trailing newline. With `regs` (the 16-entry register
 * file of bpf_run), each register operand is followed by "(0x<value>)" as reg_to_str prints it.
 */
export function printInsn2013(insn: RawInsn2013, regs?: readonly (bigint | number)[]): string {
  const R = (regno: number): string => (regs ? `(0x${BigInt.asUintN(64, BigInt(regs[regno] ?? 0)).toString(16)})` : '');
  const code = insn.code & 0xff;
  const cls = code & 0x07;
  const op = code & 0xf0;
  const mode = code & 0xe0;
  const size = LDST_STRING[(code & 0x18) >> 3];
  const c = `code_${hex2(code)}`;
  const a = insn.dst;
  const x = insn.src;
  switch (cls) {
    case 0x04:
      return code & 0x08
        ? `${c} r${a}${R(a)} ${ALU_STRING[op >> 4]} r${x}${R(x)}`
        : `${c} r${a}${R(a)} ${ALU_STRING[op >> 4]} ${insn.imm}`;
    case 0x03:
      if (mode === 0xc0) return `${c} *(${size} *)(r${a}${R(a)} ${plus(insn.off)}) = r${x}${R(x)}`;
      if (mode === 0xe0) return `${c} lock *(${size} *)(r${a}${R(a)} ${plus(insn.off)}) += r${x}${R(x)}`;
      return `BUG_${hex2(code)}`;
    case 0x02:
      if (mode !== 0xc0) return `BUG_st_${hex2(code)}`;
      return `${c} *(${size} *)(r${a}${R(a)} ${plus(insn.off)}) = ${insn.imm}`;
    case 0x01:
      if (mode !== 0xc0) return `BUG_ldx_${hex2(code)}`;
      return `${c} r${a} = *(${size} *)(r${x}${R(x)} ${plus(insn.off)})`;
    case 0x05:
      if (op === 0x80) return `${c} call ${insn.imm}`;
      if (code === 0x0d) return `${c} goto pc${plus(insn.off)}`;
      if (code & 0x08) return `${c} if r${a}${R(a)} ${jmpString(op)} r${x}${R(x)} goto pc${plus(insn.off)}`;
      return `${c} if r${a}${R(a)} ${jmpString(op)} 0x${(insn.imm >>> 0).toString(16)} goto pc${plus(insn.off)}`;
    default:
      return `${c} ${CLASS_STRING[cls]}`;
  }
}

export interface ProgramPrint2013Options {
  /** When given, calls get the helper name they resolve to appended as " <name>" (not in the seed's format). */
  readonly strtab?: Uint8Array;
}

/**
 * A listing of a whole program: "<index>  <8 bytes hex>   <pr_info_bpf_insn text>" per line, the
 * format of SEEDS-SPEC Appendix A.2 (index right-aligned to the widest index).
 */
export function printProgram2013(insns: readonly RawInsn2013[], options: ProgramPrint2013Options = {}): string {
  const width = String(Math.max(0, insns.length - 1)).length;
  const lines = insns.map((insn, pc) => {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint8(0, insn.code & 0xff);
    v.setUint8(1, ((insn.src & 0x0f) << 4) | (insn.dst & 0x0f));
    v.setInt16(2, insn.off, true);
    v.setInt32(4, insn.imm, true);
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
    let text = printInsn2013(insn);
    if (options.strtab && (insn.code & 0xff) === 0x85) {
      const name = strtabName(options.strtab, insn.imm);
      text += name ? ` <${name}>` : ' <no name>';
    }
    return `${String(pc).padStart(width)}  ${hex}   ${text}`;
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}
