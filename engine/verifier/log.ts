// The verifier log: kernel-format register and stack printing (kernel/bpf/log.c) and a buffer that can rewind.
import { tnumIsConst, tnumIsUnknown, tnumPrint } from './tnum';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, u32 } from './bounds';
import { EMPTY_SLOT, type FrameState, type RegState, type SlotType } from './state';

/**
 * Hex of a u64 bit pattern. Below 2^53 through a Number: BigInt's toString is several times slower, and a
 * million-insn log at level 1 prints a constant on nearly every line.
 */
function hex64(u: bigint): string {
  return u <= 0x1f_ffff_ffff_ffffn ? `0x${Number(u).toString(16)}` : `0x${u.toString(16)}`;
}

/** verbose_snum: decimal within [S16_MIN, S16_MAX], else hex of the u64 bit pattern (kernel/bpf/log.c). */
export function snum(v: bigint): string {
  return v >= -32768n && v <= 32767n ? String(Number(v)) : hex64(BigInt.asUintN(64, v));
}
/** verbose_unum: decimal up to U16_MAX, else hex. */
export function unum(v: bigint): string {
  return v <= 65535n ? String(Number(v)) : hex64(v);
}

/** reg_type_str: "map_value_or_null", "ringbuf_mem", "fp", ... */
export function regTypeStr(r: Pick<RegState, 'type' | 'maybeNull' | 'ringbuf' | 'rdonly'>): string {
  const base: Record<string, string> = {
    NOT_INIT: '?', SCALAR_VALUE: 'scalar', PTR_TO_CTX: 'ctx', CONST_PTR_TO_MAP: 'map_ptr', PTR_TO_MAP_VALUE: 'map_value',
    PTR_TO_MAP_KEY: 'map_key', PTR_TO_STACK: 'fp', PTR_TO_PACKET: 'pkt', PTR_TO_PACKET_META: 'pkt_meta',
    PTR_TO_PACKET_END: 'pkt_end', PTR_TO_MEM: 'mem', PTR_TO_SOCK_COMMON: 'sock_common', PTR_TO_FUNC: 'func',
  };
  const prefix = (r.rdonly ? 'rdonly_' : '') + (r.ringbuf ? 'ringbuf_' : '');
  return `${prefix}${base[r.type]}${r.maybeNull ? '_or_null' : ''}`;
}

function scalarRanges(r: RegState): string[] {
  const dec32 = (v: bigint): bigint => (v >= -32768n && v <= 32767n ? v : u32(v));
  const m = [
    { name: 'smin', val: BigInt.asUintN(64, r.smin), omit: r.smin === S64_MIN },
    { name: 'smax', val: BigInt.asUintN(64, r.smax), omit: r.smax === S64_MAX },
    { name: 'umin', val: r.umin, omit: r.umin === 0n },
    { name: 'umax', val: r.umax, omit: r.umax === U64_MAX },
    { name: 'smin32', val: BigInt.asUintN(64, dec32(r.s32min)), omit: r.s32min === S32_MIN },
    { name: 'smax32', val: BigInt.asUintN(64, dec32(r.s32max)), omit: r.s32max === S32_MAX },
    { name: 'umin32', val: r.u32min, omit: r.u32min === 0n },
    { name: 'umax32', val: r.u32max, omit: r.u32max === U32_MAX },
  ];
  const out: string[] = [];
  for (let i = 0; i < m.length; i++) {
    const m1 = m[i];
    if (m1.omit) continue;
    const neg1 = m1.name[0] === 's' && BigInt.asIntN(64, m1.val) < 0n;
    let s = `${m1.name}=`;
    for (let j = i + 2; j < m.length; j += 2) {
      const m2 = m[j];
      if (m2.omit || m2.val !== m1.val) continue;
      const neg2 = m2.name[0] === 's' && BigInt.asIntN(64, m2.val) < 0n;
      if (neg2 !== neg1) continue;
      m2.omit = true;
      s += `${m2.name}=`;
    }
    s += m1.name[0] === 's' ? snum(BigInt.asIntN(64, m1.val)) : unum(m1.val);
    out.push(s);
  }
  return out;
}

/** print_reg_state: the text after "R1=". */
export function printReg(r: RegState, curFrameno: number): string {
  let s = '';
  if (r.type === 'SCALAR_VALUE' && r.precise) s += 'P';
  if (r.type === 'SCALAR_VALUE' && tnumIsConst(r.varOff)) return s + snum(BigInt.asIntN(64, r.varOff.value));
  s += regTypeStr(r);
  if (r.type === 'PTR_TO_STACK') {
    if (r.frameno !== curFrameno) s += `[${r.frameno}]`;
    if (tnumIsConst(r.varOff)) return s + snum(BigInt.asIntN(64, r.varOff.value) + BigInt(r.off));
  }
  const parts: string[] = [];
  if (r.id) parts.push(`id=${r.id}${r.addConst ? (r.off >= 0 ? `+${r.off}` : `${r.off}`) : ''}`);
  if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
  if ((r.type === 'CONST_PTR_TO_MAP' || r.type === 'PTR_TO_MAP_VALUE' || r.type === 'PTR_TO_MAP_KEY') && r.map) {
    if (r.map.name) parts.push(`map=${r.map.name}`);
    parts.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (r.type !== 'SCALAR_VALUE' && r.off) parts.push(`off=${snum(BigInt(r.off))}`);
  if (r.type === 'PTR_TO_PACKET' || r.type === 'PTR_TO_PACKET_META') parts.push(`r=${unum(BigInt.asUintN(64, BigInt(r.range)))}`);
  if (r.type === 'PTR_TO_MEM') parts.push(`sz=${unum(BigInt(r.memSize))}`);
  if (tnumIsConst(r.varOff)) {
    if (r.varOff.value) parts.push(`imm=${snum(BigInt.asIntN(64, r.varOff.value))}`);
  } else {
    parts.push(...scalarRanges(r));
    if (!tnumIsUnknown(r.varOff)) parts.push(`var_off=${tnumPrint(r.varOff)}`);
  }
  return `${s}(${parts.join(',')})`;
}

const isInvalid = (t: SlotType): boolean => t === 'INVALID';

const SLOT_CHAR: Record<SlotType, string> = { INVALID: '?', SPILL: 'r', MISC: 'm', ZERO: '0' };

/** Which registers and stack slots an instruction touched (the kernel's scratched_regs/scratched_stack_slots masks). */
export interface Scratch {
  /** Bit r: register r. */
  regs: number;
  /** Bit i: stack slot i (slots 0-31). */
  slotsLo: number;
  /** Bit i - 32: stack slot i (slots 32-63). */
  slotsHi: number;
}

/** Whether slot `spi` is marked in the scratch masks. */
function slotScratched(sc: Scratch, spi: number): boolean {
  return spi < 32 ? ((sc.slotsLo >>> spi) & 1) !== 0 : ((sc.slotsHi >>> (spi - 32)) & 1) !== 0;
}

/** print_verifier_state for one frame: " R1=ctx() R10=fp0 fp-8=mmmmmmmm", without the trailing newline. */
export function printFrame(f: FrameState, scratch: Scratch | 'all', refs: readonly number[]): string {
  let s = '';
  if (f.frameno) s += ` frame${f.frameno}:`;
  for (let i = 0; i < 11; i++) {
    const r = f.regs[i];
    if (r.type === 'NOT_INIT') continue;
    if (scratch !== 'all' && !((scratch.regs >>> i) & 1)) continue;
    s += ` R${i}=${printReg(r, f.frameno)}`;
  }
  // Most instructions touch no slot: skip the 64-slot walk then.
  const slots = scratch === 'all' || scratch.slotsLo !== 0 || scratch.slotsHi !== 0 ? f.stack.length : 0;
  for (let i = 0; i < slots; i++) {
    if (scratch !== 'all' && !slotScratched(scratch, i)) continue;
    const sl = f.stack[i];
    if (sl === EMPTY_SLOT || sl.types.every(isInvalid)) continue;
    let types = sl.types.map((t) => SLOT_CHAR[t]).join('');
    if (sl.types[7] === 'SPILL') {
      types = types.slice(0, sl.types.indexOf('SPILL'));
      s += ` fp${-(i + 1) * 8}=${types}${printReg(sl.spilled, f.frameno)}`;
    } else {
      s += ` fp${-(i + 1) * 8}=${types}`;
    }
  }
  if (refs.length) s += ` refs=${refs.join(',')}`;
  return s;
}

/** The log compacts when this many pieces follow its joined runs, keeping the newest COMPACT_KEEP apart. */
const COMPACT_AT = 4096;
const COMPACT_KEEP = 64;

/**
 * The log buffer: appends text, remembers positions, and rewinds like bpf_vlog_reset. Kept as chunks so that the
 * per-instruction rewind (to append "; R0=..." to the previous line) costs O(1), not a copy of the whole log.
 */
export class VerifierLog {
  private chunks: string[] = [];
  private len = 0;
  /** chunks[0..joined) are already joined runs of COMPACT_RUN pieces. */
  private joined = 0;
  constructor(readonly level: number) {}
  get enabled(): boolean {
    return this.level > 0;
  }
  get pos(): number {
    return this.len;
  }
  write(s: string): void {
    if (this.level > 0 && s.length) {
      this.chunks.push(s);
      this.len += s.length;
      if (this.chunks.length - this.joined >= COMPACT_AT) this.compact();
    }
  }
  /**
   * Joins the older small pieces into one string, keeping the newest few (which resets still cut) as they are: a
   * million-insn log is millions of pieces, which would otherwise all live until the end and be joined at once.
   */
  private compact(): void {
    const end = this.chunks.length - COMPACT_KEEP;
    const run = this.chunks.slice(this.joined, end).join('');
    this.chunks.splice(this.joined, end - this.joined, run);
    this.joined++;
  }
  reset(pos: number): void {
    while (this.len > pos) {
      const last = this.chunks[this.chunks.length - 1];
      if (this.len - last.length >= pos) {
        this.chunks.pop();
        this.len -= last.length;
      } else {
        this.chunks[this.chunks.length - 1] = last.slice(0, pos - (this.len - last.length));
        this.len = pos;
      }
    }
    this.joined = Math.min(this.joined, this.chunks.length);
  }
  toString(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    this.joined = this.chunks.length;
    return this.chunks[0] ?? '';
  }
}
