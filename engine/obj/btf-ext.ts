// .BTF.ext decoder: per-section func_info, line_info and CO-RE relocation records, with the names
// and source text resolved through the .BTF string table.
import { error, warning, type Diagnostic } from '../isa';
import type { Btf } from './btf';

/*
 * .BTF.ext layout (tools/lib/bpf/libbpf_internal.h, struct btf_ext_header):
 *
 *   magic u16 = 0xeB9F | version u8 | flags u8 | hdr_len u32
 *   func_info_off u32 | func_info_len u32 | line_info_off u32 | line_info_len u32
 *   [core_relo_off u32 | core_relo_len u32]          (when hdr_len >= 32)
 *
 * Each info block (offsets relative to the end of the header):
 *   rec_size u32, then per ELF section: sec_name_off u32 | num_info u32 | num_info x rec_size bytes
 *   func_info record: insn_off u32 (bytes) | type_id u32
 *   line_info record: insn_off u32 | file_name_off u32 | line_off u32 | line_col u32 = line << 10 | col
 *   core_relo record: insn_off u32 | type_id u32 | access_str_off u32 | kind u32
 */

export interface FuncInfoRecord {
  /** Byte offset of the function's first instruction in its section. */
  readonly insnOff: number;
  readonly typeId: number;
}

export interface LineInfoRecord {
  readonly insnOff: number;
  /** The raw BTF string offsets and line_col word, as BPF_PROG_LOAD's line_info wants them. */
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly lineCol: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The source line text as the compiler stored it (leading whitespace trimmed by LLVM). */
  readonly text: string;
}

export interface CoreReloRecord {
  readonly insnOff: number;
  readonly typeId: number;
  readonly accessString: string;
  readonly kind: number;
}

export interface BtfExt {
  /** Keyed by ELF section name. */
  readonly funcInfo: ReadonlyMap<string, readonly FuncInfoRecord[]>;
  readonly lineInfo: ReadonlyMap<string, readonly LineInfoRecord[]>;
  readonly coreRelos: ReadonlyMap<string, readonly CoreReloRecord[]>;
}

export interface BtfExtResult {
  readonly ext?: BtfExt;
  readonly diagnostics: Diagnostic[];
}

export function decodeBtfExt(data: Uint8Array, btf: Btf, file?: string): BtfExtResult {
  const section = '.BTF.ext';
  const diagnostics: Diagnostic[] = [];
  const where = (byteOffset: number) => ({ ...(file !== undefined ? { file } : {}), section, byteOffset });
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.byteLength < 24) {
    diagnostics.push(error('obj.btf-ext.truncated', `.BTF.ext header needs 24 bytes, section has ${data.byteLength}`, where(0)));
    return { diagnostics };
  }
  if (view.getUint16(0, true) !== 0xeb9f) {
    diagnostics.push(error('obj.btf-ext.bad-magic', `.BTF.ext magic 0x${view.getUint16(0, true).toString(16)} is not 0xeb9f`, where(0)));
    return { diagnostics };
  }
  const hdrLen = view.getUint32(4, true);
  if (hdrLen < 24 || hdrLen > data.byteLength) {
    diagnostics.push(error('obj.btf-ext.bad-header', `.BTF.ext header length ${hdrLen} is invalid`, where(4)));
    return { diagnostics };
  }
  const str = (off: number, at: number): string => {
    const s = btf.string(off);
    if (s === undefined) {
      diagnostics.push(error('obj.btf-ext.name-range', `string offset ${off} is outside the BTF string section`, where(at)));
      return '';
    }
    return s;
  };

  /** Walks one info block; `rec` reads one record at a byte offset. */
  function block<T>(name: string, headerAt: number, minRec: number, rec: (at: number) => T): Map<string, T[]> {
    const out = new Map<string, T[]>();
    const off = view.getUint32(headerAt, true);
    const len = view.getUint32(headerAt + 4, true);
    if (len === 0) return out;
    const start = hdrLen + off;
    const end = start + len;
    if (end > data.byteLength) {
      diagnostics.push(error('obj.btf-ext.range', `${name} (offset ${off}, ${len} bytes) runs past the end of .BTF.ext`, where(headerAt)));
      return out;
    }
    if (len < 4) {
      diagnostics.push(error('obj.btf-ext.truncated', `${name} is ${len} bytes, too short for its record size`, where(start)));
      return out;
    }
    const recSize = view.getUint32(start, true);
    if (recSize < minRec || recSize % 4 !== 0) {
      diagnostics.push(error('obj.btf-ext.record-size', `${name} record size ${recSize} is invalid (at least ${minRec}, a multiple of 4)`, where(start)));
      return out;
    }
    let at = start + 4;
    while (at < end) {
      if (at + 8 > end) {
        diagnostics.push(error('obj.btf-ext.truncated', `${name}: section header cut off`, where(at)));
        break;
      }
      const secName = str(view.getUint32(at, true), at);
      const num = view.getUint32(at + 4, true);
      if (num === 0) diagnostics.push(warning('obj.btf-ext.empty', `${name} for section ${secName} has no records`, where(at + 4)));
      if (at + 8 + num * recSize > end) {
        diagnostics.push(error('obj.btf-ext.truncated', `${name} for section ${secName}: ${num} records of ${recSize} bytes run past the end of the block`, where(at + 4)));
        break;
      }
      const list = out.get(secName) ?? [];
      for (let i = 0; i < num; i++) list.push(rec(at + 8 + i * recSize));
      out.set(secName, list);
      at += 8 + num * recSize;
    }
    return out;
  }

  const funcInfo = block('func_info', 8, 8, (at) => ({ insnOff: view.getUint32(at, true), typeId: view.getUint32(at + 4, true) }));
  const lineInfo = block('line_info', 16, 16, (at) => {
    const lineCol = view.getUint32(at + 12, true);
    const fileNameOff = view.getUint32(at + 4, true);
    const lineOff = view.getUint32(at + 8, true);
    return { insnOff: view.getUint32(at, true), fileNameOff, lineOff, lineCol, file: str(fileNameOff, at + 4), text: str(lineOff, at + 8), line: lineCol >>> 10, column: lineCol & 0x3ff };
  });
  const coreRelos = hdrLen >= 32
    ? block('core_relo', 24, 16, (at) => ({ insnOff: view.getUint32(at, true), typeId: view.getUint32(at + 4, true), accessString: str(view.getUint32(at + 8, true), at + 8), kind: view.getUint32(at + 12, true) }))
    : new Map<string, CoreReloRecord[]>();
  return { ext: { funcInfo, lineInfo, coreRelos }, diagnostics };
}
