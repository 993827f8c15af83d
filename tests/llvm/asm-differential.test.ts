// Differential test of engine/asm against LLVM 19: our assembler vs llvm-mc byte for byte, our
// printer vs llvm-objdump line for line, over every instruction form LLVM can express.
import { describe, expect, it } from 'vitest';
import { parse, printInsn, printProgram, slotPcs, type PrintOptions } from '../../engine/asm';
import { decode, encode, FORMS, jumpTarget, makeInsn, type Insn, type InsnForm } from '../../engine/isa';
import { llvmAssemble, llvmDisassemble, llvmUnavailable, withTempDir } from './llvm-tools';

const unavailable = llvmUnavailable();

/** Forms LLVM has no assembly text for; each excluded for a reason. */
const NOT_IN_LLVM: Record<string, string> = {
  call_kfunc: 'LLVM emits kfunc calls only through relocations against extern symbols; there is no text for src_reg=2',
};

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES = 6;
const OFFS = [-32768, 32767, 0, -1];
const IMMS = [-2147483648, 2147483647, 0, -1];

/** SAMPLES operand sets per form: extremes first, then random values; all registers appear. */
function program(): Insn[] {
  const rand = rng(2024);
  const insns: Insn[] = [];
  FORMS.forEach((form: InsnForm, k) => {
    if (NOT_IN_LLVM[form.id]) return;
    for (let i = 0; i < SAMPLES; i++) {
      const z = (use: InsnForm['dst'], v: number): number => (use === 'zero' ? 0 : v);
      let imm = i < IMMS.length ? IMMS[i] : Math.floor(rand() * 4294967296) | 0;
      let imm2 = i < IMMS.length ? IMMS[(i + 1) % IMMS.length] : Math.floor(rand() * 4294967296) | 0;
      // ld_pseudo carries only 32 bits in LLVM, and LLVM's skb[rN] has no immediate.
      if (form.kind === 'lddw' && form.src !== 0) imm2 = 0;
      if (form.kind === 'ld_ind') imm = 0;
      // llvm-mc reads a literal gotol offset only as s16 (farther targets need a label).
      if (form.id === 'gotol') imm = (imm << 16) >> 16;
      insns.push(makeInsn(form.id, {
        dst: z(form.dst, (i * 3 + k) % 11),
        src: z(form.src, (i * 5 + k + 1) % 11),
        off: z(form.off, i < OFFS.length ? OFFS[i] : Math.floor(rand() * 65536) - 32768),
        imm: z(form.imm, imm),
        imm2,
      }));
    }
  });
  // Half of the jumps (and every bpf-to-bpf call, which LLVM writes only with a label) go to
  // instructions inside the program, so labels are exercised too.
  const pcs = slotPcs(insns);
  return insns.map((insn, i) => {
    if (jumpTarget(insn, pcs[i]) === undefined) return insn;
    if (insn.form.id !== 'call_local' && rand() < 0.5) return insn;
    const delta = pcs[Math.floor(rand() * pcs.length)] - (pcs[i] + 1);
    return insn.form.id === 'gotol' || insn.form.kind === 'call' ? { ...insn, imm: delta } : { ...insn, off: delta };
  });
}

/** objdump's note after a jump offset: the target as an offset from .text, wrapped to 64 bits. */
const textNote = (t: number): string => `<.text+0x${BigInt.asUintN(64, BigInt(t * 8)).toString(16)}>`;

interface Mode {
  readonly name: string;
  readonly objdumpFlags: string[];
  readonly print: PrintOptions;
  /** Form id -> why our line may differ from LLVM's in this mode, and the shape LLVM's line must have then. */
  readonly exceptions: Record<string, Exception>;
}

interface Exception {
  readonly reason: string;
  readonly llvm: RegExp;
}

const CALL_LOCAL: Exception = {
  reason: 'LLVM prints a bpf-to-bpf call like a helper call ("call -0x1"); we print "call pc-0x1" so the two stay distinct in text (the bytes are compared equal above)',
  llvm: /^call -?(0x[0-9a-f]+|\d+)$/,
};
const NO_ALU32: Exception = {
  reason: 'without +alu32 LLVM 19 cannot decode this 32-bit atomic (prints <unknown>, or for fetch_add the text of the non-fetch add); we print the r-register spelling',
  llvm: /^(<unknown>|lock \*\(u32 \*\)\(r\d+ [+-] 0x[0-9a-f]+\) \+= r\d+)$/,
};

const MODES: Mode[] = [
  { name: 'hex, --mattr=+alu32', objdumpFlags: ['--mattr=+alu32'], print: { alu32: true }, exceptions: { call_local: CALL_LOCAL } },
  {
    name: 'hex, no alu32',
    objdumpFlags: [],
    print: { alu32: false },
    exceptions: Object.fromEntries([
      ['call_local', CALL_LOCAL],
      ...FORMS.filter((f) => f.kind === 'atomic' && f.size === 4 && f.id !== 'atomic32_add').map((f) => [f.id, NO_ALU32]),
    ]),
  },
  { name: 'decimal, --mattr=+alu32', objdumpFlags: ['--mattr=+alu32', '--no-print-imm-hex'], print: { alu32: true, hex: false }, exceptions: { call_local: CALL_LOCAL } },
];

/**
 * The program in decimal with r registers for 8/16/32-bit loads and stores (as plain llvm-objdump
 * prints them), except the 32-bit atomics other than add: LLVM has those only with w registers.
 */
function rRegisterSource(insns: readonly Insn[]): string {
  const r = printProgram(insns, { syntax: 'llvm', alu32: false, hex: false }).split('\n');
  const w = printProgram(insns, { syntax: 'llvm', alu32: true, hex: false }).split('\n');
  let i = 0;
  return r
    .map((line, n) => {
      if (line.endsWith(':') || line === '') return line;
      const insn = insns[i++];
      return insn.form.kind === 'atomic' && insn.form.size === 4 && insn.form.id !== 'atomic32_add' ? w[n] : line;
    })
    .join('\n');
}

const MC_FLAGS = ['-mcpu=v4', '-mattr=+alu32'];

describe('engine/asm against LLVM 19', () => {
  it.skipIf(unavailable !== undefined)(`llvm-mc assembles our text to our bytes; llvm-objdump prints our lines${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    const insns = program();
    const forms = new Set(insns.map((i) => i.form.id));
    const ours = encode(insns);
    withTempDir((dir) => {
      // 1. Assembly: the same text through llvm-mc and through our parser, in two printing styles.
      const sources = [
        { name: 'hex-alu32', text: printProgram(insns, { syntax: 'llvm', alu32: true }) },
        { name: 'dec-r', text: rRegisterSource(insns) },
      ];
      for (const s of sources) {
        const ourParse = parse(s.text);
        expect(ourParse.diagnostics).toEqual([]);
        expect(encode(ourParse.insns)).toEqual(ours);
        const llvm = llvmAssemble(dir, s.name, s.text, MC_FLAGS);
        expect(llvm.stderr).toBe('');
        expect(llvm.status).toBe(0);
        const mismatches: string[] = [];
        const theirs = decode(llvm.text);
        insns.forEach((insn, i) => {
          const a = encode([insn]);
          const b = theirs.insns[i] ? encode([theirs.insns[i]]) : new Uint8Array();
          if (a.join() !== b.join()) mismatches.push(`${insn.form.id}: ${printInsn(insn)}: ours ${Buffer.from(a).toString('hex')} llvm ${Buffer.from(b).toString('hex')}`);
        });
        expect(mismatches).toEqual([]);
        expect(llvm.text).toEqual(ours);
      }

      // 2. Disassembly: llvm-objdump's lines against our printer, in three modes.
      const pcs = slotPcs(insns);
      const objectPath = llvmAssemble(dir, 'objdump', sources[0].text, MC_FLAGS).objectPath;
      let lines = 0;
      let equal = 0;
      const excepted = new Map<string, number>();
      for (const mode of MODES) {
        const theirs = new Map(llvmDisassemble(objectPath, mode.objdumpFlags));
        const mismatches: string[] = [];
        insns.forEach((insn, i) => {
          const mine = printInsn(insn, { syntax: 'llvm', pc: pcs[i], targetNote: textNote, ...mode.print }).replace(/\s+/g, ' ');
          const their = theirs.get(pcs[i]);
          lines++;
          if (mine === their) equal++;
          else if (mode.exceptions[insn.form.id]?.llvm.test(their ?? '')) excepted.set(`${mode.name}: ${insn.form.id}`, (excepted.get(`${mode.name}: ${insn.form.id}`) ?? 0) + 1);
          else mismatches.push(`[${mode.name}] ${insn.form.id} @${pcs[i]}: ours "${mine}" llvm "${their}"`);
        });
        expect(mismatches).toEqual([]);
      }
      console.log(
        `LLVM 19 differential: ${forms.size} instruction forms (${FORMS.length} in the table, ${Object.keys(NOT_IN_LLVM).length} without LLVM text), ` +
          `${insns.length} instructions, ${ours.length / 8} slots; assembly: bytes equal for ${sources.length} sources; ` +
          `disassembly: ${lines} lines in ${MODES.length} modes, ${equal} equal, ${lines - equal} listed exceptions ` +
          `(${[...excepted].map(([k, n]) => `${k} x${n}`).join(', ')})`,
      );
      expect(equal + [...excepted.values()].reduce((a, b) => a + b, 0)).toBe(lines);
    });
  });
});
