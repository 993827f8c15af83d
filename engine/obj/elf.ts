// ELF64 little-endian reader for BPF relocatable objects: header, sections, symbols, relocations.
// Every offset and count in the file is checked against the input before use, so a hostile file
// yields diagnostics naming the part and byte offset, never an exception or a runaway loop.
import { error, warning, type Diagnostic } from '../isa';

/*
 * ELF64 header (64 bytes), the fields this reader uses:
 *
 *   0  e_ident[16]  7f 'E' 'L' 'F' | class (2 = 64-bit) | data (1 = LE) | version | ...
 *  16  e_type u16 (1 = ET_REL)   18  e_machine u16 (247 = EM_BPF)   20  e_version u32
 *  40  e_shoff u64               58  e_shentsize u16 (64)          60  e_shnum u16   62  e_shstrndx u16
 *
 * Section header (64 bytes): name u32, type u32, flags u64, addr u64, offset u64, size u64,
 *                            link u32, info u32, addralign u64, entsize u64.
 * Symbol (24 bytes):         name u32, info u8 (bind << 4 | type), other u8, shndx u16, value u64, size u64.
 * Rel (16 bytes):            offset u64, info u64 (symbol << 32 | type); Rela adds addend s64.
 */

export const EM_BPF = 247;
export const ET_REL = 1;
export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

/** BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def). */
export const R_BPF = { NONE: 0, R64_64: 1, ABS64: 2, ABS32: 3, NODYLD32: 4, R64_32: 10 } as const;
export const R_BPF_NAMES: Readonly<Record<number, string>> = {
  0: 'R_BPF_NONE', 1: 'R_BPF_64_64', 2: 'R_BPF_64_ABS64', 3: 'R_BPF_64_ABS32', 4: 'R_BPF_64_NODYLD32', 10: 'R_BPF_64_32',
};

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;
const RELA_SIZE = 24;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** File offset of the section's contents. */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The contents; empty for SHT_NOBITS and for sections whose range lies outside the file. */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  readonly visibility: number;
  /** Section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  readonly shndx: number;
}

export interface ElfRelocation {
  /** Byte offset within the target section. */
  readonly offset: number;
  /** R_BPF_* */
  readonly type: number;
  /** Symbol table index. */
  readonly symbol: number;
  readonly addend?: number;
}

export interface ElfRelocationSection {
  /** The SHT_REL/SHT_RELA section. */
  readonly section: ElfSection;
  /** Index of the section the relocations apply to (sh_info). */
  readonly target: number;
  readonly entries: ElfRelocation[];
}

export interface ElfFile {
  readonly type: number;
  readonly machine: number;
  readonly sections: ElfSection[];
  readonly symbols: ElfSymbol[];
  readonly relocations: ElfRelocationSection[];
}

export interface ElfResult {
  readonly elf?: ElfFile;
  readonly diagnostics: Diagnostic[];
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** A bounds-checked view; every read outside the bytes returns undefined instead of throwing. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fits(at: number, len: number): boolean {
    return Number.isSafeInteger(at) && Number.isSafeInteger(len) && at >= 0 && len >= 0 && at + len <= this.bytes.byteLength;
  }
  u8(at: number): number {
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  /** u64 as a number; values above 2^53 saturate at MAX_SAFE_INTEGER, which every range check rejects. */
  u64(at: number): number {
    const v = this.view.getBigUint64(at, true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  s64(at: number): number {
    return Number(this.view.getBigInt64(at, true));
  }
}

/** The NUL-terminated string at `off` in a string table, or undefined when it runs off the end. */
export function readCString(table: Uint8Array, off: number): string | undefined {
  if (!Number.isSafeInteger(off) || off < 0 || off >= table.byteLength) return undefined;
  const end = table.indexOf(0, off);
  if (end < 0) return undefined;
  return UTF8.decode(table.subarray(off, end));
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

export function decodeElf(bytes: Uint8Array, file?: string): ElfResult {
  const diagnostics: Diagnostic[] = [];
  const f = file !== undefined ? { file } : {};
  const hdr = (byteOffset: number) => ({ ...f, section: 'ELF header', byteOffset });
  const r = new Reader(bytes);

  if (!r.fits(0, 4) || r.u8(0) !== 0x7f || r.u8(1) !== 0x45 || r.u8(2) !== 0x4c || r.u8(3) !== 0x46) {
    diagnostics.push(error('obj.elf.bad-magic', 'not an ELF file (missing \\x7fELF magic)', hdr(0)));
    return { diagnostics };
  }
  if (!r.fits(0, EHDR_SIZE)) {
    diagnostics.push(error('obj.elf.truncated', `file is ${bytes.byteLength} bytes, shorter than the 64-byte ELF64 header`, hdr(bytes.byteLength)));
    return { diagnostics };
  }
  if (r.u8(4) !== 2) {
    diagnostics.push(error('obj.elf.bad-class', `ELF class ${r.u8(4)} is not ELFCLASS64 (2): BPF objects are 64-bit`, hdr(4)));
    return { diagnostics };
  }
  if (r.u8(5) !== 1) {
    diagnostics.push(error('obj.elf.bad-endian', `ELF data encoding ${r.u8(5)} is not little-endian (1); big-endian BPF objects are not supported`, hdr(5)));
    return { diagnostics };
  }
  const type = r.u16(16);
  const machine = r.u16(18);
  if (machine !== EM_BPF) {
    diagnostics.push(error('obj.elf.bad-machine', `ELF machine ${machine} is not EM_BPF (247)`, hdr(18)));
    return { diagnostics };
  }
  if (type !== ET_REL) diagnostics.push(warning('obj.elf.not-relocatable', `ELF type ${type} is not ET_REL (1); loading it as a relocatable object`, hdr(16)));

  const shoff = r.u64(40);
  const shentsize = r.u16(58);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);
  if (shoff === 0) {
    diagnostics.push(error('obj.elf.no-sections', 'the ELF file has no section header table', hdr(40)));
    return { diagnostics };
  }
  if (shentsize !== SHDR_SIZE) {
    diagnostics.push(error('obj.elf.bad-shentsize', `section header size ${shentsize} is not 64`, hdr(58)));
    return { diagnostics };
  }
  if (!r.fits(shoff, SHDR_SIZE)) {
    diagnostics.push(error('obj.elf.section-headers-range', `section header table at 0x${shoff.toString(16)} lies outside the ${bytes.byteLength}-byte file`, hdr(40)));
    return { diagnostics };
  }
  // Extended numbering: counts that do not fit in 16 bits live in section header 0.
  if (shnum === 0) shnum = Math.min(r.u64(shoff + 32), Math.floor((bytes.byteLength - shoff) / SHDR_SIZE) + 1);
  if (shstrndx === 0xffff) shstrndx = r.u32(shoff + 40);
  if (!r.fits(shoff, shnum * SHDR_SIZE)) {
    const fit = Math.floor((bytes.byteLength - shoff) / SHDR_SIZE);
    diagnostics.push(error('obj.elf.section-headers-range', `section header table (${shnum} entries at 0x${shoff.toString(16)}) runs past the end of the file; reading ${fit}`, hdr(60)));
    shnum = fit;
  }

  interface RawShdr { name: number; type: number; flags: number; offset: number; size: number; link: number; info: number; addralign: number; entsize: number }
  const raws: RawShdr[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    raws.push({
      name: r.u32(at), type: r.u32(at + 4), flags: Number(r.u64(at + 8)) >>> 0, offset: r.u64(at + 24), size: r.u64(at + 32),
      link: r.u32(at + 40), info: r.u32(at + 44), addralign: r.u64(at + 48), entsize: r.u64(at + 56),
    });
  }
  const contents = (s: RawShdr): Uint8Array | undefined => (s.type === SHT.NOBITS ? EMPTY : r.fits(s.offset, s.size) ? bytes.subarray(s.offset, s.offset + s.size) : undefined);

  let shstrtab: Uint8Array = EMPTY;
  if (shstrndx >= raws.length || raws[shstrndx].type !== SHT.STRTAB) {
    diagnostics.push(error('obj.elf.bad-shstrndx', `section name table index ${shstrndx} is not a string table`, hdr(62)));
  } else {
    const c = contents(raws[shstrndx]);
    if (c) shstrtab = c;
    else diagnostics.push(error('obj.elf.section-range', `section name table contents (0x${raws[shstrndx].offset.toString(16)}, ${raws[shstrndx].size} bytes) lie outside the file`, { ...f, section: `section #${shstrndx}`, byteOffset: 0 }));
  }

  const sections: ElfSection[] = raws.map((s, index) => {
    let name = index === 0 ? '' : readCString(shstrtab, s.name);
    if (name === undefined) {
      diagnostics.push(error('obj.elf.string-range', `section #${index}: name offset ${s.name} is outside the section name table`, { ...f, section: `section #${index}`, byteOffset: 0 }));
      name = `section #${index}`;
    }
    let data = contents(s);
    if (!data) {
      if (s.type !== SHT.NULL) diagnostics.push(error('obj.elf.section-range', `section ${name}: contents at 0x${s.offset.toString(16)} (${s.size} bytes) lie outside the ${bytes.byteLength}-byte file`, { ...f, section: name, byteOffset: 0 }));
      data = EMPTY;
    }
    return { index, name, type: s.type, flags: s.flags, offset: s.offset, size: s.size, link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize, data };
  });

  const symbols = decodeSymbols(sections, diagnostics, f);
  const relocations = decodeRelocations(sections, symbols.length, diagnostics, f);
  return { elf: { type, machine, sections, symbols, relocations }, diagnostics };
}

function decodeSymbols(sections: ElfSection[], diagnostics: Diagnostic[], f: { file?: string }): ElfSymbol[] {
  const symtabs = sections.filter((s) => s.type === SHT.SYMTAB);
  if (symtabs.length === 0) return [];
  if (symtabs.length > 1) diagnostics.push(warning('obj.elf.many-symtabs', `${symtabs.length} symbol tables; using the first (${symtabs[0].name})`, { ...f, section: symtabs[1].name, byteOffset: 0 }));
  const symtab = symtabs[0];
  const strtab = symtab.link < sections.length && sections[symtab.link].type === SHT.STRTAB ? sections[symtab.link].data : undefined;
  if (!strtab) diagnostics.push(error('obj.elf.bad-strtab', `symbol table ${symtab.name} links to section #${symtab.link}, which is not a string table`, { ...f, section: symtab.name, byteOffset: 0 }));
  if (symtab.data.byteLength % SYM_SIZE !== 0) diagnostics.push(warning('obj.elf.symtab-size', `symbol table size ${symtab.data.byteLength} is not a multiple of ${SYM_SIZE}`, { ...f, section: symtab.name, byteOffset: symtab.data.byteLength - (symtab.data.byteLength % SYM_SIZE) }));
  const r = new Reader(symtab.data);
  const n = Math.floor(symtab.data.byteLength / SYM_SIZE);
  const symbols: ElfSymbol[] = [];
  for (let index = 0; index < n; index++) {
    const at = index * SYM_SIZE;
    const nameOff = r.u32(at);
    const info = r.u8(at + 4);
    const shndx = r.u16(at + 6);
    let name = index === 0 ? '' : strtab ? readCString(strtab, nameOff) : '';
    if (name === undefined) {
      diagnostics.push(error('obj.elf.string-range', `symbol #${index}: name offset ${nameOff} is outside the string table`, { ...f, section: symtab.name, byteOffset: at }));
      name = `symbol #${index}`;
    }
    // Section symbols have no name of their own; readelf and objdump show the section's name.
    if (name === '' && (info & 0xf) === STT.SECTION && shndx > 0 && shndx < sections.length) name = sections[shndx].name;
    const sym: ElfSymbol = { index, name, value: r.u64(at + 8), size: r.u64(at + 16), type: info & 0xf, bind: info >> 4, visibility: r.u8(at + 5) & 3, shndx };
    if (shndx !== SHN_UNDEF && shndx < 0xff00 && shndx >= sections.length) {
      diagnostics.push(error('obj.elf.symbol-section', `symbol ${name} refers to section #${shndx}, but there are ${sections.length} sections`, { ...f, section: symtab.name, byteOffset: at + 6 }));
    }
    symbols.push(sym);
  }
  return symbols;
}

function decodeRelocations(sections: ElfSection[], nsyms: number, diagnostics: Diagnostic[], f: { file?: string }): ElfRelocationSection[] {
  const out: ElfRelocationSection[] = [];
  for (const section of sections) {
    if (section.type !== SHT.REL && section.type !== SHT.RELA) continue;
    const rela = section.type === SHT.RELA;
    const size = rela ? RELA_SIZE : REL_SIZE;
    const where = (byteOffset: number) => ({ ...f, section: section.name, byteOffset });
    if (section.info >= sections.length || section.info === 0) {
      diagnostics.push(error('obj.reloc.bad-target', `relocation section ${section.name} applies to section #${section.info}, which does not exist`, where(0)));
      continue;
    }
    if (section.data.byteLength % size !== 0) diagnostics.push(warning('obj.reloc.size', `relocation section size ${section.data.byteLength} is not a multiple of ${size}`, where(section.data.byteLength - (section.data.byteLength % size))));
    const r = new Reader(section.data);
    const entries: ElfRelocation[] = [];
    const n = Math.floor(section.data.byteLength / size);
    for (let i = 0; i < n; i++) {
      const at = i * size;
      const symbol = r.u32(at + 12);
      const entry: ElfRelocation = { offset: r.u64(at), type: r.u32(at + 8), symbol, ...(rela ? { addend: r.s64(at + 16) } : {}) };
      if (symbol >= nsyms) {
        diagnostics.push(error('obj.reloc.bad-symbol', `relocation #${i} refers to symbol #${symbol}, but the symbol table has ${nsyms} entries`, where(at + 12)));
        continue;
      }
      entries.push(entry);
    }
    out.push({ section, target: section.info, entries });
  }
  return out;
}

/** Lookups over an ElfFile built once, so no loader step is quadratic in attacker-chosen counts. */
export interface ElfIndex {
  /** Symbols by section index, in symbol table order. */
  readonly symbolsIn: (shndx: number) => readonly ElfSymbol[];
  /** The first non-section symbol with this name in this section. */
  readonly symbolNamed: (shndx: number, name: string) => ElfSymbol | undefined;
  /** The first section with this name. */
  readonly section: (name: string) => ElfSection | undefined;
}

const INDEXES = new WeakMap<ElfFile, ElfIndex>();

export function elfIndex(elf: ElfFile): ElfIndex {
  const known = INDEXES.get(elf);
  if (known) return known;
  const bySection = new Map<number, ElfSymbol[]>();
  const byName = new Map<string, ElfSymbol>();
  for (const s of elf.symbols) {
    const list = bySection.get(s.shndx);
    if (list) list.push(s);
    else bySection.set(s.shndx, [s]);
    const key = `${s.shndx}\u0000${s.name}`;
    if (s.type !== STT.SECTION && !byName.has(key)) byName.set(key, s);
  }
  const sections = new Map<string, ElfSection>();
  for (const s of elf.sections) if (!sections.has(s.name)) sections.set(s.name, s);
  const index: ElfIndex = {
    symbolsIn: (shndx) => bySection.get(shndx) ?? [],
    symbolNamed: (shndx, name) => byName.get(`${shndx}\u0000${name}`),
    section: (name) => sections.get(name),
  };
  INDEXES.set(elf, index);
  return index;
}
