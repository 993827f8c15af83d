// ELF BPF object loader: finds programs by SEC() name, links .text subprograms into each program
// the way libbpf does, resolves map and global-data relocations, and attaches BTF line info.
import { decode, error, formById, warning, type Diagnostic, type Insn } from '../isa';
import { CALL_PSEUDO } from '../isa';
import { BTF_KIND, decodeBtf, type Btf } from './btf';
import { decodeBtfExt, type BtfExt, type FuncInfoRecord, type LineInfoRecord } from './btf-ext';
import { decodeElf, elfIndex, R_BPF, R_BPF_NAMES, SHF, SHN_UNDEF, SHT, STT, STB, type ElfFile, type ElfRelocation, type ElfSection, type ElfSymbol } from './elf';
import { collectMaps, dataSectionKind, type ObjMap } from './maps';
import { classifySection, type KernelEnum, type SecDefFlags } from './sec-defs';

/** Where an instruction of a linked program came from. */
export interface InsnOrigin {
  readonly section: string;
  readonly sectionIndex: number;
  /** Byte offset of the instruction within its section. */
  readonly byteOffset: number;
  /** Name of the function (program or subprogram) it belongs to. */
  readonly func: string;
}

/** C source position of an instruction, from .BTF.ext line_info. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The source line's text as stored in BTF. */
  readonly text: string;
}

export type RelocationKind = 'map' | 'map-value' | 'call' | 'func-addr' | 'extern';

/**
 * A resolved relocation of a linked program. The instruction at `index` already carries the
 * pseudo source the kernel expects (lddw_map_fd / lddw_map_value / call_local / lddw_func); for map
 * kinds its imm holds the index into BpfObject.maps until a loader replaces it with an fd (the
 * kernel bridge) or a map handle (the simulated kernel). For map-value, imm2 holds the offset.
 */
export interface ObjRelocation {
  readonly kind: RelocationKind;
  /** Instruction index and slot (pc) within the linked program. */
  readonly index: number;
  readonly pc: number;
  /** Symbol named by the ELF relocation (or the callee for same-section calls without one). */
  readonly symbol: string;
  readonly map?: number;
  /** map-value: byte offset into the map value. */
  readonly offset?: number;
  /** call / func-addr: the function reached and its first pc within the linked program. */
  readonly callee?: string;
  readonly target?: number;
  /** The ELF relocation this came from; absent for calls LLVM resolved within a section. */
  readonly elf?: { readonly section: string; readonly offset: number; readonly type: number; readonly typeName: string };
}

export interface FuncInfo {
  /** First pc of the function in the linked program. */
  readonly pc: number;
  /** BTF id of the FUNC (what the kernel's bpf_func_info carries). */
  readonly typeId: number;
  readonly name: string;
  /** C declaration from BTF: "int keep_odd(struct __sk_buff *skb)". */
  readonly prototype?: string;
  /** BTF_FUNC_* linkage: global functions are verified on their own by the kernel. */
  readonly linkage?: 'static' | 'global' | 'extern';
}

/** A function symbol in an executable section. */
export interface ObjFunction {
  readonly name: string;
  readonly section: string;
  readonly sectionIndex: number;
  /** First slot and slot count within the section. */
  readonly slot: number;
  readonly slots: number;
  readonly global: boolean;
  /** Lives in .text: a bpf-to-bpf callee, not a program of its own. */
  readonly subprogram: boolean;
}

export interface ObjProgram {
  readonly name: string;
  /** ELF section name, i.e. the SEC() string. */
  readonly section: string;
  readonly sectionIndex: number;
  readonly type: KernelEnum;
  readonly attachType?: KernelEnum;
  readonly attachTo?: string;
  readonly flags: SecDefFlags;
  /** The program followed by every subprogram it reaches, calls patched. */
  readonly insns: Insn[];
  /** Slot index of each instruction. */
  readonly pcs: number[];
  readonly origins: InsnOrigin[];
  readonly source: (SourceLocation | undefined)[];
  readonly relocations: ObjRelocation[];
  readonly funcInfo: FuncInfo[];
  /** line_info records re-based to the linked program (pc instead of section offset), in pc order. */
  readonly lineInfo: { readonly pc: number; readonly record: LineInfoRecord }[];
  /** Subprograms appended after the program, with their first pc. */
  readonly subprograms: { readonly name: string; readonly pc: number }[];
}

export interface BpfObject {
  readonly file?: string;
  readonly programs: ObjProgram[];
  readonly functions: ObjFunction[];
  readonly maps: ObjMap[];
  readonly license?: string;
  readonly kernVersion?: number;
  readonly btf?: Btf;
  readonly btfExt?: BtfExt;
  readonly elf: ElfFile;
}

export interface LoadOptions {
  /** File name for diagnostics and libbpf's object name (global data map names). */
  readonly file?: string;
}

export interface LoadResult {
  readonly object?: BpfObject;
  readonly diagnostics: Diagnostic[];
}

/** The kernel's BPF_COMPLEXITY_LIMIT_INSNS: no linked program may grow past it. */
const MAX_LINKED_SLOTS = 1_000_000;

interface DecodedSection {
  readonly section: ElfSection;
  readonly insns: Insn[];
  readonly pcs: number[];
  /** slot -> instruction index, -1 for the second half of an lddw or a trailing fragment. */
  readonly slotToInsn: Int32Array;
  /** Functions sorted by first slot. */
  readonly funcs: ObjFunction[];
  /** ELF relocations by byte offset. */
  readonly relocs: Map<number, ElfRelocation>;
  readonly lines: readonly LineInfoRecord[];
  /** func_info records by byte offset. */
  readonly funcInfoAt: ReadonlyMap<number, FuncInfoRecord>;
}

export function loadObject(bytes: Uint8Array, options: LoadOptions = {}): LoadResult {
  const file = options.file;
  const fw = file !== undefined ? { file } : {};
  const at = (section: string, byteOffset: number) => ({ ...fw, section, byteOffset });
  const decodedElf = decodeElf(bytes, file);
  const diagnostics = decodedElf.diagnostics;
  if (!decodedElf.elf) return { diagnostics };
  const elf: ElfFile = decodedElf.elf;

  let btf: Btf | undefined;
  let btfExt: BtfExt | undefined;
  const btfSec = elf.sections.find((s) => s.name === '.BTF');
  if (btfSec) {
    const r = decodeBtf(btfSec.data, '.BTF', file);
    diagnostics.push(...r.diagnostics);
    btf = r.btf;
  }
  const extSec = elf.sections.find((s) => s.name === '.BTF.ext');
  if (extSec && btf) {
    const r = decodeBtfExt(extSec.data, btf, file);
    diagnostics.push(...r.diagnostics);
    btfExt = r.ext;
  } else if (extSec) {
    diagnostics.push(warning('obj.btf-ext.no-btf', '.BTF.ext is ignored: there is no usable .BTF', at('.BTF.ext', 0)));
  }

  let license: string | undefined;
  let kernVersion: number | undefined;
  for (const s of elf.sections) {
    if (s.name === 'license') {
      const end = s.data.indexOf(0);
      if (end < 0) diagnostics.push(error('obj.license.unterminated', 'license string is not NUL-terminated', at(s.name, s.data.byteLength)));
      license = new TextDecoder().decode(s.data.subarray(0, end < 0 ? s.data.byteLength : end));
    } else if (s.name === 'version') {
      if (s.data.byteLength !== 4) diagnostics.push(error('obj.version.size', `version section is ${s.data.byteLength} bytes, expected 4`, at(s.name, 0)));
      else kernVersion = new DataView(s.data.buffer, s.data.byteOffset, 4).getUint32(0, true);
    }
  }

  const maps = collectMaps(elf, btf, file, diagnostics);
  const mapAt = new Map<string, number>();
  const dataMapOf = new Map<number, number>();
  maps.forEach((m, i) => {
    const key = `${m.sectionIndex}:${m.sectionOffset}`;
    if (!mapAt.has(key)) mapAt.set(key, i);
    if (m.origin === 'data' && !dataMapOf.has(m.sectionIndex)) dataMapOf.set(m.sectionIndex, i);
  });
  /** Problems in shared subprograms are reported once, not once per program that links them. */
  const reported = new Set<string>();
  const firstTime = (key: string): boolean => !reported.has(key) && reported.add(key).has(key);
  const textIndex = elf.sections.find((s) => s.name === '.text')?.index;

  // Executable sections: decode once, find their functions, index their relocations.
  const decoded = new Map<number, DecodedSection>();
  const functions: ObjFunction[] = [];
  for (const s of elf.sections) {
    if (s.type !== SHT.PROGBITS || (s.flags & SHF.EXECINSTR) === 0 || s.size === 0 || s.data.byteLength === 0) continue;
    const dec = decode(s.data, { baseOffset: 0, section: s.name });
    for (const d of dec.diagnostics) diagnostics.push(file !== undefined ? { ...d, file } : d);
    const nslots = Math.floor(s.data.byteLength / 8);
    const slotToInsn = new Int32Array(nslots).fill(-1);
    dec.pcs.forEach((pc, i) => (slotToInsn[pc] = i));
    const funcs = sectionFunctions(elf, s, nslots, s.index === textIndex, diagnostics, file);
    functions.push(...funcs);
    const lines = [...(btfExt?.lineInfo.get(s.name) ?? [])].sort((a, b) => a.insnOff - b.insnOff);
    const funcInfoAt = new Map<number, FuncInfoRecord>();
    for (const r of btfExt?.funcInfo.get(s.name) ?? []) if (!funcInfoAt.has(r.insnOff)) funcInfoAt.set(r.insnOff, r);
    decoded.set(s.index, { section: s, insns: dec.insns, pcs: dec.pcs, slotToInsn, funcs, relocs: new Map(), lines, funcInfoAt });
  }
  for (const rs of elf.relocations) {
    const d = decoded.get(rs.target);
    if (!d) continue;
    for (const [i, rel] of rs.entries.entries()) {
      if (rel.offset % 8 !== 0 || rel.offset >= d.section.data.byteLength || d.slotToInsn[rel.offset / 8] < 0) {
        diagnostics.push(error('obj.reloc.bad-offset', `relocation at offset ${rel.offset} does not point at an instruction of ${d.section.name}`, at(rs.section.name, i * (rs.section.type === SHT.RELA ? 24 : 16))));
        continue;
      }
      d.relocs.set(rel.offset, rel);
    }
  }

  const programs: ObjProgram[] = [];
  for (const d of decoded.values()) {
    if (d.section.index === textIndex) continue;
    for (const fn of d.funcs) {
      const p = linkProgram(fn, d);
      if (p) programs.push(p);
    }
  }
  // Code only in .text (llvm-mc output, C without SEC()): libbpf would load it as one program when
  // alone; here each global .text function becomes a program of unspecified type, so it can be run.
  const text = textIndex !== undefined ? decoded.get(textIndex) : undefined;
  const otherCode = elf.sections.some((s) => s.index !== textIndex && s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0 && s.size > 0);
  if (!otherCode && text) {
    const entries = text.funcs.filter((f) => f.global);
    diagnostics.push(warning('obj.prog.text-only', `the object has no program sections; treating ${entries.length === 0 ? 'all' : 'the global'} .text functions as programs of unspecified type`, at('.text', 0)));
    for (const fn of entries.length ? entries : text.funcs) {
      const p = linkProgram(fn, text);
      if (p) programs.push(p);
    }
  }
  return { object: { ...fw, programs, functions, maps, ...(license !== undefined ? { license } : {}), ...(kernVersion !== undefined ? { kernVersion } : {}), ...(btf ? { btf } : {}), ...(btfExt ? { btfExt } : {}), elf }, diagnostics };

  function linkProgram(entry: ObjFunction, home: DecodedSection): ObjProgram | undefined {
    const kind = classifySection(entry.section);
    if (!kind.def && entry.section !== '.text') diagnostics.push(warning('obj.prog.unknown-section', `program '${entry.name}': section name '${entry.section}' matches no libbpf SEC() convention; program type is unspec`, at(entry.section, entry.slot * 8)));
    const insns: Insn[] = [];
    const pcs: number[] = [];
    const origins: InsnOrigin[] = [];
    const source: (SourceLocation | undefined)[] = [];
    const relocations: ObjRelocation[] = [];
    const funcInfo: FuncInfo[] = [];
    const lineInfo: { pc: number; record: LineInfoRecord }[] = [];
    const subprograms: { name: string; pc: number }[] = [];
    /** Slot -> pc map of each appended function, keyed "section:slot". */
    const placed = new Map<string, Int32Array>();
    const queue: { fn: ObjFunction; d: DecodedSection; firstIndex: number }[] = [];
    let nextPc = 0;
    let tooBig = false;

    /**
     * Appends a function once; returns its slot -> pc map (-1 where no instruction starts, e.g. a
     * symbol that points into the middle of an lddw in a malformed object).
     */
    const append = (fn: ObjFunction, d: DecodedSection): Int32Array => {
      const key = `${fn.sectionIndex}:${fn.slot}`;
      const known = placed.get(key);
      if (known !== undefined) return known;
      const start = nextPc;
      const local = new Int32Array(fn.slots).fill(-1);
      placed.set(key, local);
      if (fn !== entry) subprograms.push({ name: fn.name, pc: start });
      const fi = d.funcInfoAt.get(fn.slot * 8);
      if (fi) {
        const t = btf?.type(fi.typeId);
        const prototype = btf?.funcSignature(fi.typeId);
        const linkage = t?.kind === BTF_KIND.FUNC ? (['static', 'global', 'extern'] as const)[t.vlen] : undefined;
        funcInfo.push({ pc: start, typeId: fi.typeId, name: t?.name ?? '', ...(prototype ? { prototype } : {}), ...(linkage ? { linkage } : {}) });
      }
      const firstIndex = insns.length;
      for (let slot = fn.slot; slot < fn.slot + fn.slots; slot++) {
        const i = d.slotToInsn[slot];
        if (i < 0) continue;
        const insn = d.insns[i];
        local[slot - fn.slot] = nextPc;
        insns.push(insn);
        pcs.push(nextPc);
        origins.push({ section: d.section.name, sectionIndex: d.section.index, byteOffset: slot * 8, func: fn.name });
        source.push(lineFor(d, fn, slot * 8));
        nextPc += insn.form.kind === 'lddw' ? 2 : 1;
      }
      for (let i = firstLineAtOrAfter(d.lines, fn.slot * 8); i < d.lines.length && d.lines[i].insnOff < (fn.slot + fn.slots) * 8; i++) {
        const off = d.lines[i].insnOff;
        const pc = off % 8 === 0 ? local[off / 8 - fn.slot] : -1;
        // The kernel rejects line_info that does not start an instruction; keep the rest.
        if (pc >= 0) lineInfo.push({ pc, record: d.lines[i] });
        else if (firstTime(`line:${d.section.index}:${off}`)) diagnostics.push(warning('obj.btf-ext.line-not-insn', `line_info for ${d.lines[i].file}:${d.lines[i].line} points inside an instruction (offset ${off})`, at(d.section.name, off)));
      }
      if (nextPc > MAX_LINKED_SLOTS && !tooBig) {
        tooBig = true;
        diagnostics.push(error('obj.link.too-large', `program '${entry.name}' grows past ${MAX_LINKED_SLOTS} instructions when its subprograms are appended`, at(entry.section, entry.slot * 8)));
      }
      queue.push({ fn, d, firstIndex });
      return local;
    };

    append(entry, home);
    for (let q = 0; q < queue.length && !tooBig; q++) {
      const { fn, d, firstIndex } = queue[q];
      const count = (q + 1 < queue.length ? queue[q + 1].firstIndex : insns.length) - firstIndex;
      for (let k = 0; k < count && !tooBig; k++) {
        const index = firstIndex + k;
        resolveInsn(index, fn, d);
      }
    }
    if (tooBig) return undefined;
    return {
      name: entry.name, section: entry.section, sectionIndex: entry.sectionIndex, type: kind.type,
      ...(kind.attachType ? { attachType: kind.attachType } : {}), ...(kind.attachTo !== undefined ? { attachTo: kind.attachTo } : {}),
      flags: kind.flags, insns, pcs, origins, source, relocations, funcInfo, lineInfo, subprograms,
    };

    function resolveInsn(index: number, fn: ObjFunction, d: DecodedSection): void {
      const insn = insns[index];
      const origin = origins[index];
      const rel = d.relocs.get(origin.byteOffset);
      const sym = rel ? elf.symbols[rel.symbol] : undefined;
      const relInfo = rel ? { elf: { section: d.section.name, offset: rel.offset, type: rel.type, typeName: R_BPF_NAMES[rel.type] ?? `R_BPF_${rel.type}` } } : {};
      const where = at(d.section.name, origin.byteOffset);
      const isCall = insn.form.kind === 'call';
      const isLocalCall = isCall && insn.src === CALL_PSEUDO.CALL;

      if (rel && sym && rel.type === R_BPF.NONE) return;
      if (isCall && rel && sym && !isLocalCall) {
        if (sym.shndx === SHN_UNDEF && insn.src === CALL_PSEUDO.KFUNC_CALL) {
          relocations.push({ kind: 'extern', index, pc: pcs[index], symbol: sym.name, ...relInfo });
          diagnostics.push(warning('obj.reloc.extern', `prog '${entry.name}': call to extern kfunc '${sym.name}' needs kernel BTF to resolve`, where));
          return;
        }
        diagnostics.push(error('obj.reloc.bad-call', `prog '${entry.name}': incorrect bpf_call opcode`, where));
        return;
      }
      if (isLocalCall) {
        // Callee slot: relative to the symbol for relocated calls (libbpf: sym_off / 8 + imm + 1),
        // relative to the call itself for calls LLVM resolved inside one section.
        let targetSection: DecodedSection | undefined = d;
        let targetSlot: number;
        if (rel && sym) {
          if (sym.shndx === SHN_UNDEF) {
            relocations.push({ kind: 'extern', index, pc: pcs[index], symbol: sym.name, ...relInfo });
            diagnostics.push(error('obj.reloc.extern-call', `prog '${entry.name}': call to undefined function '${sym.name}'`, where));
            return;
          }
          targetSection = decoded.get(sym.shndx);
          if (!targetSection || sym.value % 8 !== 0) {
            diagnostics.push(error('obj.reloc.bad-call', `prog '${entry.name}': bad call relo against '${sym.name}' in section '${elf.sections[sym.shndx]?.name ?? `#${sym.shndx}`}'`, where));
            return;
          }
          targetSlot = sym.value / 8 + insn.imm + 1;
        } else {
          targetSlot = origin.byteOffset / 8 + insn.imm + 1;
        }
        const target = placeFunction(targetSection, targetSlot, where);
        if (target === undefined) return;
        const imm = target.pc - pcs[index] - 1;
        insns[index] = { ...insn, imm };
        relocations.push({ kind: 'call', index, pc: pcs[index], symbol: sym?.name ?? target.name, callee: target.name, target: target.pc, ...relInfo });
        return;
      }
      if (!rel || !sym) return;
      if (insn.form.kind !== 'lddw') {
        diagnostics.push(error('obj.reloc.bad-insn', `prog '${entry.name}': invalid relo for insns[${pcs[index]}].code 0x${insn.code.toString(16)}`, where));
        return;
      }
      if (sym.shndx === SHN_UNDEF) {
        relocations.push({ kind: 'extern', index, pc: pcs[index], symbol: sym.name, ...relInfo });
        diagnostics.push(warning('obj.reloc.extern', `prog '${entry.name}': extern '${sym.name}' (ksym/kconfig) is not resolved by this loader`, where));
        return;
      }
      const symSection = elf.sections[sym.shndx];
      if (!symSection) {
        diagnostics.push(error('obj.reloc.bad-symbol', `prog '${entry.name}': relocation against '${sym.name}' in missing section #${sym.shndx}`, where));
        return;
      }
      const code = decoded.get(sym.shndx);
      if (code && (sym.type === STT.FUNC || sym.type === STT.SECTION)) {
        // Address of a subprogram (callbacks): libbpf RELO_SUBPROG_ADDR, byte offset sym + imm.
        const off = sym.value + insn.imm;
        if (off % 8 !== 0) {
          diagnostics.push(error('obj.reloc.bad-func-addr', `prog '${entry.name}': function address ${off} of '${sym.name}' is not instruction-aligned`, where));
          return;
        }
        const target = placeFunction(code, off / 8, where);
        if (target === undefined) return;
        insns[index] = withForm(insn, 'lddw_func', target.pc - pcs[index] - 1, 0);
        relocations.push({ kind: 'func-addr', index, pc: pcs[index], symbol: sym.name, callee: target.name, target: target.pc, ...relInfo });
        return;
      }
      if (symSection.name === '.maps' || symSection.name === 'maps') {
        const m = mapAt.get(`${sym.shndx}:${sym.value}`) ?? -1;
        if (m < 0) {
          diagnostics.push(error('obj.reloc.no-map', `prog '${entry.name}': map relo failed to find map for section '${symSection.name}', off ${sym.value}`, where));
          return;
        }
        insns[index] = withForm(insn, 'lddw_map_fd', m, 0);
        relocations.push({ kind: 'map', index, pc: pcs[index], symbol: sym.name, map: m, ...relInfo });
        return;
      }
      if (dataSectionKind(symSection)) {
        const m = dataMapOf.get(sym.shndx) ?? -1;
        const offset = insn.imm + sym.value;
        if (m < 0 || offset < 0 || offset > maps[m].valueSize) {
          diagnostics.push(error('obj.reloc.bad-data', `prog '${entry.name}': bad data relo against section '${symSection.name}' at offset ${offset}`, where));
          return;
        }
        insns[index] = withForm(insn, 'lddw_map_value', m, offset);
        relocations.push({ kind: 'map-value', index, pc: pcs[index], symbol: sym.name, map: m, offset, ...relInfo });
        return;
      }
      diagnostics.push(error('obj.reloc.bad-map', `prog '${entry.name}': bad map relo against '${sym.name}' in section '${symSection.name}'`, where));
    }

    function placeFunction(d: DecodedSection, slot: number, where: ReturnType<typeof at>): { pc: number; name: string } | undefined {
      const fn = functionAt(d.funcs, slot);
      if (!fn || !Number.isInteger(slot) || d.slotToInsn[slot] === undefined || d.slotToInsn[slot] < 0) {
        diagnostics.push(error('obj.link.bad-target', `prog '${entry.name}': call target at instruction ${slot} of ${d.section.name} is not the start of an instruction in a function`, where));
        return undefined;
      }
      // The callee may be entered mid-function; its pc comes from the function's own slot map.
      const pc = append(fn, d)[slot - fn.slot];
      if (pc < 0) {
        diagnostics.push(error('obj.link.bad-target', `prog '${entry.name}': call target at instruction ${slot} of ${d.section.name} is not the start of an instruction in a function`, where));
        return undefined;
      }
      return { pc, name: fn.name };
    }
  }

  function lineFor(d: DecodedSection, fn: ObjFunction, byteOffset: number): SourceLocation | undefined {
    if (d.lines.length === 0) return undefined;
    // Last line_info record at or before the instruction, within the same function (as the kernel does).
    let a = 0, b = d.lines.length - 1, best = -1;
    while (a <= b) {
      const mid = (a + b) >> 1;
      if (d.lines[mid].insnOff <= byteOffset) { best = mid; a = mid + 1; } else b = mid - 1;
    }
    if (best < 0 || d.lines[best].insnOff < fn.slot * 8) return undefined;
    const r = d.lines[best];
    return { file: r.file, line: r.line, column: r.column, text: r.text };
  }
}

function withForm(insn: Insn, formId: string, imm: number, imm2: number): Insn {
  const form = formById(formId);
  return { form, code: form.code, dst: insn.dst, src: form.src as number, off: insn.off, imm, imm2 };
}

/** Index of the first record (sorted by insnOff) with insnOff >= off. */
function firstLineAtOrAfter(lines: readonly LineInfoRecord[], off: number): number {
  let a = 0, b = lines.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (lines[mid].insnOff < off) a = mid + 1; else b = mid;
  }
  return a;
}

/** The function whose range holds `slot` (the last one starting at or before it). */
function functionAt(funcs: readonly ObjFunction[], slot: number): ObjFunction | undefined {
  let a = 0, b = funcs.length - 1, best: ObjFunction | undefined;
  while (a <= b) {
    const mid = (a + b) >> 1;
    if (funcs[mid].slot <= slot) { best = funcs[mid]; a = mid + 1; } else b = mid - 1;
  }
  return best && slot < best.slot + best.slots ? best : undefined;
}

/** FUNC symbols of an executable section, as libbpf's bpf_object__add_programs finds them. */
function sectionFunctions(elf: ElfFile, s: ElfSection, nslots: number, subprogram: boolean, diagnostics: Diagnostic[], file?: string): ObjFunction[] {
  const at = (byteOffset: number) => ({ ...(file !== undefined ? { file } : {}), section: s.name, byteOffset });
  const syms = elfIndex(elf).symbolsIn(s.index).filter((y) => y.type === STT.FUNC).sort((a, b) => a.value - b.value);
  const funcs: ObjFunction[] = [];
  const make = (name: string, slot: number, slots: number, sym?: ElfSymbol): ObjFunction => ({
    name, section: s.name, sectionIndex: s.index, slot, slots, global: sym ? sym.bind !== STB.LOCAL : true, subprogram,
  });
  if (syms.length === 0) {
    // Hand-written or stripped code: one program spanning the section, named after it.
    if (!subprogram) diagnostics.push(warning('obj.prog.no-symbol', `section ${s.name} has code but no function symbol; treating the whole section as one program`, at(0)));
    funcs.push(make(s.name, 0, nslots));
    return funcs;
  }
  // nextStart[i]: the first symbol value after syms[i].value (computed backwards, linear time).
  const nextStart: number[] = new Array<number>(syms.length);
  for (let i = syms.length - 1; i >= 0; i--) {
    const after = i + 1 < syms.length ? syms[i + 1] : undefined;
    nextStart[i] = after === undefined ? Infinity : after.value > syms[i].value ? after.value : nextStart[i + 1];
  }
  const seen = new Set<number>();
  syms.forEach((sym, i) => {
    if (sym.value % 8 !== 0 || sym.size % 8 !== 0) {
      diagnostics.push(error('obj.prog.misaligned', `sec '${s.name}': program '${sym.name}' at offset ${sym.value} (size ${sym.size}) is not instruction-aligned`, at(Math.min(sym.value, s.data.byteLength))));
      return;
    }
    const slot = sym.value / 8;
    let slots = sym.size / 8;
    if (slot >= nslots) {
      diagnostics.push(error('obj.prog.range', `sec '${s.name}': program '${sym.name}' at offset ${sym.value} crosses section boundary`, at(s.data.byteLength)));
      return;
    }
    if (slots === 0) {
      // Assembler-made symbols often have no size: run to the next function or the section end.
      const next = nextStart[i];
      slots = (Number.isFinite(next) && next % 8 === 0 ? Math.min(next / 8, nslots) : nslots) - slot;
      diagnostics.push(warning('obj.prog.zero-size', `sec '${s.name}': program '${sym.name}' has size 0; assuming ${slots} instructions`, at(sym.value)));
    }
    if (slot + slots > nslots) {
      diagnostics.push(error('obj.prog.range', `sec '${s.name}': program '${sym.name}' at offset ${sym.value} crosses section boundary`, at(sym.value)));
      slots = nslots - slot;
    }
    if (seen.has(slot)) return; // aliases of one function
    seen.add(slot);
    funcs.push(make(sym.name, slot, slots, sym));
  });
  return funcs;
}
