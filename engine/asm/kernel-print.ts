// The kernel flavour of the printer: instructions as the verifier log and bpftool print them
// (kernel/bpf/disasm.c print_bpf_insn): "(b7) r0 = 42", "if r1 > 0x10 goto pc+3", "call bpf_map_lookup_elem#1".
// Print only: the kernel has no parser for this text.
import { ldImm64Value, type Insn, type InsnForm } from '../isa';

export interface KernelPrintOptions {
  /** "bpf_map_lookup_elem" for helper id 1 (the kernel's func_id_str); engine/kernel has the table. */
  readonly helperName?: (id: number) => string | undefined;
  /** The verifier's cb_call for kfunc calls (the kfunc's BTF name). */
  readonly kfuncName?: (insn: Insn) => string | undefined;
  /** The verifier's cb_imm for lddw ("map[id:5]", "map[id:5][0]+8"); default the value in hex. */
  readonly immName?: (insn: Insn, value: bigint) => string | undefined;
  /** Without pointer-leak permission the kernel prints map addresses of lddw map_fd/map_value as 0 (default true). */
  readonly allowPtrLeaks?: boolean;
}

const ALU: Record<string, string> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=',
  mod: '%=', smod: 's%=', xor: '^=', arsh: 's>>=',
};

const JMP: Record<string, string> = {
  eq: '==', gt: '>', ge: '>=', set: '&', ne: '!=', sgt: 's>', sge: 's>=', lt: '<', le: '<=', slt: 's<', sle: 's<=',
};

/** C's "%+d". */
function plus(v: number): string {
  return v < 0 ? String(v) : `+${v}`;
}

function ldst(form: InsnForm, signed = false): string {
  return `${signed ? 's' : 'u'}${(form.size ?? 8) * 8}`;
}

function body(insn: Insn, o: KernelPrintOptions): string {
  const f = insn.form;
  const w = f.width === 32 ? 'w' : 'r';
  const mem = (base: number) => `(r${base} ${plus(insn.off)})`;
  switch (f.kind) {
    case 'alu':
      return `${w}${insn.dst} ${ALU[f.aluOp!]} ${f.source === 'reg' ? `${w}${insn.src}` : insn.imm}`;
    case 'mov':
      return `${w}${insn.dst} = ${f.source === 'reg' ? `${w}${insn.src}` : insn.imm}`;
    case 'movsx':
      return `${w}${insn.dst} = (s${f.signExtendFrom})${w}${insn.src}`;
    case 'neg':
      return `${w}${insn.dst} = -${w}${insn.dst}`;
    case 'addr_space_cast':
      return `r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.imm >>> 16}, ${insn.imm & 0xffff})`;
    case 'end':
      return `r${insn.dst} = ${f.order}${insn.imm} r${insn.dst}`;
    case 'bswap':
      return `r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
    case 'stx':
      return `*(${ldst(f)} *)${mem(insn.dst)} = r${insn.src}`;
    case 'atomic': {
      const a64 = f.size === 8 ? '64' : '';
      const at = `(${ldst(f)} *)${mem(insn.dst)}`;
      if (f.atomicOp === 'cmpxchg') return `r0 = atomic${a64}_cmpxchg(${at}, r0, r${insn.src})`;
      if (f.atomicOp === 'xchg') return `r${insn.src} = atomic${a64}_xchg(${at}, r${insn.src})`;
      if (f.fetch) return `r${insn.src} = atomic${a64}_fetch_${f.atomicOp}(${at}, r${insn.src})`;
      return `lock *${at} ${ALU[f.atomicOp!]} r${insn.src}`;
    }
    case 'st':
      return `*(${ldst(f)} *)${mem(insn.dst)} = ${insn.imm}`;
    case 'ldx':
      return `r${insn.dst} = *(${ldst(f)} *)${mem(insn.src)}`;
    case 'ldsx':
      return `r${insn.dst} = *(${ldst(f, true)} *)${mem(insn.src)}`;
    case 'ld_abs':
      return `r0 = *(${ldst(f)} *)skb[${insn.imm}]`;
    case 'ld_ind':
      return `r0 = *(${ldst(f)} *)skb[r${insn.src} + ${insn.imm}]`;
    case 'lddw': {
      const isPtr = f.id === 'lddw_map_fd' || f.id === 'lddw_map_value';
      const v = isPtr && o.allowPtrLeaks === false ? 0n : ldImm64Value(insn);
      return `r${insn.dst} = ${o.immName?.(insn, v) ?? `0x${v.toString(16)}`}`;
    }
    case 'call':
    case 'callx': {
      if (f.id === 'call_local') return `call pc${plus(insn.imm)}`;
      // callx has src_reg 0 and imm 0, so the kernel names it like helper 0.
      const name =
        (insn.src === 0 ? o.helperName?.(insn.imm) : undefined) ?? (f.id === 'call_kfunc' ? o.kfuncName?.(insn) : undefined) ?? (f.id === 'call_kfunc' ? 'kernel-function' : 'unknown');
      return `call ${name}#${insn.imm}`;
    }
    case 'ja':
      return f.id === 'gotol' ? `gotol pc${plus(insn.imm)}` : `goto pc${plus(insn.off)}`;
    case 'may_goto':
      return `may_goto pc${plus(insn.off)}`;
    case 'exit':
      return 'exit';
    case 'jcond':
      return `if ${w}${insn.dst} ${JMP[f.cond!]} ${f.source === 'reg' ? `${w}${insn.src}` : `0x${(insn.imm >>> 0).toString(16)}`} goto pc${plus(insn.off)}`;
    case 'invalid':
      return invalid(insn);
  }
}

/** What print_bpf_insn falls back to for bytes it has no text for. */
function invalid(insn: Insn): string {
  const cls = insn.code & 7;
  const names = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'];
  return names[cls];
}

/** One instruction as the kernel prints it, "(bf) r1 = r2" (no pc prefix, no newline). */
export function printKernelInsn(insn: Insn, opts: KernelPrintOptions = {}): string {
  return `(${insn.code.toString(16).padStart(2, '0')}) ${body(insn, opts)}`;
}
