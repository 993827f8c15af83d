// Map definitions of a BPF object: BTF-defined maps in ".maps", legacy struct bpf_map_def in
// "maps", and global data sections (.data*, .rodata*, .bss*) as single-entry array maps.
import { error, warning, type Diagnostic } from '../isa';
import { BTF_KIND, BTF_LINKAGE, type Btf, type BtfType } from './btf';
import { elfIndex, SHT, STT, type ElfFile, type ElfSection } from './elf';
import { mapType, type KernelEnum } from './sec-defs';

export type MapOrigin = 'btf' | 'legacy' | 'data';

export interface ObjMap {
  /** Variable name for .maps/maps definitions; the ELF section name (".rodata") for global data. */
  readonly name: string;
  /** The name libbpf gives the kernel map (at most 15 characters). */
  readonly kernelName: string;
  readonly origin: MapOrigin;
  /** ELF section holding the definition or the data, and the definition's offset in it. */
  readonly section: string;
  readonly sectionIndex: number;
  readonly sectionOffset: number;
  readonly type: KernelEnum;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_* map_flags. */
  readonly flags: number;
  readonly numaNode?: number;
  readonly mapExtra?: number;
  readonly pinning?: number;
  /** Global data maps: the section contents (zeros for .bss), valueSize bytes. */
  readonly initialData?: Uint8Array;
  /** BTF ids and C spellings of key and value types, where BTF says. */
  readonly btfKeyTypeId?: number;
  readonly btfValueTypeId?: number;
  readonly keyType?: string;
  readonly valueType?: string;
}

/** BPF_F_RDONLY_PROG and BPF_F_MMAPABLE, which libbpf sets on global data maps. */
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_MMAPABLE = 1 << 10;
const BPF_OBJ_NAME_LEN = 16;
/** Largest global data section accepted (the kernel's own value_size limit for arrays is lower still). */
const MAX_DATA_SIZE = 1 << 26;

export type DataSectionKind = 'data' | 'rodata' | 'bss';

/** Which global-data map a section becomes, following libbpf's section naming rules. */
export function dataSectionKind(s: ElfSection): DataSectionKind | undefined {
  const is = (base: string) => s.name === base || s.name.startsWith(base + '.');
  if (s.type === SHT.PROGBITS && s.size > 0 && is('.data')) return 'data';
  if (s.type === SHT.PROGBITS && s.size > 0 && is('.rodata')) return 'rodata';
  if (s.type === SHT.NOBITS && s.size > 0 && is('.bss')) return 'bss';
  return undefined;
}

/** libbpf's object name: the file's base name up to its first dot, at most 15 characters. */
export function objectName(file: string | undefined): string {
  const base = (file ?? '').split(/[\\/]/).pop() ?? '';
  return base.slice(0, BPF_OBJ_NAME_LEN - 1).split('.')[0];
}

/** libbpf's internal_map_name: "<obj prefix><section>" sanitised to the kernel's alphabet. */
export function internalMapName(objName: string, realName: string): string {
  const sfxLen = Math.max(7, realName.length);
  const pfxLen = realName.slice(1).includes('.') ? 0 : Math.max(0, Math.min(BPF_OBJ_NAME_LEN - sfxLen - 1, objName.length));
  const name = (objName.slice(0, pfxLen) + realName.slice(0, sfxLen)).slice(0, BPF_OBJ_NAME_LEN - 1);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

interface Ctx {
  readonly elf: ElfFile;
  readonly btf?: Btf;
  readonly file?: string;
  readonly diagnostics: Diagnostic[];
  /** DATASEC types by name (first of each). */
  readonly datasecs: ReadonlyMap<string, BtfType>;
}

const where = (ctx: Ctx, section: string, byteOffset: number) => ({ ...(ctx.file !== undefined ? { file: ctx.file } : {}), section, byteOffset });

/** Collects every map in libbpf's order: legacy "maps", BTF ".maps", then global data sections. */
export function collectMaps(elf: ElfFile, btf: Btf | undefined, file: string | undefined, diagnostics: Diagnostic[]): ObjMap[] {
  const datasecs = new Map<string, BtfType>();
  for (const t of btf?.types ?? []) if (t.kind === BTF_KIND.DATASEC && !datasecs.has(t.name)) datasecs.set(t.name, t);
  const ctx: Ctx = { elf, ...(btf ? { btf } : {}), ...(file !== undefined ? { file } : {}), diagnostics, datasecs };
  const maps: ObjMap[] = [];
  for (const s of elf.sections) if (s.name === 'maps') maps.push(...legacyMaps(ctx, s));
  for (const s of elf.sections) if (s.name === '.maps') maps.push(...btfMaps(ctx, s));
  const objName = objectName(file);
  for (const s of elf.sections) {
    const kind = dataSectionKind(s);
    if (kind) maps.push(dataMap(ctx, s, kind, objName));
  }
  return maps;
}

function legacyMaps(ctx: Ctx, s: ElfSection): ObjMap[] {
  const syms = elfIndex(ctx.elf).symbolsIn(s.index).filter((y) => y.type !== STT.SECTION && y.index !== 0).sort((a, b) => a.value - b.value);
  if (syms.length === 0) return [];
  const size = s.data.byteLength;
  if (size === 0 || size % syms.length !== 0) {
    ctx.diagnostics.push(error('obj.map.legacy-size', `unable to determine map definition size: section maps has ${syms.length} maps in ${size} bytes`, where(ctx, s.name, 0)));
    return [];
  }
  const defSize = size / syms.length;
  if (defSize < 16) {
    ctx.diagnostics.push(error('obj.map.legacy-size', `map definitions of ${defSize} bytes are too small for struct bpf_map_def`, where(ctx, s.name, 0)));
    return [];
  }
  const view = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
  const out: ObjMap[] = [];
  for (const sym of syms) {
    const off = sym.value;
    if (!Number.isSafeInteger(off) || off + defSize > size) {
      ctx.diagnostics.push(error('obj.map.legacy-range', `map ${sym.name}: definition at offset ${off} runs past the end of section maps`, where(ctx, s.name, Math.min(off, size))));
      continue;
    }
    const u32 = (i: number) => (i * 4 + 4 <= defSize ? view.getUint32(off + i * 4, true) : 0);
    for (let b = 20; b < defSize; b++) {
      if (s.data[off + b] !== 0) {
        ctx.diagnostics.push(warning('obj.map.legacy-extra', `map ${sym.name}: definition has non-zero bytes beyond struct bpf_map_def`, where(ctx, s.name, off + b)));
        break;
      }
    }
    out.push({
      name: sym.name, kernelName: sym.name.slice(0, BPF_OBJ_NAME_LEN - 1), origin: 'legacy', section: s.name, sectionIndex: s.index, sectionOffset: off,
      type: mapType(u32(0)), keySize: u32(1), valueSize: u32(2), maxEntries: u32(3), flags: u32(4),
    });
  }
  return out;
}

function btfMaps(ctx: Ctx, s: ElfSection): ObjMap[] {
  const btf = ctx.btf;
  if (!btf) {
    ctx.diagnostics.push(error('obj.map.no-btf', 'section .maps needs BTF to describe its maps, but the object has no usable .BTF', where(ctx, s.name, 0)));
    return [];
  }
  const datasec = ctx.datasecs.get('.maps');
  if (!datasec) {
    ctx.diagnostics.push(error('obj.map.no-datasec', 'BTF has no DATASEC for section .maps', where(ctx, s.name, 0)));
    return [];
  }
  const out: ObjMap[] = [];
  for (const vi of datasec.members) {
    const v = btf.type(vi.type);
    let at = where(ctx, s.name, vi.offset);
    if (!v || v.kind !== BTF_KIND.VAR) {
      ctx.diagnostics.push(error('obj.map.bad-var', `.maps DATASEC entry (type #${vi.type}) is not a VAR`, at));
      continue;
    }
    const name = v.name;
    // LLVM leaves DATASEC offsets 0 in objects; libbpf (btf_fixup_datasec) takes them from the
    // ELF symbol of the same name, and so do we.
    const sym = elfIndex(ctx.elf).symbolNamed(s.index, name);
    const offset = sym ? sym.value : vi.offset;
    at = where(ctx, s.name, offset);
    const def = btf.skipModifiers(v.sizeOrType);
    if (!def || def.kind !== BTF_KIND.STRUCT) {
      ctx.diagnostics.push(error('obj.map.bad-def', `map '${name}': unexpected def kind ${def?.kindName ?? 'invalid'}`, at));
      continue;
    }
    if (offset + (vi.size ?? 0) > s.size) ctx.diagnostics.push(error('obj.map.def-range', `map '${name}': definition at offset ${offset} (${vi.size} bytes) runs past the end of .maps`, at));
    let type = 0, keySize = 0, valueSize = 0, maxEntries = 0, flags = 0;
    let numaNode: number | undefined, mapExtra: number | undefined, pinning: number | undefined;
    let keyTypeId: number | undefined, valueTypeId: number | undefined;
    for (const m of def.members) {
      // __uint(name, val) is "int (*name)[val]": a pointer to an array whose length is the value.
      const uint = (): number | undefined => {
        const p = btf.skipModifiers(m.type);
        if (!p || p.kind !== BTF_KIND.PTR) {
          ctx.diagnostics.push(error('obj.map.bad-attr', `map '${name}': attr '${m.name}': expected PTR, got ${p?.kindName ?? 'invalid'}`, at));
          return undefined;
        }
        const a = btf.skipModifiers(p.sizeOrType);
        if (!a || a.kind !== BTF_KIND.ARRAY || !a.array) {
          ctx.diagnostics.push(error('obj.map.bad-attr', `map '${name}': attr '${m.name}': expected ARRAY, got ${a?.kindName ?? 'invalid'}`, at));
          return undefined;
        }
        return a.array.nelems;
      };
      // __type(name, T) is "T *name": the pointee's size is the key/value size.
      const typed = (): { id: number; size: number } | undefined => {
        const p = btf.type(m.type);
        if (!p || p.kind !== BTF_KIND.PTR) {
          ctx.diagnostics.push(error('obj.map.bad-attr', `map '${name}': ${m.name} spec is not PTR: ${p?.kindName ?? 'invalid'}`, at));
          return undefined;
        }
        const size = btf.resolveSize(p.sizeOrType);
        if (size === undefined) {
          ctx.diagnostics.push(error('obj.map.bad-attr', `map '${name}': can't determine ${m.name} size for type [${p.sizeOrType}]`, at));
          return undefined;
        }
        return { id: p.sizeOrType, size };
      };
      switch (m.name) {
        case 'type': type = uint() ?? type; break;
        case 'max_entries': maxEntries = uint() ?? maxEntries; break;
        case 'map_flags': flags = uint() ?? flags; break;
        case 'numa_node': numaNode = uint(); break;
        case 'map_extra': mapExtra = uint(); break;
        case 'pinning': pinning = uint(); break;
        case 'key_size': keySize = uint() ?? keySize; break;
        case 'value_size': valueSize = uint() ?? valueSize; break;
        case 'key': { const t = typed(); if (t) { keySize = t.size; keyTypeId = t.id; } break; }
        case 'value': { const t = typed(); if (t) { valueSize = t.size; valueTypeId = t.id; } break; }
        case 'values': break; // initial slots of prog arrays / map-in-map, filled from .rel.maps
        default:
          ctx.diagnostics.push(warning('obj.map.unknown-attr', `map '${name}': ignoring unknown field '${m.name}'`, at));
      }
    }
    out.push({
      name, kernelName: name.slice(0, BPF_OBJ_NAME_LEN - 1), origin: 'btf', section: s.name, sectionIndex: s.index, sectionOffset: offset,
      type: mapType(type), keySize, valueSize, maxEntries, flags,
      ...(numaNode !== undefined ? { numaNode } : {}), ...(mapExtra !== undefined ? { mapExtra } : {}), ...(pinning !== undefined ? { pinning } : {}),
      ...(keyTypeId !== undefined ? { btfKeyTypeId: keyTypeId, keyType: btf.typeName(keyTypeId) } : {}),
      ...(valueTypeId !== undefined ? { btfValueTypeId: valueTypeId, valueType: btf.typeName(valueTypeId) } : {}),
    });
  }
  return out;
}

function dataMap(ctx: Ctx, s: ElfSection, kind: DataSectionKind, objName: string): ObjMap {
  const datasec = ctx.datasecs.get(s.name);
  // libbpf makes a data map mmap-able only when its DATASEC has a non-static variable.
  const mmapable = !!datasec && datasec.members.some((m) => {
    const v = ctx.btf?.type(m.type);
    return v?.kind === BTF_KIND.VAR && v.extra !== BTF_LINKAGE.STATIC;
  });
  let size = s.size;
  if (size > MAX_DATA_SIZE) {
    // .bss sizes are not backed by file bytes; refuse absurd ones instead of allocating them.
    ctx.diagnostics.push(error('obj.map.data-too-large', `section ${s.name} is ${size} bytes, more than the ${MAX_DATA_SIZE} a global data map may have here`, where(ctx, s.name, 0)));
    size = 0;
  }
  const initialData = kind === 'bss' ? new Uint8Array(size) : s.data.slice(0, size);
  return {
    name: s.name, kernelName: internalMapName(objName, s.name), origin: 'data', section: s.name, sectionIndex: s.index, sectionOffset: 0,
    type: mapType(2), keySize: 4, valueSize: size, maxEntries: 1,
    flags: (kind === 'rodata' ? BPF_F_RDONLY_PROG : 0) | (mmapable ? BPF_F_MMAPABLE : 0),
    initialData,
    ...(datasec ? { btfValueTypeId: datasec.id, valueType: ctx.btf?.typeName(datasec.id) ?? '' } : {}),
  };
}
