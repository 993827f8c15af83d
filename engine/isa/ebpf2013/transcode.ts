// The 2013 -> modern eBPF transcoder (ISA-18): every row of SEEDS-SPEC §1.6, refusing with an error
// where no faithful translation exists, and recomputing jump offsets when instruction counts change.
import { error, warning, type Diagnostic, type Severity } from '../diagnostic';
import { makeInsn, withFields, type Insn } from '../insn';
import type { Dialect } from '../insn';
import { helper2013, MODERN_HELPER_ID, type Helper2013 } from './helpers';
import { strtabName, type Insn2013, type Program2013, type Table2013 } from './insn';
import { BPF_TABLE_TYPE, REG_FP_2013 } from './opcodes';

export interface TranscodeOptions {
  /**
   * RET: 'exit-zero' (default) emits `r0 = 0; exit`, because a 2013 program returns nothing and a
   * 2013 tracing filter never records the event (a modern kprobe program returning 0 drops it);
   * 'exit' maps RET 1:1 to exit, returning whatever r0 holds.
   */
  readonly ret?: 'exit-zero' | 'exit';
  /** BSWAP32/64: 'v4' (default) the ALU64 bswap of cpu v4 (exact); 'be' be32/be64, equal only on little-endian hosts. */
  readonly bswap?: 'v4' | 'be';
  /** Which modern helper bpf_load_pointer becomes (probe_read per HLP-11, or probe_read_kernel). */
  readonly loadPointerHelper?: 'probe_read' | 'probe_read_kernel';
  /** The program's tables (struct bpf_table); required to translate table helpers. */
  readonly tables?: readonly Table2013[];
  /**
   * A dialect helper set: when it returns an id for a strtab name, the call becomes `call id` with
   * the registers untouched (the 2013 and modern calling conventions agree: r1-r5 in, r0 out), and
   * the helper behind the id keeps the 2013 semantics (engine/kernel/helpers-2013.ts defines them per
   * simulated kernel). Names it returns undefined for are translated to modern helpers as usual.
   */
  readonly helperIds?: (name: string, strtabOffset: number) => number | undefined;
}

/** A modern map the transcoded program expects at fd_array[index] (BPF_PSEUDO_MAP_IDX). */
export interface MapSpec {
  readonly index: number;
  readonly type: 'hash';
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

export interface TranscodeResult {
  readonly dialect: Extract<Dialect, 'ebpf'>;
  /** Modern instructions. Untranslatable 2013 instructions contribute none (see diagnostics). */
  readonly insns: Insn[];
  /** For each 2013 index (and one past the end), the modern slot (pc) where its translation starts. */
  readonly slotOf: number[];
  readonly maps: MapSpec[];
  readonly diagnostics: Diagnostic[];
}

/** fp-512..fp-505: below the 480 usable bytes of a 2013 stack, inside the modern 512. */
const SCRATCH_OFF = -512;
const ALU_MAP: Record<string, string> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div', or: 'or', and: 'and', lsh: 'lsh', rsh: 'rsh', mod: 'mod', xor: 'xor', arsh: 'arsh' };
const SIZE_SFX: Record<number, string> = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };

interface Chunk {
  insns: Insn[];
  /** Local index in insns -> 2013 jump target. */
  fixups: Array<{ at: number; target: number }>;
}

function slots(insns: readonly Insn[]): number {
  return insns.reduce((n, i) => n + (i.form.kind === 'lddw' ? 2 : 1), 0);
}

/** Translates the tables into the maps the modern program expects, refusing what maps cannot express. */
function translateTables(tables: readonly Table2013[], diags: Diagnostic[]): MapSpec[] {
  const maps: MapSpec[] = [];
  tables.forEach((t, index) => {
    const where = { section: 'tables', byteOffset: index * 20 };
    if (t.type === BPF_TABLE_TYPE.LPM) {
      diags.push(error('transcode2013.table-type', `table ${index}: BPF_TABLE_LPM has no faithful modern map (LPM_TRIE keys carry a prefix length and need BPF_F_NO_PREALLOC)`, where));
      return;
    }
    if (t.type !== BPF_TABLE_TYPE.HASH) {
      diags.push(error('transcode2013.table-type', `table ${index}: unknown table type ${t.type}`, where));
      return;
    }
    if (t.keySize === 0 || t.elemSize === 0 || t.maxEntries === 0) {
      diags.push(error('transcode2013.table-def', `table ${index}: key_size, elem_size and max_entries must be non-zero (the 2013 loader never checked them)`, where));
      return;
    }
    if (t.param1 !== 0) diags.push(warning('transcode2013.table-param', `table ${index}: param1 ${t.param1} has no meaning for a hash map and is dropped`, where));
    maps.push({ index, type: 'hash', keySize: t.keySize, valueSize: t.elemSize, maxEntries: t.maxEntries });
  });
  return maps;
}

/** Writes of register `reg` by instruction `insn` (64-bit: every 2013 ALU op and ldx write a_reg). */
function writesReg(insn: Insn2013, reg: number): boolean {
  switch (insn.form.kind) {
    case 'alu': case 'mov': case 'neg': case 'bswap': case 'ldx':
      return insn.dst === reg;
    default:
      return false;
  }
}

/**
 * The constant a `mov reg, imm` put into `reg` before instruction `pc`, searched backwards within
 * pc's basic block (CONST_ARG_TABLE_ID makes the 2013 verifier demand such a constant).
 */
function constantBefore(insns: readonly Insn2013[], isTarget: readonly boolean[], pc: number, reg: number): number | undefined {
  for (let j = pc - 1; j >= 0; j--) {
    if (isTarget[j + 1]) return undefined;
    const i = insns[j];
    const k = i.form.kind;
    if (k === 'ja' || k === 'ret' || k === 'call' || k === 'invalid') return undefined;
    if (writesReg(i, reg)) return i.form.id === 'mov_imm' ? i.imm : undefined;
  }
  return undefined;
}

export function transcode(program: readonly Insn2013[], strtab: Uint8Array, options: TranscodeOptions = {}): TranscodeResult {
  const diags: Diagnostic[] = [];
  const n = program.length;
  const maps = translateTables(options.tables ?? [], diags);
  const isTarget = new Array<boolean>(n + 1).fill(false);
  program.forEach((insn, pc) => {
    if (insn.form.kind === 'ja' || insn.form.kind === 'jcond') {
      const t = pc + 1 + insn.off;
      if (t >= 0 && t <= n) isTarget[t] = true;
    }
  });
  const retMode = options.ret ?? 'exit-zero';
  let retNoted = false;
  const chunks: Chunk[] = program.map((insn, pc) => {
    const out: Chunk = { insns: [], fixups: [] };
    const at = { pc };
    const fail = (code: string, message: string): Chunk => {
      diags.push(error(code, message, at));
      return out;
    };
    const say = (severity: Severity, code: string, message: string): void => {
      diags.push({ pc, code, severity, message });
    };
    const f = insn.form;
    const emit = (id: string, fields: Parameters<typeof makeInsn>[1] = {}): void => {
      out.insns.push(makeInsn(id, fields));
    };
    switch (f.kind) {
      case 'invalid':
        return fail('transcode2013.invalid-insn', `opcode 0x${insn.code.toString(16).padStart(2, '0')} is not a valid 2013 instruction`);
      case 'alu': {
        const op = ALU_MAP[f.aluOp ?? ''];
        if (f.aluOp === 'div' || f.aluOp === 'mod') {
          say('warning', 'transcode2013.divmod', `${f.aluOp}: division by zero differs (2013 interpreter: ${f.aluOp === 'mod' ? 'dst unchanged, and do_div truncates the divisor to 32 bits' : 'div is not implemented, the program silently stops'}; 2013 JIT: ${f.aluOp === 'mod' ? 'dst = 0' : 'dst unchanged'}; modern: ${f.aluOp === 'mod' ? 'dst unchanged' : 'dst = 0'})`);
        }
        if (f.source === 'imm') emit(`${op}64_imm`, { dst: insn.dst, imm: insn.imm });
        else emit(`${op}64_reg`, { dst: insn.dst, src: insn.src });
        return out;
      }
      case 'mov':
        if (f.source === 'imm') emit('mov64_imm', { dst: insn.dst, imm: insn.imm });
        else emit('mov64_reg', { dst: insn.dst, src: insn.src });
        return out;
      case 'neg':
        emit('neg64', { dst: insn.dst });
        return out;
      case 'bswap':
        if ((options.bswap ?? 'v4') === 'v4') emit(`bswap${f.swapBits}`, { dst: insn.dst });
        else {
          emit(`be${f.swapBits}`, { dst: insn.dst });
          say('note', 'transcode2013.bswap-be', `bswap${f.swapBits} became be${f.swapBits}: the same only on a little-endian host`);
        }
        return out;
      case 'ldx':
        emit(`ldx${SIZE_SFX[f.size ?? 8]}`, { dst: insn.dst, src: insn.src, off: insn.off });
        return out;
      case 'st':
        emit(`st${SIZE_SFX[f.size ?? 8]}`, { dst: insn.dst, off: insn.off, imm: insn.imm });
        return out;
      case 'stx':
        emit(`stx${SIZE_SFX[f.size ?? 8]}`, { dst: insn.dst, src: insn.src, off: insn.off });
        return out;
      case 'xadd':
        if (f.size !== 4 && f.size !== 8) {
          return fail('transcode2013.xadd-size', `${f.id}: modern BPF_ATOMIC add exists only for W and DW; a ${f.size === 1 ? 'byte' : 'half-word'} xadd has no faithful translation`);
        }
        emit(f.size === 8 ? 'atomic64_add' : 'atomic32_add', { dst: insn.dst, src: insn.src, off: insn.off });
        return out;
      case 'ja':
      case 'jcond': {
        const target = pc + 1 + insn.off;
        if (target < 0 || target > n) return fail('transcode2013.jump-range', `jump target ${target} is outside the program (0..${n - 1})`);
        out.fixups.push({ at: 0, target });
        if (f.kind === 'ja') emit('ja');
        else if (f.source === 'imm') emit(`j${f.cond}_imm`, { dst: insn.dst, imm: insn.imm });
        else emit(`j${f.cond}_reg`, { dst: insn.dst, src: insn.src });
        return out;
      }
      case 'ret':
        if (retMode === 'exit-zero') emit('mov64_imm', { dst: 0, imm: 0 });
        emit('exit');
        if (!retNoted) {
          retNoted = true;
          say('note', 'transcode2013.ret', retMode === 'exit-zero'
            ? 'ret returns nothing in 2013; it became r0 = 0; exit (a modern kprobe program returning 0 drops the event, as a 2013 filter always did)'
            : 'ret became exit, which returns r0 (2013 ret returned nothing)');
        }
        return out;
      case 'call':
        return translateCall(insn, pc, out, emit);
    }
    return out;
  });

  function translateCall(insn: Insn2013, pc: number, out: Chunk, emit: (id: string, fields?: Parameters<typeof makeInsn>[1]) => void): Chunk {
    const at = { pc };
    const name = strtabName(strtab, insn.imm);
    if (name === undefined) {
      diags.push(error('transcode2013.unknown-helper', `call ${insn.imm}: not an offset of a NUL-terminated name in the ${strtab.length}-byte strtab`, at));
      return out;
    }
    const dialectId = options.helperIds?.(name, insn.imm);
    if (dialectId !== undefined) {
      emit('call', { imm: dialectId });
      return out;
    }
    const h: Helper2013 | undefined = helper2013(name);
    if (!h || h.rewrite === 'none') {
      diags.push(error('transcode2013.no-modern-helper', `call ${insn.imm} (${name || '""'}): ${h?.reason ?? 'no modern helper is known for this name'}`, at));
      return out;
    }
    diags.push(warning('transcode2013.helper-semantics', `${name} -> ${h.rewrite === 'load-pointer' ? (options.loadPointerHelper ?? 'probe_read') : h.modern}: ${h.differences}`, at));
    switch (h.rewrite) {
      case 'direct':
        emit('call', { imm: h.modernId });
        break;
      case 'load-pointer':
        emit('stdw', { dst: REG_FP_2013, off: SCRATCH_OFF, imm: 0 });
        emit('mov64_reg', { dst: 3, src: 1 });
        emit('mov64_reg', { dst: 1, src: REG_FP_2013 });
        emit('add64_imm', { dst: 1, imm: SCRATCH_OFF });
        emit('mov64_imm', { dst: 2, imm: 8 });
        emit('call', { imm: MODERN_HELPER_ID[options.loadPointerHelper ?? 'probe_read'] });
        emit('ldxdw', { dst: 0, src: REG_FP_2013, off: SCRATCH_OFF });
        break;
      case 'table-lookup':
      case 'table-update': {
        const id = constantBefore(program, isTarget, pc, 2);
        if (id === undefined) {
          diags.push(error('transcode2013.table-id', `${name}: table_id in r2 is not a constant set by "mov r2, imm" in the same basic block`, at));
          return out;
        }
        if (!maps.some((m) => m.index === id)) {
          diags.push(error('transcode2013.table-id', `${name}: table_id ${id} names no translatable table (the program has ${options.tables?.length ?? 0})`, at));
          return out;
        }
        emit('lddw_map_idx', { dst: 1, imm: id, imm2: 0 });
        emit('mov64_reg', { dst: 2, src: 3 });
        if (h.rewrite === 'table-update') {
          emit('mov64_reg', { dst: 3, src: 4 });
          emit('mov64_imm', { dst: 4, imm: 0 });
        }
        emit('call', { imm: h.modernId });
        break;
      }
    }
    return out;
  }

  // Lay the chunks out in slots, then point every jump at the first slot of its target's chunk.
  const slotOf: number[] = [];
  let slot = 0;
  for (const c of chunks) {
    slotOf.push(slot);
    slot += slots(c.insns);
  }
  slotOf.push(slot);
  const insns: Insn[] = [];
  chunks.forEach((c, pc) => {
    let local = slotOf[pc];
    c.insns.forEach((ins, k) => {
      const fix = c.fixups.find((x) => x.at === k);
      if (fix) {
        const off = slotOf[fix.target] - (local + 1);
        if (off < -32768 || off > 32767) diags.push(error('transcode2013.jump-range', `jump offset ${off} does not fit in s16 after expansion`, { pc }));
        insns.push(withFields(ins, { off }));
      } else insns.push(ins);
      local += ins.form.kind === 'lddw' ? 2 : 1;
    });
  });
  return { dialect: 'ebpf', insns, slotOf, maps, diagnostics: diags };
}

/** transcode() over a whole 2013 program, tables included. */
export function transcodeProgram(program: Program2013, options: Omit<TranscodeOptions, 'tables'> = {}): TranscodeResult {
  return transcode(program.insns, program.strtab, { ...options, tables: program.tables });
}
