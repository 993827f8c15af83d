// The printer: Insn -> one line of text in llvm or conformance syntax, and whole programs with labels.
import { jumpTarget, ldImm64Value, type Insn } from '../isa';
import { printKernelInsn, type KernelPrintOptions } from './kernel-print';
import { printSpelling, type Syntax } from './spelling';

/** Printing knows one more flavour than parsing: the kernel's (verifier log, bpftool). */
export type PrintSyntax = Syntax | 'kernel';
import { pieces, type Placeholder } from './template';

export interface PrintOptions extends KernelPrintOptions {
  /** Default 'llvm'. 'kernel' prints "(b7) r0 = 42" as kernel/bpf/disasm.c does (labels and notes do not apply). */
  readonly syntax?: PrintSyntax;
  /** Slot index of the instruction; needed to print jump targets as labels or notes. */
  readonly pc?: number;
  /** Label name at a slot index, for jump and call targets (else the relative offset prints). */
  readonly labelAt?: (pc: number) => string | undefined;
  /**
   * llvm: print 8/16/32-bit loads, stores and atomics with w registers, as llvm-objdump does
   * with --mattr=+alu32 (default false, like plain llvm-objdump -d).
   */
  readonly alu32?: boolean;
  /** llvm: immediates and offsets in hex, as llvm-objdump 19 prints by default (default true). */
  readonly hex?: boolean;
  /** llvm: text appended after a jump's offset, e.g. objdump's "<.text+0x30>". */
  readonly targetNote?: (targetPc: number) => string | undefined;
}

export interface ProgramPrintOptions extends Omit<PrintOptions, 'pc'> {
  /** Name every jump/call target inside the program with a label and print label lines (default true). */
  readonly labels?: boolean;
}

function hexOrDec(v: bigint | number, hex: boolean): string {
  const b = BigInt(v);
  if (!hex) return b.toString();
  return b < 0n ? `-0x${(-b).toString(16)}` : `0x${b.toString(16)}`;
}

/** The conformance suite's immediate style: small or negative values in decimal, others in hex of the u32. */
function conformanceImm(imm: number): string {
  if ((imm < 0 && imm !== -2147483648) || (imm >= -10 && imm <= 10)) return String(imm);
  return `0x${(imm >>> 0).toString(16)}`;
}

function signed(v: number, body: (abs: bigint) => string): string {
  return (v < 0 ? '-' : '+') + body(v < 0 ? -BigInt(v) : BigInt(v));
}

function reg(insn: Insn, arg: string): number {
  return arg === '0' ? 0 : arg === 'dst' ? insn.dst : insn.src;
}

function field(insn: Insn, arg: string): number {
  return arg === 'off' ? insn.off : arg === 'imm' ? insn.imm : arg === 'dst' ? insn.dst : insn.src;
}

function placeholder(p: Placeholder, insn: Insn, syntax: Syntax, opts: PrintOptions): string {
  const hex = syntax === 'llvm' && (opts.hex ?? true);
  const num = (v: number | bigint): string => (syntax === 'llvm' ? hexOrDec(v, hex) : conformanceImm(Number(v)));
  const target = (): { offset: number; label?: string; pc?: number } => {
    const offset = field(insn, p.arg);
    if (opts.pc === undefined) return { offset };
    const t = opts.pc + 1 + offset;
    return { offset, label: opts.labelAt?.(t), pc: t };
  };
  switch (p.kind) {
    case 'r':
      return `r${reg(insn, p.arg)}`;
    case 'w':
      return `w${reg(insn, p.arg)}`;
    case 'x':
      return `${opts.alu32 ? 'w' : 'r'}${reg(insn, p.arg)}`;
    case 'p':
      return `%r${reg(insn, p.arg)}`;
    case 'imm':
      return num(insn.imm);
    case 'imm64': {
      const v = ldImm64Value(insn);
      return syntax === 'llvm' ? hexOrDec(BigInt.asIntN(64, v), hex) : `0x${v.toString(16)}`;
    }
    case 'memoff':
      return `${insn.off < 0 ? '-' : '+'} ${hexOrDec(Math.abs(insn.off), hex)}`;
    case 'mem': {
      const base = `%r${reg(insn, p.arg)}`;
      return insn.off === 0 ? `[${base}]` : `[${base}${insn.off > 0 ? '+' : ''}${insn.off}]`;
    }
    case 'target': {
      const t = target();
      if (t.label !== undefined) return t.label;
      const text = signed(t.offset, (a) => (hex ? `0x${a.toString(16)}` : a.toString()));
      const note = t.pc !== undefined && syntax === 'llvm' ? opts.targetNote?.(t.pc) : undefined;
      return note ? `${text} ${note}` : text;
    }
    case 'pctarget': {
      const t = target();
      return t.label ?? `pc${signed(t.offset, (a) => (hex ? `0x${a.toString(16)}` : a.toString()))}`;
    }
    case 'fixed':
    case 'num':
      return syntax === 'llvm' ? hexOrDec(field(insn, p.arg), hex) : String(field(insn, p.arg));
    case 'as':
      return num(p.arg === 'dst' ? (insn.imm >>> 16) & 0xffff : insn.imm & 0xffff);
  }
}

/** One instruction as text, without label definitions or trailing newline. */
export function printInsn(insn: Insn, opts: PrintOptions = {}): string {
  const syntax = opts.syntax ?? 'llvm';
  if (syntax === 'kernel') return printKernelInsn(insn, opts);
  const spelling = printSpelling(insn, syntax);
  if (!spelling) {
    // Bytes that match no form: llvm-objdump's text, or the conformance disassembler's.
    return syntax === 'llvm' ? '<unknown>' : `unknown 0x${insn.code.toString(16)}`;
  }
  return pieces(spelling.text).map((p) => (typeof p === 'string' ? p : placeholder(p, insn, syntax, opts))).join('');
}

/** Slot index of each instruction (lddw takes two). */
export function slotPcs(insns: readonly Insn[]): number[] {
  const pcs: number[] = [];
  let pc = 0;
  for (const i of insns) {
    pcs.push(pc);
    pc += i.form.kind === 'lddw' ? 2 : 1;
  }
  return pcs;
}

/**
 * A whole program, one instruction per line. With labels (the default), every jump or call target
 * that starts an instruction gets a label line ("LBB0_7:" style names: ".L<pc>" in llvm syntax,
 * "L<pc>" in conformance syntax) and jumps print the label, so parse() gives the same instructions back.
 * The kernel flavour prints "pc: (code) text" lines, as bpftool and the verifier do.
 */
export function printProgram(insns: readonly Insn[], opts: ProgramPrintOptions = {}): string {
  const syntax = opts.syntax ?? 'llvm';
  const pcs = slotPcs(insns);
  if (syntax === 'kernel') return insns.map((insn, i) => `${pcs[i]}: ${printKernelInsn(insn, opts)}\n`).join('');
  const starts = new Set(pcs);
  const names = new Map<number, string>();
  if (opts.labels ?? true) {
    insns.forEach((insn, i) => {
      const t = jumpTarget(insn, pcs[i]);
      if (t !== undefined && starts.has(t) && !names.has(t)) names.set(t, syntax === 'llvm' ? `.L${t}` : `L${t}`);
    });
  }
  const labelAt = (pc: number): string | undefined => names.get(pc) ?? opts.labelAt?.(pc);
  const lines: string[] = [];
  insns.forEach((insn, i) => {
    const own = names.get(pcs[i]) ?? opts.labelAt?.(pcs[i]);
    if (own !== undefined) lines.push(`${own}:`);
    lines.push(printInsn(insn, { ...opts, syntax, pc: pcs[i], labelAt }));
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}
