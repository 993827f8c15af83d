// ELF64 BPF object writer: linked programs, legacy map definitions, global data sections, license
// and version, with R_BPF_64_64 relocations where the program loads a map or data address.
// Enough for llvm-objdump/llvm-readelf and for loadObject to read back; it writes no BTF.
import { encode, formById, type Insn } from '../isa';
import { EM_BPF, ET_REL, R_BPF, SHF, SHT, STB, STT } from './elf';
import type { BpfObject, ObjRelocation } from './object';

export interface WriteProgram {
  readonly name: string;
  /** SEC() name; programs sharing one are laid out one after another in that section. */
  readonly section: string;
  readonly insns: readonly Insn[];
  /** map / map-value relocations by instruction index (imm = map index, imm2 = offset, as loadObject leaves them). */
  readonly relocations?: readonly Pick<ObjRelocation, 'kind' | 'index' | 'map' | 'offset'>[];
}

export interface WriteMap {
  readonly name: string;
  /** "legacy" maps go to the `maps` section as struct bpf_map_def; "data" maps become their own section. */
  readonly origin: 'legacy' | 'btf' | 'data';
  readonly section?: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly initialData?: Uint8Array;
}

export interface WriteObjectInput {
  readonly programs: readonly WriteProgram[];
  readonly maps?: readonly WriteMap[];
  readonly license?: string;
  readonly kernVersion?: number;
}

/** The writer's input for a loaded object: BTF maps are written as legacy definitions (no BTF is written). */
export function writeInputOf(obj: BpfObject): WriteObjectInput {
  return {
    programs: obj.programs.map((p) => ({ name: p.name, section: p.section, insns: p.insns, relocations: p.relocations })),
    maps: obj.maps.map((m) => ({ name: m.name, origin: m.origin, section: m.section, type: m.type.id, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, ...(m.initialData ? { initialData: m.initialData } : {}) })),
    ...(obj.license !== undefined ? { license: obj.license } : {}),
    ...(obj.kernVersion !== undefined ? { kernVersion: obj.kernVersion } : {}),
  };
}

interface OutSection { name: string; type: number; flags: number; data: Uint8Array; size?: number; link?: number; info?: number; align: number; entsize?: number }
interface OutSymbol { name: string; value: number; size: number; type: number; bind: number; shndx: number }

const MAP_DEF_SIZE = 20;
const LDDW = formById('lddw');
const SHF_INFO_LINK = 0x40;

export function writeObject(input: WriteObjectInput): Uint8Array {
  const sections: OutSection[] = [{ name: '', type: SHT.NULL, flags: 0, data: new Uint8Array(0), align: 0 }];
  const locals: OutSymbol[] = [];
  const globals: OutSymbol[] = [];
  const add = (s: OutSection): number => sections.push(s) - 1;

  // Maps: legacy and BTF definitions as struct bpf_map_def in "maps"; data maps as their own sections.
  const maps = input.maps ?? [];
  const defMaps = maps.map((m, i) => ({ m, i })).filter(({ m }) => m.origin !== 'data');
  const mapSymbol = new Map<number, number>(); // map index -> global symbol index (resolved later)
  const dataSection = new Map<number, number>(); // map index -> section index
  if (defMaps.length) {
    const data = new Uint8Array(defMaps.length * MAP_DEF_SIZE);
    const v = new DataView(data.buffer);
    defMaps.forEach(({ m }, k) => [m.type, m.keySize, m.valueSize, m.maxEntries, m.flags].forEach((x, j) => v.setUint32(k * MAP_DEF_SIZE + 4 * j, x >>> 0, true)));
    const shndx = add({ name: 'maps', type: SHT.PROGBITS, flags: SHF.WRITE | SHF.ALLOC, data, align: 4 });
    defMaps.forEach(({ m, i }, k) => {
      mapSymbol.set(i, globals.length);
      globals.push({ name: m.name, value: k * MAP_DEF_SIZE, size: MAP_DEF_SIZE, type: STT.OBJECT, bind: STB.GLOBAL, shndx });
    });
  }
  maps.forEach((m, i) => {
    if (m.origin !== 'data') return;
    const name = m.section ?? m.name;
    const bss = name === '.bss' || name.startsWith('.bss.');
    const shndx = add({ name, type: bss ? SHT.NOBITS : SHT.PROGBITS, flags: SHF.ALLOC | (name.startsWith('.rodata') ? 0 : SHF.WRITE), data: bss ? new Uint8Array(0) : (m.initialData ?? new Uint8Array(m.valueSize)), size: m.valueSize, align: 8 });
    dataSection.set(i, shndx);
    locals.push({ name: '', value: 0, size: 0, type: STT.SECTION, bind: STB.LOCAL, shndx });
  });

  // Programs, grouped by section in first-seen order.
  const bySection = new Map<string, WriteProgram[]>();
  for (const p of input.programs) bySection.set(p.section, [...(bySection.get(p.section) ?? []), p]);
  const relocSections: Array<{ target: number; entries: Array<{ offset: number; map: number }> }> = [];
  for (const [name, progs] of bySection) {
    const chunks: Uint8Array[] = [];
    const entries: Array<{ offset: number; map: number }> = [];
    let at = 0;
    const shndx = sections.length;
    for (const p of progs) {
      const insns = p.insns.slice();
      const slotOf: number[] = [];
      let slot = 0;
      for (const insn of insns) {
        slotOf.push(slot);
        slot += insn.form.kind === 'lddw' ? 2 : 1;
      }
      for (const r of p.relocations ?? []) {
        if ((r.kind !== 'map' && r.kind !== 'map-value') || r.map === undefined) continue;
        const insn = insns[r.index];
        // Back to what LLVM emits: a plain lddw whose imm is the offset, resolved by the relocation.
        insns[r.index] = { ...insn, form: LDDW, code: LDDW.code, src: 0, imm: r.kind === 'map-value' ? (r.offset ?? 0) : 0, imm2: 0 };
        entries.push({ offset: at + slotOf[r.index] * 8, map: r.map });
      }
      const bytes = encode(insns);
      globals.push({ name: p.name, value: at, size: bytes.length, type: STT.FUNC, bind: STB.GLOBAL, shndx });
      chunks.push(bytes);
      at += bytes.length;
    }
    const data = new Uint8Array(at);
    let o = 0;
    for (const c of chunks) { data.set(c, o); o += c.length; }
    add({ name, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data, align: 8 });
    if (entries.length) relocSections.push({ target: shndx, entries });
  }

  if (input.license !== undefined) {
    const data = new TextEncoder().encode(`${input.license}\0`);
    const shndx = add({ name: 'license', type: SHT.PROGBITS, flags: SHF.WRITE | SHF.ALLOC, data, align: 1 });
    globals.push({ name: '_license', value: 0, size: data.length, type: STT.OBJECT, bind: STB.GLOBAL, shndx });
  }
  if (input.kernVersion !== undefined) {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, input.kernVersion >>> 0, true);
    const shndx = add({ name: 'version', type: SHT.PROGBITS, flags: SHF.WRITE | SHF.ALLOC, data, align: 4 });
    globals.push({ name: '_version', value: 0, size: 4, type: STT.OBJECT, bind: STB.GLOBAL, shndx });
  }

  // Symbol table: null, locals, then globals (sh_info = first global).
  const symbols: OutSymbol[] = [{ name: '', value: 0, size: 0, type: 0, bind: 0, shndx: 0 }, ...locals, ...globals];
  const firstGlobal = 1 + locals.length;
  const symtabIndex = sections.length + relocSections.length;
  for (const rs of relocSections) {
    const data = new Uint8Array(rs.entries.length * 16);
    const v = new DataView(data.buffer);
    rs.entries.forEach((e, k) => {
      const sym = mapSymbol.has(e.map) ? firstGlobal + mapSymbol.get(e.map)! : 1 + locals.findIndex((l) => l.shndx === dataSection.get(e.map));
      v.setBigUint64(16 * k, BigInt(e.offset), true);
      v.setBigUint64(16 * k + 8, (BigInt(sym) << 32n) | BigInt(R_BPF.R64_64), true);
    });
    add({ name: `.rel${sections[rs.target].name}`, type: SHT.REL, flags: SHF_INFO_LINK, data, link: symtabIndex, info: rs.target, align: 8, entsize: 16 });
  }

  // One string table for section and symbol names, as LLVM writes it.
  const strings: number[] = [0];
  const strOff = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    const known = strOff.get(s);
    if (known !== undefined) return known;
    const off = strings.length;
    strings.push(...new TextEncoder().encode(s), 0);
    strOff.set(s, off);
    return off;
  };
  const symtab = new Uint8Array(symbols.length * 24);
  const sv = new DataView(symtab.buffer);
  symbols.forEach((s, k) => {
    sv.setUint32(24 * k, str(s.name), true);
    sv.setUint8(24 * k + 4, (s.bind << 4) | s.type);
    sv.setUint16(24 * k + 6, s.shndx, true);
    sv.setBigUint64(24 * k + 8, BigInt(s.value), true);
    sv.setBigUint64(24 * k + 16, BigInt(s.size), true);
  });
  add({ name: '.symtab', type: SHT.SYMTAB, flags: 0, data: symtab, link: sections.length + 1, info: firstGlobal, align: 8, entsize: 24 });
  const strtabIndex = sections.length;
  for (const s of sections) str(s.name);
  str('.strtab');
  add({ name: '.strtab', type: SHT.STRTAB, flags: 0, data: Uint8Array.from(strings), align: 1 });

  // Layout: header, section contents (aligned), section header table.
  let off = 64;
  const offsets = sections.map((s) => {
    if (s.type === SHT.NULL) return 0;
    const a = Math.max(1, s.align);
    off = Math.ceil(off / a) * a;
    const at = off;
    if (s.type !== SHT.NOBITS) off += s.data.length;
    return at;
  });
  const shoff = Math.ceil(off / 8) * 8;
  const out = new Uint8Array(shoff + sections.length * 64);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, ET_REL, true);
  v.setUint16(18, EM_BPF, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, 64, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, sections.length, true);
  v.setUint16(62, strtabIndex, true);
  sections.forEach((s, k) => {
    if (s.type !== SHT.NOBITS) out.set(s.data, offsets[k]);
    const h = shoff + 64 * k;
    v.setUint32(h, str(s.name), true);
    v.setUint32(h + 4, s.type, true);
    v.setBigUint64(h + 8, BigInt(s.flags), true);
    v.setBigUint64(h + 24, BigInt(offsets[k]), true);
    v.setBigUint64(h + 32, BigInt(s.size ?? s.data.length), true);
    v.setUint32(h + 40, s.link ?? 0, true);
    v.setUint32(h + 44, s.info ?? 0, true);
    v.setBigUint64(h + 48, BigInt(s.align), true);
    v.setBigUint64(h + 56, BigInt(s.entsize ?? 0), true);
  });
  return out;
}
