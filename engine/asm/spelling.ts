// How each instruction form is spelled in each text syntax: one template list per form, derived
// from the form's fields (kind, aluOp, cond, width, size, atomicOp...), read by both printer and parser.
//
// A template is literal text with placeholders; the printer fills them in, the parser tokenizes the
// literal text and matches placeholders against operands. Placeholders:
//   {r:dst} {r:src}   64-bit register rN           {w:dst} {w:src}   32-bit register wN
//   {x:dst} {x:src}   rN, or wN when printing with alu32 (llvm-objdump --mattr=+alu32); either parses
//   {x:0} {r:0}       the fixed register 0 (cmpxchg)    {p:dst} {p:src}   conformance register %rN
//   {imm}             32-bit immediate                  {imm64}           lddw's 64-bit constant
//   {memoff}          llvm memory offset "+ 0x8" / "- 0x8"
//   {mem:dst} {mem:src}  conformance memory operand "[%r1+8]" / "[%r1]"
//   {target:off} {target:imm}  jump target: "+3" / "-3" or a label
//   {pctarget:imm}    llvm bpf-to-bpf call target: "pc+3" or a label
//   {fixed:src}       the form's fixed src value (ld_pseudo)      {num:off}   plain s16 number
//   {as:dst} {as:src} addr_space_cast address spaces (imm >> 16, imm & 0xffff)
import type { Insn, InsnForm } from '../isa';

export type Syntax = 'llvm' | 'conformance';

export interface Spelling {
  readonly text: string;
  /** Print with this spelling only for instructions satisfying it (parsing accepts it regardless). */
  readonly when?: (insn: Insn) => boolean;
  /** An accepted alias that the printer never produces. */
  readonly parseOnly?: boolean;
}

const ALU_LLVM: Record<string, string> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=',
  mod: '%=', smod: 's%=', xor: '^=', arsh: 's>>=',
};

const COND_LLVM: Record<string, string> = {
  eq: '==', gt: '>', ge: '>=', set: '&', ne: '!=', sgt: 's>', sge: 's>=', lt: '<', le: '<=', slt: 's<', sle: 's<=',
};

const ATOMIC_LLVM: Record<string, string> = { add: '+=', or: '|=', and: '&=', xor: '^=' };

const SIZE_SUFFIX: Record<number, string> = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };

function bits(form: InsnForm): number {
  return (form.size ?? 8) * 8;
}

/** llvm: "r"/"w" by the form's width (ALU/JMP32 classes print w registers). */
function widthReg(form: InsnForm): 'r' | 'w' {
  return form.width === 32 ? 'w' : 'r';
}

/** llvm: sub-64-bit loads, stores and atomics print w registers only in alu32 mode. */
function dataReg(form: InsnForm): 'r' | 'x' {
  return (form.size ?? 8) < 8 ? 'x' : 'r';
}

function llvmSpellings(form: InsnForm): Spelling[] {
  const R = widthReg(form);
  const operand = form.source === 'reg' ? `{${R}:src}` : '{imm}';
  switch (form.kind) {
    case 'alu':
      return [{ text: `{${R}:dst} ${ALU_LLVM[form.aluOp!]} ${operand}` }];
    case 'neg':
      return [{ text: `{${R}:dst} = -{${R}:dst}` }];
    case 'mov':
      return [{ text: `{${R}:dst} = ${operand}` }];
    case 'movsx':
      return [{ text: `{${R}:dst} = (s${form.signExtendFrom}){${R}:src}` }];
    case 'addr_space_cast':
      return [{ text: '{r:dst} = addr_space_cast({r:src}, {as:dst}, {as:src})' }];
    case 'end':
      return [{ text: `{r:dst} = ${form.order}${form.imm as number} {r:dst}` }];
    case 'bswap':
      return [{ text: `{r:dst} = bswap${form.imm as number} {r:dst}` }];
    case 'lddw':
      // LLVM's ld_pseudo keeps only the low 32 bits; we print the whole 64-bit value so that
      // imm2 (e.g. the map value offset of BPF_PSEUDO_MAP_VALUE) survives a round trip.
      return form.src === 0 ? [{ text: '{r:dst} = {imm64} ll' }] : [{ text: 'ld_pseudo {r:dst}, {fixed:src}, {imm64}' }];
    case 'ld_abs':
      return [{ text: `r0 = *(u${bits(form)} *)skb[{imm}]` }];
    case 'ld_ind':
      // LLVM prints and accepts only skb[rN] (imm 0); the "+ imm" spelling is ours.
      return [
        { text: `r0 = *(u${bits(form)} *)skb[{r:src}]`, when: (i) => i.imm === 0 },
        { text: `r0 = *(u${bits(form)} *)skb[{r:src} + {imm}]` },
      ];
    case 'ldx':
      return [{ text: `{${dataReg(form)}:dst} = *(u${bits(form)} *)({r:src} {memoff})` }];
    case 'ldsx':
      return [{ text: `{r:dst} = *(s${bits(form)} *)({r:src} {memoff})` }];
    case 'st':
      return [{ text: `*(u${bits(form)} *)({r:dst} {memoff}) = {imm}` }];
    case 'stx':
      return [{ text: `*(u${bits(form)} *)({r:dst} {memoff}) = {${dataReg(form)}:src}` }];
    case 'atomic': {
      const X = dataReg(form);
      const sz = bits(form);
      if (form.atomicOp === 'xchg') return [{ text: `{${X}:src} = ${sz === 64 ? 'xchg_64' : 'xchg32_32'}({r:dst} {memoff}, {${X}:src})` }];
      if (form.atomicOp === 'cmpxchg') return [{ text: `{${X}:0} = ${sz === 64 ? 'cmpxchg_64' : 'cmpxchg32_32'}({r:dst} {memoff}, {${X}:0}, {${X}:src})` }];
      if (form.fetch) return [{ text: `{${X}:src} = atomic_fetch_${form.atomicOp}((u${sz} *)({r:dst} {memoff}), {${X}:src})` }];
      return [{ text: `lock *(u${sz} *)({r:dst} {memoff}) ${ATOMIC_LLVM[form.atomicOp!]} {${X}:src}` }];
    }
    case 'jcond':
      return [{ text: `if {${R}:dst} ${COND_LLVM[form.cond!]} ${operand} goto {target:off}` }];
    case 'ja':
      return form.id === 'gotol' ? [{ text: 'gotol {target:imm}' }] : [{ text: 'goto {target:off}' }];
    case 'call':
      if (form.id === 'call_local') return [{ text: 'call {pctarget:imm}' }];
      // kfunc calls have no LLVM text (LLVM emits them through relocations): our spelling.
      if (form.id === 'call_kfunc') return [{ text: 'call kfunc {imm}', when: (i) => i.off === 0 }, { text: 'call kfunc {imm}, {num:off}' }];
      return [{ text: 'call {imm}' }];
    case 'callx':
      return [{ text: 'callx {r:dst}' }];
    case 'exit':
      return [{ text: 'exit' }];
    case 'may_goto':
      return [{ text: 'may_goto {target:off}' }];
    case 'invalid':
      return [];
  }
}

function conformanceSpellings(form: InsnForm): Spelling[] {
  const w = form.width === 32 ? '32' : '';
  const operand = form.source === 'reg' ? '{p:src}' : '{imm}';
  const sfx = SIZE_SUFFIX[form.size ?? 8];
  switch (form.kind) {
    case 'alu':
    case 'mov': {
      const op = form.kind === 'mov' ? 'mov' : form.aluOp!;
      const out: Spelling[] = [{ text: `${op}${w} {p:dst}, ${operand}` }];
      if (!w) out.push({ text: `${op}64 {p:dst}, ${operand}`, parseOnly: true });
      return out;
    }
    case 'neg':
      return w ? [{ text: 'neg32 {p:dst}' }] : [{ text: 'neg {p:dst}' }, { text: 'neg64 {p:dst}', parseOnly: true }];
    case 'movsx':
      return [{ text: `movsx${form.signExtendFrom}${form.width} {p:dst}, {p:src}` }];
    case 'addr_space_cast':
      return [{ text: 'addr_space_cast {p:dst}, {p:src}, {as:dst}, {as:src}' }];
    case 'end':
      return [{ text: `${form.order}${form.imm as number} {p:dst}` }];
    case 'bswap':
      return [{ text: `swap${form.imm as number} {p:dst}` }, { text: `bswap${form.imm as number} {p:dst}`, parseOnly: true }];
    case 'lddw':
      // The suite's assembler knows only plain lddw; pseudo sources take the form's name.
      return [{ text: `${form.id} {p:dst}, {imm64}` }];
    case 'ld_abs':
      return [{ text: `ldabs${sfx} {imm}` }];
    case 'ld_ind':
      return [{ text: `ldind${sfx} {p:src}, {imm}` }];
    case 'ldx':
      return [{ text: `ldx${sfx} {p:dst}, {mem:src}` }];
    case 'ldsx':
      return [{ text: `ldxs${sfx} {p:dst}, {mem:src}` }];
    case 'st':
      return [{ text: `st${sfx} {mem:dst}, {imm}` }];
    case 'stx':
      return [{ text: `stx${sfx} {mem:dst}, {p:src}` }];
    case 'atomic': {
      const a32 = form.size === 4 ? '32' : '';
      if (form.atomicOp === 'xchg' || form.atomicOp === 'cmpxchg') return [{ text: `lock ${form.atomicOp}${a32} {mem:dst}, {p:src}` }];
      return [{ text: `lock ${form.fetch ? 'fetch ' : ''}${form.atomicOp}${a32} {mem:dst}, {p:src}` }];
    }
    case 'jcond':
      return [{ text: `j${form.cond}${w} {p:dst}, ${operand}, {target:off}` }];
    case 'ja':
      return form.id === 'gotol' ? [{ text: 'ja32 {target:imm}' }] : [{ text: 'ja {target:off}' }];
    case 'call':
      if (form.id === 'call_local') return [{ text: 'call local {target:imm}' }];
      if (form.id === 'call_kfunc') return [{ text: 'call runtime {imm}', when: (i) => i.off === 0 }, { text: 'call runtime {imm}, {num:off}' }];
      return [{ text: 'call {imm}' }, { text: 'call helper {imm}', parseOnly: true }];
    case 'callx':
      // The suite's assembler reads "call %r1" and "call helper %r1" as callx.
      return [{ text: 'call {p:dst}' }, { text: 'call helper {p:dst}', parseOnly: true }, { text: 'callx {p:dst}', parseOnly: true }];
    case 'exit':
      return [{ text: 'exit' }];
    case 'may_goto':
      return [{ text: 'may_goto {target:off}' }];
    case 'invalid':
      return [];
  }
}

export function spellings(form: InsnForm, syntax: Syntax): Spelling[] {
  return syntax === 'llvm' ? llvmSpellings(form) : conformanceSpellings(form);
}

/** The spelling the printer uses for an instruction. */
export function printSpelling(insn: Insn, syntax: Syntax): Spelling | undefined {
  return spellings(insn.form, syntax).find((s) => !s.parseOnly && (!s.when || s.when(insn)));
}
