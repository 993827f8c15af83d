// BTF (.BTF section) decoder: the type graph and string table, enough to name types, render them
// as C, resolve sizes and read map definitions. Hostile input gives diagnostics, never a throw.
import { error, warning, type Diagnostic } from '../isa';
import { readCString } from './elf';

/*
 * .BTF layout (include/uapi/linux/btf.h):
 *
 *   header (hdr_len >= 24 bytes):  magic u16 = 0xeB9F | version u8 = 1 | flags u8 | hdr_len u32
 *                                  type_off u32 | type_len u32 | str_off u32 | str_len u32
 *   types at hdr_len + type_off, strings at hdr_len + str_off.
 *
 *   struct btf_type (12 bytes):    name_off u32
 *                                  info u32 = kind_flag(bit 31) | kind(bits 24..28) | vlen(bits 0..15)
 *                                  size_or_type u32
 *   followed by kind-specific data: INT u32; ARRAY {type, index_type, nelems};
 *   STRUCT/UNION vlen x {name_off, type, offset}; ENUM vlen x {name_off, val};
 *   FUNC_PROTO vlen x {name_off, type}; VAR {linkage}; DATASEC vlen x {type, offset, size};
 *   DECL_TAG {component_idx}; ENUM64 vlen x {name_off, val_lo32, val_hi32}.
 */

export const BTF_MAGIC = 0xeb9f;

export const BTF_KIND = {
  UNKN: 0, INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9,
  CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17,
  TYPE_TAG: 18, ENUM64: 19,
} as const;

export const BTF_KIND_NAMES = [
  'UNKN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST',
  'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
] as const;

/** BTF_FUNC_* linkage of a FUNC (kept in vlen) and BTF_VAR_* linkage of a VAR. */
export const BTF_LINKAGE = { STATIC: 0, GLOBAL: 1, EXTERN: 2 } as const;

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** STRUCT/UNION: bit offset (with kind_flag: bitfield size << 24 | bit offset); ENUM: value; DATASEC: byte offset. */
  readonly offset: number;
  /** DATASEC: byte size of the variable. */
  readonly size?: number;
  /** ENUM64 values. */
  readonly value?: bigint;
}

export interface BtfType {
  readonly id: number;
  readonly kind: number;
  readonly kindName: string;
  readonly name: string;
  readonly vlen: number;
  readonly kindFlag: boolean;
  /** size for INT/STRUCT/UNION/ENUM/DATASEC/FLOAT/ENUM64, referenced type id for the others. */
  readonly sizeOrType: number;
  /** STRUCT/UNION/ENUM/ENUM64 members, FUNC_PROTO params (offset 0), DATASEC variables. */
  readonly members: readonly BtfMember[];
  /** ARRAY only. */
  readonly array?: { readonly type: number; readonly indexType: number; readonly nelems: number };
  /** INT encoding word, VAR linkage, DECL_TAG component index. */
  readonly extra?: number;
  /** Byte offset of the type record within .BTF. */
  readonly byteOffset: number;
}

/** Decoded BTF with lookups that tolerate dangling ids and cycles. */
export interface Btf {
  /** types[0] is void; types[id] for 1..n. */
  readonly types: readonly BtfType[];
  readonly strings: Uint8Array;
  string(off: number): string | undefined;
  type(id: number): BtfType | undefined;
  /** Follows typedef/volatile/const/restrict/type_tag; returns the first other type (or undefined). */
  skipModifiers(id: number): BtfType | undefined;
  /** Byte size of a type as libbpf's btf__resolve_size computes it, or undefined. */
  resolveSize(id: number): number | undefined;
  /** C spelling of a type: "struct open_stats", "__u32", "char[16]", "long *". */
  typeName(id: number): string;
  /** All types with a name and kind. */
  find(name: string, kind?: number): BtfType[];
  /** C declaration of a FUNC: "int keep_odd(struct __sk_buff *skb)", or undefined if id is no FUNC. */
  funcSignature(id: number): string | undefined;
}

const VOID: BtfType = { id: 0, kind: 0, kindName: 'void', name: 'void', vlen: 0, kindFlag: false, sizeOrType: 0, members: [], byteOffset: 0 };
const MAX_CHAIN = 32;
const MAX_NAME = 256;
const MAX_PARAMS = 64;
const MODIFIERS: ReadonlySet<number> = new Set([BTF_KIND.TYPEDEF, BTF_KIND.VOLATILE, BTF_KIND.CONST, BTF_KIND.RESTRICT, BTF_KIND.TYPE_TAG]);

export interface BtfResult {
  readonly btf?: Btf;
  readonly diagnostics: Diagnostic[];
}

export function decodeBtf(data: Uint8Array, section = '.BTF', file?: string): BtfResult {
  const diagnostics: Diagnostic[] = [];
  const where = (byteOffset: number) => ({ ...(file !== undefined ? { file } : {}), section, byteOffset });
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.byteLength < 24) {
    diagnostics.push(error('obj.btf.truncated', `BTF header needs 24 bytes, section has ${data.byteLength}`, where(0)));
    return { diagnostics };
  }
  const magic = view.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    diagnostics.push(error('obj.btf.bad-magic', `BTF magic 0x${magic.toString(16)} is not 0xeb9f (big-endian BTF is not supported)`, where(0)));
    return { diagnostics };
  }
  if (view.getUint8(2) !== 1) diagnostics.push(warning('obj.btf.version', `BTF version ${view.getUint8(2)} is not 1`, where(2)));
  const hdrLen = view.getUint32(4, true);
  const typeOff = view.getUint32(8, true);
  const typeLen = view.getUint32(12, true);
  const strOff = view.getUint32(16, true);
  const strLen = view.getUint32(20, true);
  if (hdrLen < 24 || hdrLen > data.byteLength) {
    diagnostics.push(error('obj.btf.bad-header', `BTF header length ${hdrLen} is invalid`, where(4)));
    return { diagnostics };
  }
  const inRange = (off: number, len: number) => hdrLen + off + len <= data.byteLength;
  if (!inRange(strOff, strLen)) {
    diagnostics.push(error('obj.btf.string-range', `BTF string section (offset ${strOff}, ${strLen} bytes) runs past the end of .BTF`, where(16)));
    return { diagnostics };
  }
  if (!inRange(typeOff, typeLen)) {
    diagnostics.push(error('obj.btf.type-range', `BTF type section (offset ${typeOff}, ${typeLen} bytes) runs past the end of .BTF`, where(8)));
    return { diagnostics };
  }
  const strings = data.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  if (strLen > 0 && strings[0] !== 0) diagnostics.push(warning('obj.btf.string-start', 'BTF string section does not start with an empty string', where(hdrLen + strOff)));

  const str = (off: number, at: number): string => {
    const s = readCString(strings, off);
    if (s === undefined) {
      diagnostics.push(error('obj.btf.name-range', `name offset ${off} is outside the BTF string section`, where(at)));
      return '';
    }
    return s;
  };

  const types: BtfType[] = [VOID];
  const start = hdrLen + typeOff;
  const end = start + typeLen;
  let at = start;
  while (at < end) {
    if (at + 12 > end) {
      diagnostics.push(error('obj.btf.truncated', `BTF type #${types.length} header is cut off by the end of the type section`, where(at)));
      break;
    }
    const nameOff = view.getUint32(at, true);
    const info = view.getUint32(at + 4, true);
    const sizeOrType = view.getUint32(at + 8, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kindFlag = (info >>> 31) === 1;
    const id = types.length;
    const recAt = at;
    let extraLen: number;
    switch (kind) {
      case BTF_KIND.INT: case BTF_KIND.VAR: case BTF_KIND.DECL_TAG: extraLen = 4; break;
      case BTF_KIND.ARRAY: extraLen = 12; break;
      case BTF_KIND.STRUCT: case BTF_KIND.UNION: case BTF_KIND.DATASEC: case BTF_KIND.ENUM64: extraLen = 12 * vlen; break;
      case BTF_KIND.ENUM: case BTF_KIND.FUNC_PROTO: extraLen = 8 * vlen; break;
      case BTF_KIND.PTR: case BTF_KIND.FWD: case BTF_KIND.TYPEDEF: case BTF_KIND.VOLATILE: case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT: case BTF_KIND.FUNC: case BTF_KIND.FLOAT: case BTF_KIND.TYPE_TAG: extraLen = 0; break;
      default:
        diagnostics.push(error('obj.btf.bad-kind', `BTF type #${id} has unknown kind ${kind}`, where(recAt + 4)));
        return finish();
    }
    at += 12;
    if (at + extraLen > end) {
      diagnostics.push(error('obj.btf.truncated', `BTF type #${id} (${BTF_KIND_NAMES[kind]}) needs ${extraLen} more bytes than the type section has`, where(recAt)));
      break;
    }
    const members: BtfMember[] = [];
    let array: BtfType['array'];
    let extra: number | undefined;
    switch (kind) {
      case BTF_KIND.INT: case BTF_KIND.VAR: case BTF_KIND.DECL_TAG:
        extra = view.getUint32(at, true);
        break;
      case BTF_KIND.ARRAY:
        array = { type: view.getUint32(at, true), indexType: view.getUint32(at + 4, true), nelems: view.getUint32(at + 8, true) };
        break;
      case BTF_KIND.STRUCT: case BTF_KIND.UNION:
        for (let i = 0; i < vlen; i++) {
          const m = at + 12 * i;
          members.push({ name: str(view.getUint32(m, true), m), type: view.getUint32(m + 4, true), offset: view.getUint32(m + 8, true) });
        }
        break;
      case BTF_KIND.DATASEC:
        for (let i = 0; i < vlen; i++) {
          const m = at + 12 * i;
          members.push({ name: '', type: view.getUint32(m, true), offset: view.getUint32(m + 4, true), size: view.getUint32(m + 8, true) });
        }
        break;
      case BTF_KIND.ENUM:
        for (let i = 0; i < vlen; i++) {
          const m = at + 8 * i;
          const v = kindFlag ? view.getInt32(m + 4, true) : view.getUint32(m + 4, true);
          members.push({ name: str(view.getUint32(m, true), m), type: 0, offset: v, value: BigInt(v) });
        }
        break;
      case BTF_KIND.ENUM64:
        for (let i = 0; i < vlen; i++) {
          const m = at + 12 * i;
          const v = (BigInt(view.getUint32(m + 8, true)) << 32n) | BigInt(view.getUint32(m + 4, true));
          members.push({ name: str(view.getUint32(m, true), m), type: 0, offset: 0, value: kindFlag ? BigInt.asIntN(64, v) : v });
        }
        break;
      case BTF_KIND.FUNC_PROTO:
        for (let i = 0; i < vlen; i++) {
          const m = at + 8 * i;
          members.push({ name: str(view.getUint32(m, true), m), type: view.getUint32(m + 4, true), offset: 0 });
        }
        break;
    }
    at += extraLen;
    types.push({ id, kind, kindName: BTF_KIND_NAMES[kind], name: str(nameOff, recAt), vlen, kindFlag, sizeOrType, members, ...(array ? { array } : {}), ...(extra !== undefined ? { extra } : {}), byteOffset: recAt });
  }
  return finish();

  function finish(): BtfResult {
    // Dangling references are reported once here, so lookups later can simply return undefined.
    const n = types.length;
    for (const t of types) {
      const refs: number[] = [];
      if (t.kind === BTF_KIND.PTR || MODIFIERS.has(t.kind) || t.kind === BTF_KIND.FUNC || t.kind === BTF_KIND.VAR || t.kind === BTF_KIND.DECL_TAG) refs.push(t.sizeOrType);
      if (t.kind === BTF_KIND.FUNC_PROTO) refs.push(t.sizeOrType);
      if (t.array) refs.push(t.array.type, t.array.indexType);
      if (t.kind === BTF_KIND.STRUCT || t.kind === BTF_KIND.UNION || t.kind === BTF_KIND.FUNC_PROTO || t.kind === BTF_KIND.DATASEC) refs.push(...t.members.map((m) => m.type));
      const bad = refs.find((id) => id >= n);
      if (bad !== undefined) diagnostics.push(error('obj.btf.bad-type-id', `BTF type #${t.id} (${t.kindName} ${t.name}) refers to type #${bad}, but there are ${n - 1} types`, where(t.byteOffset)));
    }
    return { btf: makeBtf(types, strings), diagnostics };
  }
}

function makeBtf(types: BtfType[], strings: Uint8Array): Btf {
  const type = (id: number): BtfType | undefined => (Number.isInteger(id) && id >= 0 && id < types.length ? types[id] : undefined);
  const skipModifiers = (id: number): BtfType | undefined => {
    let t = type(id);
    for (let i = 0; t && MODIFIERS.has(t.kind) && i < MAX_CHAIN; i++) t = type(t.sizeOrType);
    return t && MODIFIERS.has(t.kind) ? undefined : t;
  };
  const resolveSize = (id: number, depth = 0): number | undefined => {
    if (depth > MAX_CHAIN) return undefined;
    const t = type(id);
    if (!t) return undefined;
    switch (t.kind) {
      case BTF_KIND.INT: case BTF_KIND.STRUCT: case BTF_KIND.UNION: case BTF_KIND.ENUM: case BTF_KIND.DATASEC:
      case BTF_KIND.FLOAT: case BTF_KIND.ENUM64:
        return t.sizeOrType;
      case BTF_KIND.PTR:
        return 8;
      case BTF_KIND.TYPEDEF: case BTF_KIND.VOLATILE: case BTF_KIND.CONST: case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG: case BTF_KIND.VAR: case BTF_KIND.DECL_TAG:
        return resolveSize(t.sizeOrType, depth + 1);
      case BTF_KIND.ARRAY: {
        const elem = t.array ? resolveSize(t.array.type, depth + 1) : undefined;
        if (elem === undefined || !t.array) return undefined;
        const total = elem * t.array.nelems;
        return total <= 0xffffffff ? total : undefined;
      }
      default:
        return undefined;
    }
  };
  // Spelling a type walks the graph; a hostile BTF can make that walk exponential (a FUNC_PROTO whose
  // parameters point back at it), so every top-level call gets a fixed budget of visited nodes.
  interface Budget { left: number }
  const typeName = (id: number, budget: Budget, depth = 0): string => {
    const t = type(id);
    if (!t) return `<bad type #${id}>`;
    if (depth > MAX_CHAIN || --budget.left < 0) return '...';
    const sub = (x: number) => typeName(x, budget, depth + 1);
    // Names are cut short too, so the text stays bounded by budget x name length.
    const name = t.name.length > MAX_NAME ? `${t.name.slice(0, MAX_NAME)}...` : t.name;
    switch (t.kind) {
      case BTF_KIND.UNKN: return 'void';
      case BTF_KIND.STRUCT: return `struct ${name || '(anon)'}`;
      case BTF_KIND.UNION: return `union ${name || '(anon)'}`;
      case BTF_KIND.ENUM: case BTF_KIND.ENUM64: return `enum ${name || '(anon)'}`;
      case BTF_KIND.FWD: return `${t.kindFlag ? 'union' : 'struct'} ${name}`;
      case BTF_KIND.PTR: return `${sub(t.sizeOrType)} *`;
      case BTF_KIND.CONST: return `const ${sub(t.sizeOrType)}`;
      case BTF_KIND.VOLATILE: return `volatile ${sub(t.sizeOrType)}`;
      case BTF_KIND.RESTRICT: return `${sub(t.sizeOrType)} restrict`;
      case BTF_KIND.ARRAY: return t.array ? `${sub(t.array.type)}[${t.array.nelems}]` : 'array';
      case BTF_KIND.FUNC_PROTO: return `${sub(t.sizeOrType)} (${params(t, budget, sub).join(', ')})`;
      case BTF_KIND.DATASEC: return `SEC ${name}`;
      default: return name || `<anon ${t.kindName}>`;
    }
  };
  /** Spelled parameters of a FUNC_PROTO, at most MAX_PARAMS and only while the budget lasts. */
  const params = (t: BtfType, budget: Budget, spell: (id: number, name: string) => string): string[] => {
    const out: string[] = [];
    for (const m of t.members) {
      if (budget.left <= 0 || out.length >= MAX_PARAMS) {
        out.push('...');
        break;
      }
      out.push(m.type === 0 ? '...' : spell(m.type, m.name));
    }
    return out;
  };
  const NAME_BUDGET = 4096;
  return {
    types,
    strings,
    string: (off) => readCString(strings, off),
    type,
    skipModifiers,
    resolveSize: (id) => resolveSize(id),
    typeName: (id) => typeName(id, { left: NAME_BUDGET }),
    find: (name, kind) => types.filter((t) => t.name === name && (kind === undefined || t.kind === kind)),
    funcSignature: (id) => {
      const fn = type(id);
      const proto = fn?.kind === BTF_KIND.FUNC ? type(fn.sizeOrType) : undefined;
      if (!fn || !proto || proto.kind !== BTF_KIND.FUNC_PROTO) return undefined;
      const budget = { left: NAME_BUDGET };
      const decl = (t: number, name: string) => {
        const ty = typeName(t, budget);
        const nm = name.length > MAX_NAME ? `${name.slice(0, MAX_NAME)}...` : name;
        return nm ? `${ty}${ty.endsWith('*') ? '' : ' '}${nm}` : ty;
      };
      const ps = params(proto, budget, decl);
      return `${decl(proto.sizeOrType, fn.name)}(${ps.length ? ps.join(', ') : 'void'})`;
    },
  };
}
