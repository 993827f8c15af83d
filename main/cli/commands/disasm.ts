// bpfdbg disasm: lists the instructions of an ELF object, a raw bytecode file or a 2013 image, as text or JSON.
import { printInsn, type Syntax } from '../../../engine/asm';
import { printInsn2013 } from '../../../engine/asm/print-2013';
import { encode, formatDiagnostic, hasErrors, type Diagnostic, type Insn } from '../../../engine/isa';
import { encode2013, strtabName, transcodeProgram, type Insn2013 } from '../../../engine/isa/ebpf2013';
import { helperKernelName } from '../../../engine/kernel/helper-protos';
import { loadObject, loadRaw, type ObjMap, type ObjProgram } from '../../../engine/obj';
import { loadImage2013 } from '../../../engine/obj/image-2013';
import { flagString, parseArgs, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { Command } from '../main';

const USAGE = `bpfdbg disasm FILE [--syntax llvm|conformance] [--program NAME] [--json]

  FILE       an ELF BPF object (clang -target bpf), a 2013 "bpf\\0" image, or raw bytecode
             (anything else: 8-byte little-endian instructions)
  --syntax   llvm (default): "r1 = *(u64 *)(r10 - 0x8)", as llvm-objdump prints
             conformance: "ldxdw %r1, [%r10-8]"
             A 2013 image prints in its own pr_info_bpf_insn format unless --syntax is given,
             in which case its modern eBPF translation is printed.
  --program  only the program with this name or section
  --json     {"programs":[{"name","section","dialect","insns":[{"index","bytes","text","source"?}]}]}
             index is the slot (pc); bytes is lowercase hex (16 bytes for lddw);
             source is the C line from BTF line info, when present.
Exit 0 on success, 1 when the input has errors (printed as file:section+offset), 2 on usage errors.`;

export interface ListedInsn {
  readonly index: number;
  readonly bytes: string;
  readonly text: string;
  readonly source?: string;
  /** Text mode only: what the bytes alone do not say (relocated map, helper name). */
  readonly note?: string;
}

export interface ListedProgram {
  readonly name: string;
  readonly section: string;
  readonly dialect: 'ebpf' | 'ebpf-2013';
  readonly insns: ListedInsn[];
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function listModern(insns: readonly Insn[], pcs: readonly number[], syntax: Syntax, source?: readonly ({ text: string } | undefined)[], relocs?: ReadonlyMap<number, string>): ListedInsn[] {
  return insns.map((insn, i) => {
    const s = source?.[i]?.text;
    const note = relocs?.get(i) ?? (insn.form.id === 'call' ? helperKernelName(insn.imm) : undefined);
    return { index: pcs[i], bytes: hex(encode([insn])), text: printInsn(insn, { syntax, pc: pcs[i] }), ...(s !== undefined ? { source: s } : {}), ...(note ? { note } : {}) };
  });
}

/** Instruction index -> "map proto_count" / "map-value .rodata+16" / "call helper_fn". */
function relocationNotes(prog: ObjProgram, maps: readonly ObjMap[]): Map<number, string> {
  const notes = new Map<number, string>();
  for (const r of prog.relocations) {
    const target = r.map !== undefined ? (maps[r.map]?.name ?? r.symbol) : (r.callee ?? r.symbol);
    notes.set(r.index, `${r.kind} ${target}${r.offset ? `+${r.offset}` : ''}`);
  }
  return notes;
}

function list2013(insns: readonly Insn2013[], strtab: Uint8Array): ListedInsn[] {
  return insns.map((insn, i) => {
    // a 2013 call names its helper by strtab offset: say which name it resolves to
    const note = (insn.code & 0xff) === 0x85 ? (strtabName(strtab, insn.imm) ?? 'no helper name at this strtab offset') : undefined;
    return { index: i, bytes: hex(encode2013([insn])), text: printInsn2013(insn), ...(note ? { note } : {}) };
  });
}

const isElf = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
const is2013 = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x62 && b[1] === 0x70 && b[2] === 0x66 && b[3] === 0x00;

/** Every program of a file, listed; diagnostics say what was wrong and where. */
export function listFile(bytes: Uint8Array, file: string, syntax: Syntax | undefined): { programs: ListedProgram[]; diagnostics: Diagnostic[] } {
  if (isElf(bytes)) {
    const r = loadObject(bytes, { file });
    const maps = r.object?.maps ?? [];
    const programs = (r.object?.programs ?? []).map((p) => ({ name: p.name, section: p.section, dialect: 'ebpf' as const, insns: listModern(p.insns, p.pcs, syntax ?? 'llvm', p.source, relocationNotes(p, maps)) }));
    return { programs, diagnostics: r.diagnostics };
  }
  if (is2013(bytes)) {
    const r = loadImage2013(bytes, { file });
    if (!r.image) return { programs: [], diagnostics: r.diagnostics };
    if (syntax === undefined) return { programs: [{ name: 'filter', section: 'bpf-image', dialect: 'ebpf-2013', insns: list2013(r.image.insns, r.image.strtab) }], diagnostics: r.diagnostics };
    const t = transcodeProgram(r.image);
    const pcs: number[] = [];
    t.insns.reduce((pc, insn) => (pcs.push(pc), pc + (insn.form.kind === 'lddw' ? 2 : 1)), 0);
    return { programs: [{ name: 'filter', section: 'bpf-image (transcoded to eBPF)', dialect: 'ebpf', insns: listModern(t.insns, pcs, syntax) }], diagnostics: [...r.diagnostics, ...t.diagnostics] };
  }
  const r = loadRaw(bytes, { file });
  return { programs: [{ name: file.slice(file.lastIndexOf('/') + 1), section: 'raw', dialect: 'ebpf', insns: listModern(r.program.insns, r.program.pcs, syntax ?? 'llvm') }], diagnostics: r.diagnostics };
}

function printText(programs: readonly ListedProgram[]): string {
  const out: string[] = [];
  for (const p of programs) {
    out.push(`${out.length ? '\n' : ''}Disassembly of section ${p.section} <${p.name}>${p.dialect === 'ebpf-2013' ? ' (2013 extended BPF)' : ''}:`);
    let lastSource: string | undefined;
    for (const i of p.insns) {
      if (i.source !== undefined && i.source !== lastSource) out.push(`; ${i.source}`);
      lastSource = i.source ?? lastSource;
      const bytes = i.bytes.replace(/(..)(?!$)/g, '$1 ');
      out.push(`${String(i.index).padStart(6)}:  ${bytes.padEnd(23)}  ${i.text}${i.note ? `  ; ${i.note}` : ''}`);
    }
  }
  return out.join('\n') + '\n';
}

const command: Command = {
  summary: 'disassemble an ELF BPF object, raw bytecode or a 2013 image',
  usage: USAGE,
  run(argv: readonly string[], io: CliIO): number {
    const args = parseArgs(argv, {
      syntax: { value: true, choices: ['llvm', 'conformance'] },
      program: { value: true },
      json: { value: false },
    });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'give exactly one input file' : 'missing input file');
    const file = args.positionals[0];
    let bytes: Uint8Array;
    try {
      bytes = io.readFile(file);
    } catch (e) {
      io.stderr(`bpfdbg disasm: cannot read ${file}: ${(e as Error).message}\n`);
      return EXIT.INPUT_ERROR;
    }
    const { programs, diagnostics } = listFile(bytes, file, flagString(args, 'syntax') as Syntax | undefined);
    for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    const wanted = flagString(args, 'program');
    const chosen = wanted === undefined ? programs : programs.filter((p) => p.name === wanted || p.section === wanted);
    if (wanted !== undefined && chosen.length === 0) {
      io.stderr(`bpfdbg disasm: ${file}: no program named ${wanted} (programs: ${programs.map((p) => p.name).join(', ') || 'none'})\n`);
      return EXIT.INPUT_ERROR;
    }
    if (args.flags.has('json')) io.stdout(JSON.stringify({ programs: chosen.map((p) => ({ ...p, insns: p.insns.map(({ note: _note, ...rest }) => rest) })) }) + '\n');
    else io.stdout(printText(chosen));
    return hasErrors(diagnostics) ? EXIT.INPUT_ERROR : EXIT.OK;
  },
};

export default command;
