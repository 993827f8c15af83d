// Loader and writer of the 2013 BPF image (IMG-01..IMG-07): "bpf\0", three int sizes, instructions,
// 20-byte struct bpf_table entries and a NUL-separated strtab, checked in bpf_load_image's order.
//
//   offset 0        4           8           12            16
//   +---------+-----------+-----------+-------------+------------------+-----------------+----------+
//   | "bpf\0" | insn_size | htab_size | strtab_size | insns (8 each)   | tables (20 each)| strtab   |
//   +---------+-----------+-----------+-------------+------------------+-----------------+----------+
//                  little-endian int (memcpy into int on x86)
import { printProgram2013 } from '../asm/print-2013';
import { error, warning, type Diagnostic } from '../isa';
import {
  BPF_HEADER_SIZE, BPF_TABLE_SIZE, BPF_TABLE_TYPE, decode2013, encode2013, MAX_BPF_INSNS, MAX_BPF_STRTAB_SIZE, MAX_BPF_TABLES,
  strtabNames, type Insn2013, type Program2013, type Table2013,
} from '../isa/ebpf2013';

export const EINVAL = -22;
export const E2BIG = -7;

/** A loaded 2013 image: the program plus the sizes its header declared. */
export interface Image2013 extends Program2013 {
  readonly insnSize: number;
  readonly htabSize: number;
  readonly strtabSize: number;
}

export interface LoadImage2013Options {
  /** 'hardened' (default) closes the seed's holes (empty strtab, unchecked table definitions); 'faithful-legacy' reports them as the seed would behave. */
  readonly mode?: 'hardened' | 'faithful-legacy';
  readonly file?: string;
}

export interface LoadImage2013Result {
  /** Present when the image passed bpf_load_image's and bpf_check's size checks. Invalid instructions do not prevent it (see diagnostics). */
  readonly image?: Image2013;
  /** The seed's return value when loading fails (-EINVAL, -E2BIG), else undefined. */
  readonly errno?: number;
  readonly diagnostics: Diagnostic[];
}

const MAGIC = [0x62, 0x70, 0x66, 0x00];
/** trace_filter_check reads at most this many bytes (char buf[16000]). */
export const TRACE_FILTER_CHECK_MAX = 16000;

export function loadImage2013(bytes: Uint8Array, options: LoadImage2013Options = {}): LoadImage2013Result {
  const mode = options.mode ?? 'hardened';
  const file = options.file !== undefined ? { file: options.file } : {};
  const diagnostics: Diagnostic[] = [];
  const len = bytes.byteLength;
  const fail = (errno: number, code: string, message: string, why: string, byteOffset: number): LoadImage2013Result => {
    diagnostics.push(error(code, message, { byteOffset, ...file }));
    diagnostics.push({ severity: 'note', code, message: why, byteOffset, ...file });
    return { errno, diagnostics };
  };

  // 1. bpf_load_image: length and magic (memcmp(image, "bpf", 4) compares the NUL too).
  const magicOk = len >= 4 && MAGIC.every((b, i) => bytes[i] === b);
  if (len < BPF_HEADER_SIZE + 8 || !magicOk) {
    return fail(EINVAL, 'img2013.bad-header', `invalid bpf image, size=${len}`,
      len < BPF_HEADER_SIZE + 8 ? `an image needs at least ${BPF_HEADER_SIZE + 8} bytes (header and one instruction)` : 'the image does not start with the 4 bytes "bpf\\0"', 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, len);
  const insnSize = view.getInt32(4, true);
  const htabSize = view.getInt32(8, true);
  const strtabSize = view.getInt32(12, true);

  // 2. bpf_load_image: section sizes; every failure is -E2BIG with one message. The note names the first failing condition.
  const conditions: Array<[boolean, string, number]> = [
    [BigInt.asUintN(64, BigInt(insnSize)) % 8n !== 0n, `insn_size ${insnSize} is not a multiple of 8`, 4],
    // C converts the int to size_t before '%': a negative htab_size is taken modulo 2^64 first.
    [BigInt.asUintN(64, BigInt(htabSize)) % BigInt(BPF_TABLE_SIZE) !== 0n, `htab_size ${htabSize} is not a multiple of ${BPF_TABLE_SIZE}`, 8],
    [insnSize <= 0, `insn_size ${insnSize} is not positive`, 4],
    [insnSize / 8 > MAX_BPF_INSNS, `${insnSize / 8} instructions exceed MAX_BPF_INSNS ${MAX_BPF_INSNS}`, 4],
    [htabSize < 0, `htab_size ${htabSize} is negative`, 8],
    [htabSize / BPF_TABLE_SIZE > MAX_BPF_TABLES, `${htabSize / BPF_TABLE_SIZE} tables exceed MAX_BPF_TABLES ${MAX_BPF_TABLES}`, 8],
    [strtabSize < 0, `strtab_size ${strtabSize} is negative`, 12],
    [strtabSize > MAX_BPF_STRTAB_SIZE, `strtab_size ${strtabSize} exceeds MAX_BPF_STRTAB_SIZE ${MAX_BPF_STRTAB_SIZE}`, 12],
    [insnSize + htabSize + strtabSize + BPF_HEADER_SIZE !== len, `16 + ${insnSize} + ${htabSize} + ${strtabSize} = ${insnSize + htabSize + strtabSize + BPF_HEADER_SIZE} bytes, but the image has ${len}`, 4],
  ];
  const bad = conditions.find(([failed]) => failed);
  if (bad) return fail(E2BIG, 'img2013.bad-sizes', `BPF program insn_size ${insnSize} htab_size ${htabSize} strtab_size ${strtabSize}`, bad[1], bad[2]);

  const insnCnt = insnSize / 8;
  const tableCnt = htabSize / BPF_TABLE_SIZE;
  const strtabAt = BPF_HEADER_SIZE + insnSize + htabSize;
  const strtab = bytes.slice(strtabAt, strtabAt + strtabSize);

  // 3. bpf_check's own checks: counts (already implied) and strtab[strtab_size - 1] == 0.
  const checkMsg = `BPF program has ${insnCnt} insn and ${tableCnt} tables. Max is ${MAX_BPF_INSNS}/${MAX_BPF_TABLES}`;
  if (strtabSize === 0) {
    if (mode === 'faithful-legacy') {
      diagnostics.push(error('img2013.null-deref', 'BUG: unable to handle kernel NULL pointer dereference: bpf_check reads strtab[-1] and the strtab of an image with strtab_size 0 is NULL', { byteOffset: 12, ...file }));
      return { diagnostics };
    }
    return fail(E2BIG, 'img2013.empty-strtab', checkMsg, 'the strtab is empty; the 2013 bpf_check would read strtab[-1] through a NULL pointer, so the hardened loader rejects it (a valid strtab is at least "\\0")', 12);
  }
  if (strtab[strtabSize - 1] !== 0) {
    return fail(E2BIG, 'img2013.strtab-unterminated', checkMsg, 'the strtab does not end with a NUL byte', strtabAt + strtabSize - 1);
  }
  if (strtab[0] !== 0) {
    diagnostics.push(warning('img2013.strtab-start', 'the strtab does not start with a NUL byte, so call 0 names a helper (by convention function id 0 is invalid)', { byteOffset: strtabAt, ...file }));
  }

  const decoded = decode2013(bytes.subarray(BPF_HEADER_SIZE, BPF_HEADER_SIZE + insnSize), { baseOffset: BPF_HEADER_SIZE, section: 'insns' });
  diagnostics.push(...decoded.diagnostics.map((d) => ({ ...d, ...file })));

  const tables: Table2013[] = [];
  for (let t = 0; t < tableCnt; t++) {
    const at = BPF_HEADER_SIZE + insnSize + t * BPF_TABLE_SIZE;
    const u = (k: number) => view.getUint32(at + 4 * k, true);
    const table: Table2013 = { type: u(0), keySize: u(1), elemSize: u(2), maxEntries: u(3), param1: u(4) };
    tables.push(table);
    // MAP-03: the seed never validates table definitions; the hardened loader does.
    const problem = table.type !== BPF_TABLE_TYPE.HASH && table.type !== BPF_TABLE_TYPE.LPM ? `unknown table type ${table.type}`
      : table.keySize === 0 ? 'key_size is 0' : table.elemSize === 0 ? 'elem_size is 0' : table.maxEntries === 0 ? 'max_entries is 0' : undefined;
    if (problem) {
      const where = { byteOffset: at, section: 'tables', ...file };
      if (mode === 'hardened') diagnostics.push(error('img2013.bad-table', `table ${t}: ${problem}`, where));
      else diagnostics.push(warning('img2013.bad-table', `table ${t}: ${problem} (the 2013 loader accepts it)`, where));
    }
  }
  if (len > TRACE_FILTER_CHECK_MAX) {
    diagnostics.push({ severity: 'note', code: 'img2013.too-big-for-check', message: `the image has ${len} bytes; the seed's trace_filter_check reads only the first ${TRACE_FILTER_CHECK_MAX}`, ...file });
  }
  if (mode === 'hardened' && diagnostics.some((d) => d.code === 'img2013.bad-table')) {
    return { errno: EINVAL, diagnostics };
  }
  return {
    image: { dialect: 'ebpf-2013', insns: decoded.insns, tables, strtab, insnSize, htabSize, strtabSize },
    diagnostics,
  };
}

export interface Image2013Parts {
  readonly insns: readonly Insn2013[];
  readonly tables?: readonly Table2013[];
  readonly strtab: Uint8Array;
}

/** Writes an image exactly as the seed's example programs do (header, insns, tables, strtab); sizes come from the parts. */
export function writeImage2013(parts: Image2013Parts): Uint8Array {
  const code = encode2013(parts.insns);
  const tables = parts.tables ?? [];
  const out = new Uint8Array(BPF_HEADER_SIZE + code.length + tables.length * BPF_TABLE_SIZE + parts.strtab.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setInt32(4, code.length, true);
  view.setInt32(8, tables.length * BPF_TABLE_SIZE, true);
  view.setInt32(12, parts.strtab.length, true);
  out.set(code, BPF_HEADER_SIZE);
  tables.forEach((t, i) => {
    const at = BPF_HEADER_SIZE + code.length + i * BPF_TABLE_SIZE;
    [t.type, t.keySize, t.elemSize, t.maxEntries, t.param1].forEach((v, k) => view.setUint32(at + 4 * k, v >>> 0, true));
  });
  out.set(parts.strtab, BPF_HEADER_SIZE + code.length + tables.length * BPF_TABLE_SIZE);
  return out;
}

/**
 * A human listing of a loaded image for `disasm`: a header line, the pr_info_bpf_insn listing (calls
 * annotated with the helper name they resolve to), the tables and the strtab names with offsets.
 */
export function printImage2013(image: Image2013): string {
  const out: string[] = [];
  out.push(`; 2013 BPF image: ${image.insns.length} insns, ${image.tables.length} tables, strtab ${image.strtabSize} bytes`);
  out.push(printProgram2013(image.insns, { strtab: image.strtab }).trimEnd());
  image.tables.forEach((t, i) => {
    const type = t.type === BPF_TABLE_TYPE.HASH ? 'BPF_TABLE_HASH' : t.type === BPF_TABLE_TYPE.LPM ? 'BPF_TABLE_LPM' : String(t.type);
    out.push(`; table ${i}: {${type}, key_size ${t.keySize}, elem_size ${t.elemSize}, max_entries ${t.maxEntries}, param1 ${t.param1}}`);
  });
  for (const { offset, name } of strtabNames(image.strtab)) out.push(`; strtab ${offset}: ${name}`);
  return out.join('\n') + '\n';
}
