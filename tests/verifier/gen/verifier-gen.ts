// Seeded generator of random, well-formed programs that exercise the verifier's rules, for the kernel differential.
//
// A program is a prologue, a few random "snippets" and an epilogue, in llvm assembly (so that a disagreement
// prints as readable text). Each snippet exercises one family of rules (pointer arithmetic, spills and fills,
// map lookups, packet range proofs, bounded loops, bounds branches, helpers with size arguments) and with a
// small probability makes one deliberate mistake of that family (no null check, access past a proven range,
// unbounded offset, ...), so that about half the programs are accepted and both verdicts get compared. The
// generator never decides the verdict: the running kernel does.
//
// Register conventions (so that snippets compose): r6 = ctx for the whole program, r7 and r8 = scalars
// (r7 unknown, r8 bounded-ish), r9 = scratch that survives calls; r0-r5 are scratch within one snippet.
// Stack layout: fp-8..fp-64 are "slots" whose content the generator remembers (for fills), fp-72 is the map key,
// fp-128..fp-97 a 32-byte helper buffer, fp-160..fp-129 a loop/array region.
import { Rng } from '../../kernel/gen/rng';
import type { CorpusCase, CorpusMap } from '../corpus';
import { generateBoundsCase } from './bounds-gen';

export type GenProgType = 'socket_filter' | 'sched_cls' | 'xdp' | 'kprobe';
export const GEN_PROG_TYPES: readonly GenProgType[] = ['socket_filter', 'sched_cls', 'xdp', 'kprobe'];

export interface GenCase extends CorpusCase {
  readonly seed: number;
  readonly progType: GenProgType;
  /** The deliberate mistakes the generator made (empty: it meant the program to be accepted). */
  readonly mistakes: readonly string[];
  /** Snippet families used, for coverage. */
  readonly families: readonly string[];
}

export interface GenOptions {
  /** Probability that one snippet makes its mistake (default tuned for about half accepted). */
  readonly mistakeRate?: number;
  /** Number of snippets (default 2..6). */
  readonly snippets?: number;
  readonly progType?: GenProgType;
  /** 'bounds': small scalar-bounds programs (bounds-gen.ts) instead of snippet programs. */
  readonly family?: 'bounds';
}

type SlotContent = 'scalar' | 'ctx' | 'fp' | 'map_value' | 'map_value_or_null' | 'pkt' | 'zero' | 'partial';

const HASH_MAP: CorpusMap = { name: '', type: 'hash', keySize: 4, valueSize: 16, maxEntries: 8 };
const ARRAY_MAP: CorpusMap = { name: '', type: 'array', keySize: 4, valueSize: 32, maxEntries: 4 };
const RINGBUF_MAP: CorpusMap = { name: '', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 };
const PROG_ARRAY_MAP: CorpusMap = { name: '', type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 };

const SLOT_OFFS = [8, 16, 24, 32, 40, 48, 56, 64];
const BUF = -128;
const BUF_LEN = 32;

class Builder {
  readonly lines: string[] = [];
  readonly mistakes: string[] = [];
  readonly families: string[] = [];
  readonly slots = new Map<number, SlotContent>();
  /** Subprograms, emitted after the main program's exit. */
  readonly subprogs: string[][] = [];
  /** Maps in ld_pseudo index order; the program references only those it uses. */
  readonly maps: CorpusMap[] = [];
  private label = 0;

  constructor(readonly rng: Rng, readonly type: GenProgType, readonly mistakeRate: number) {}

  emit(...l: string[]): void {
    this.lines.push(...l);
  }

  /** The ld_pseudo index of a map of this kind, added on first use. */
  mapIndex(m: CorpusMap): number {
    const i = this.maps.indexOf(m);
    if (i >= 0) return i;
    this.maps.push(m);
    return this.maps.length - 1;
  }

  fresh(): string {
    return `L${this.label++}`;
  }

  /** Decides whether this snippet makes its mistake `what`; records it. */
  mistake(what: string): boolean {
    if (!this.rng.chance(this.mistakeRate)) return false;
    this.mistakes.push(what);
    return true;
  }

  get hasPacket(): boolean {
    return this.type === 'xdp' || this.type === 'sched_cls';
  }

  /** Loads data and data_end into the given registers. */
  packetPtrs(data: string, end: string): void {
    const [d, e] = this.type === 'xdp' ? [0, 4] : [76, 80];
    this.emit(`${data} = *(u32 *)(r6 + ${d})`, `${end} = *(u32 *)(r6 + ${e})`);
  }

  /** A ctx load that yields a scalar for this program type. */
  ctxScalar(dst: string): void {
    switch (this.type) {
      case 'xdp': this.emit(`${dst} = *(u32 *)(r6 + ${this.rng.pick([12, 16])})`); break; // rx_queue_index, egress_ifindex
      case 'kprobe': this.emit(`${dst} = *(u64 *)(r6 + ${8 * this.rng.int(0, 20)})`); break;
      default: this.emit(`${dst} = *(u32 *)(r6 + ${this.rng.pick([0, 4, 8, 16])})`); // len, pkt_type, mark, protocol
    }
  }
}

/** `(reg + off)` / `(reg - off)` as llvm spells a memory operand. */
const at = (reg: string, off: number): string => (off < 0 ? `(${reg} - ${-off})` : `(${reg} + ${off})`);

const SIZES = ['u8', 'u16', 'u32', 'u64'] as const;
const SIZE_BYTES: Record<(typeof SIZES)[number], number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

function aluSnippet(b: Builder): void {
  b.families.push('alu');
  const r = b.rng;
  const dst = r.pick(['r8', 'r9']);
  if (r.chance(0.5)) b.ctxScalar(dst);
  else b.emit(`${dst} = ${r.int(-100, 1000)}`);
  for (let i = r.int(1, 4); i > 0; i--) {
    const op = r.pick(['+=', '-=', '&=', '|=', '^=', '<<=', '>>=', '*=', 's>>=', '/=', '%=']);
    let imm: number;
    if (op.includes('<<') || op.includes('>>')) imm = r.int(0, 63);
    else if (op === '/=' || op === '%=') imm = r.int(1, 17);
    else imm = r.pick([r.int(0, 255), r.interesting32()]);
    const w = r.chance(0.25) ? `w${dst.slice(1)}` : dst;
    if (w.startsWith('w') && (op.includes('<<') || op.includes('>>'))) imm &= 31;
    b.emit(`${w} ${op} ${imm}`);
  }
  if (b.mistake('alu: pointer operand in a forbidden op')) {
    b.emit(r.pick(['r1 = r6\nr1 *= 2', 'r1 = r10\nr1 &= 0xff', 'r1 = r6\nw1 += 1', 'r1 = r10\nr1 += r6', 'r1 = r10\nr1 -= r8']));
  } else if (b.mistake('alu: division by constant zero or oversized shift')) {
    b.emit(r.pick(['r8 /= 0', 'r8 %= 0', 'r8 <<= 64', 'w8 >>= 32']));
  }
}

function boundsBranchSnippet(b: Builder): void {
  b.families.push('bounds-branch');
  const r = b.rng;
  const skip = b.fresh();
  const lim = r.pick([7, 15, 16, 31, 63, 100, 255]);
  b.ctxScalar('r8');
  const cmp = r.pick(['>', '>=', 's>', 's>=']);
  b.emit(`if r8 ${cmp} ${lim} goto ${skip}`);
  if (cmp.startsWith('s')) b.emit(r.chance(0.7) ? `if r8 s< 0 goto ${skip}` : `if w8 s< 0 goto ${skip}`);
  // In range: r8 is a bounded scalar; use it as a stack buffer index through a map value or plain arithmetic.
  b.emit('r0 = r8', 'r0 += 1', `r0 &= ${r.pick([0xff, 0xffff, 7])}`);
  b.emit(`${skip}:`);
}

function spillSnippet(b: Builder): void {
  b.families.push('spill');
  const r = b.rng;
  const off = r.pick(SLOT_OFFS);
  const what = r.pick(['ctx', 'fp', 'scalar', 'zero', 'partial'] as const);
  switch (what) {
    case 'ctx': b.emit(`*(u64 *)(r10 - ${off}) = r6`); break;
    case 'fp': b.emit('r1 = r10', `r1 += -${r.pick(SLOT_OFFS)}`, `*(u64 *)(r10 - ${off}) = r1`); break;
    case 'scalar': b.ctxScalar('r1'); b.emit(`*(u64 *)(r10 - ${off}) = r1`); break;
    case 'zero': b.emit(`*(u64 *)(r10 - ${off}) = 0`); break;
    case 'partial': {
      const sz = r.pick(['u8', 'u16', 'u32'] as const);
      const n = SIZE_BYTES[sz];
      b.emit(`*(${sz} *)(r10 - ${off - n * r.int(0, 8 / n - 1)}) = r${r.pick([6, 7])}`);
      break;
    }
  }
  b.slots.set(off, what);
  if (b.mistake('spill: stack write out of bounds or misaligned')) {
    b.emit(r.pick([`*(u64 *)(r10 + 8) = r7`, `*(u64 *)(r10 - 520) = r7`, `*(u32 *)(r10 - ${off - 2}) = r7`, `*(u64 *)(r10 - 4) = r7`]));
  }
}

function fillSnippet(b: Builder): void {
  b.families.push('fill');
  const r = b.rng;
  const known = [...b.slots.entries()];
  if (known.length === 0) {
    spillSnippet(b);
    return;
  }
  const [off, what] = r.pick(known);
  if (b.mistake('fill: narrow fill of a spilled pointer, then dereference')) {
    b.emit(`r1 = *(u32 *)(r10 - ${off})`, 'r0 = *(u32 *)(r1 + 0)');
    return;
  }
  b.emit(`r1 = *(u64 *)(r10 - ${off})`);
  switch (what) {
    case 'ctx': b.emit(b.type === 'kprobe' ? 'r0 = *(u64 *)(r1 + 0)' : b.type === 'xdp' ? 'r0 = *(u32 *)(r1 + 12)' : 'r0 = *(u32 *)(r1 + 0)'); break;
    case 'fp': b.emit('r0 = *(u64 *)(r1 + 0)'); break;
    case 'map_value': b.emit('r0 = *(u32 *)(r1 + 0)'); break;
    case 'map_value_or_null': {
      const skip = b.fresh();
      if (!b.mistake('fill: dereference of a filled map_value_or_null without a null check')) b.emit(`if r1 == 0 goto ${skip}`);
      b.emit('r0 = *(u32 *)(r1 + 0)', `${skip}:`);
      break;
    }
    default:
      if (b.mistake('fill: dereference of a filled scalar')) b.emit('r0 = *(u64 *)(r1 + 0)');
      else b.emit('r1 += 1', 'r9 = r1');
  }
}

function mapSnippet(b: Builder): void {
  b.families.push('map');
  const r = b.rng;
  const m = r.pick([HASH_MAP, ARRAY_MAP]);
  const idx = b.mapIndex(m);
  const skip = b.fresh();
  b.emit(`*(u32 *)(r10 - 72) = ${r.int(0, m.maxEntries)}`, 'r2 = r10', 'r2 += -72', `ld_pseudo r1, 5, ${idx}`, 'call 1');
  const spillOr = r.chance(0.25);
  const slot = r.pick(SLOT_OFFS);
  if (spillOr) {
    // Spill before the null check: the check must also refine the spilled copy (same id).
    b.emit(`*(u64 *)(r10 - ${slot}) = r0`);
    b.slots.set(slot, 'map_value_or_null');
  }
  if (!b.mistake('map: no null check before the access')) b.emit(`if r0 == 0 goto ${skip}`);
  if (spillOr && r.chance(0.5)) {
    b.emit(`r0 = *(u64 *)(r10 - ${slot})`);
  }
  const sz = r.pick(SIZES);
  const n = SIZE_BYTES[sz];
  switch (r.int(0, 3)) {
    case 0: { // constant offset
      let off = n * r.int(0, m.valueSize / n - 1);
      if (b.mistake('map: constant offset past value_size')) off = m.valueSize - (r.chance(0.5) ? Math.max(1, n >> 1) : 0);
      b.emit(r.chance(0.5) ? `r1 = *(${sz} *)(r0 + ${off})` : `*(${sz} *)(r0 + ${off}) = ${r.int(0, 99)}`);
      break;
    }
    case 1: { // variable offset, bounded by a mask or a branch
      b.emit(r.pick(['r1 = *(u32 *)(r0 + 0)', 'r1 = *(u8 *)(r0 + 1)', 'r1 = r8', 'r1 = *(u64 *)(r0 + 0)', 'r1 = *(s8 *)(r0 + 1)', 'r1 = *(s16 *)(r0 + 0)', 'r1 = *(s32 *)(r0 + 4)']));
      // Conversions whose bounds the verifier must track: sign extension (64- and 32-bit), byte swap, 32-bit moves;
      // a copy first links the two registers (the bounds check below then refines both).
      if (r.chance(0.2)) b.emit(r.pick(['r2 = r1', 'w2 = w1', 'r2 = (s8)r1', 'w2 = (s16)w1']));
      if (r.chance(0.3)) b.emit(r.pick(['r1 = (s8)r1', 'r1 = (s16)r1', 'w1 = w1', 'r1 = be16 r1', 'r1 = le32 r1', 'w1 = (s8)w1', 'r1 = bswap16 r1', 'r1 = bswap32 r1', 'r1 = be32 r1', 'r1 = be64 r1', 'r1 = le64 r1', 'r1 = -r1', 'w1 = (s16)w1', 'r1 = (s32)r1']));
      const bad = b.mistake('map: variable offset not (enough) bounded');
      if (r.chance(0.5)) b.emit(`r1 &= ${bad ? r.pick([m.valueSize, 0xff, -1]) : m.valueSize - 8}`);
      else if (!bad) {
        b.emit(r.pick([`if r1 > ${m.valueSize - 8} goto ${skip}`, `if w1 > ${m.valueSize - 8} goto ${skip}`, `if r1 s> ${m.valueSize - 8} goto ${skip}`]));
        // A signed upper bound alone leaves negative values: the kernel then wants a lower bound too.
        if (r.chance(0.5)) b.emit(`if r1 s< 0 goto ${skip}`);
      }
      b.emit('r0 += r1', 'r1 = *(u64 *)(r0 + 0)');
      break;
    }
    case 2: { // keep the value pointer: spill it, fill it later
      const s = r.pick(SLOT_OFFS);
      b.emit(`*(u64 *)(r10 - ${s}) = r0`, `r2 = *(u64 *)(r10 - ${s})`, `r1 = *(${sz} *)(r2 + 0)`);
      b.slots.set(s, 'map_value');
      break;
    }
    default: { // value pointer + constant, then access, maybe with a negative offset
      const add = 8 * r.int(0, m.valueSize / 8 - 1);
      b.emit(`r0 += ${add}`);
      let off = 0;
      if (b.mistake('map: negative offset from the value start')) off = -8 - add;
      b.emit(`r1 = *(u64 *)${at('r0', off)}`);
    }
  }
  if (r.chance(0.3)) {
    // map_update_elem with key and value on the stack.
    b.emit(`*(u64 *)(r10 - ${b.hasPacket ? 96 : 88}) = r7`, 'r2 = r10', 'r2 += -72', 'r3 = r10', `r3 += -${b.hasPacket ? 96 : 88}`, 'r4 = 0', `ld_pseudo r1, 5, ${idx}`, 'call 2');
  }
  b.emit(`${skip}:`);
}

function packetSnippet(b: Builder): void {
  if (!b.hasPacket) {
    helperSnippet(b);
    return;
  }
  b.families.push('packet');
  const r = b.rng;
  const skip = b.fresh();
  if (b.type === 'xdp' && r.chance(0.2)) b.emit('r2 = *(u32 *)(r6 + 8)', 'r3 = *(u32 *)(r6 + 0)'); // data_meta .. data
  else b.packetPtrs('r2', 'r3');
  const range = r.pick([1, 2, 4, 8, 14, 20, 34]);
  b.emit('r4 = r2', `r4 += ${range}`);
  const form = r.int(0, 3);
  if (b.mistake('packet: no range check')) {
    // nothing
  } else if (form === 0) b.emit(`if r4 > r3 goto ${skip}`);
  else if (form === 1) b.emit(`if r3 < r4 goto ${skip}`);
  else if (form === 2) b.emit(`if r4 <= r3 goto +1`, `goto ${skip}`);
  else b.emit(`if r3 >= r4 goto +1`, `goto ${skip}`);
  const sz = r.pick(SIZES.filter((s) => SIZE_BYTES[s] <= range));
  const n = SIZE_BYTES[sz];
  let off = r.int(0, range - n);
  if (b.mistake('packet: access past the proven range')) off = range - n + r.int(1, 3);
  const write = r.chance(0.3) && !(b.type === 'sched_cls' && false);
  b.emit(write ? `*(${sz} *)(r2 + ${off}) = ${r.int(0, 255)}` : `r0 = *(${sz} *)(r2 + ${off})`);
  if (r.chance(0.4)) {
    // Variable offset: a loaded byte, masked, added to data, then a second range proof.
    b.emit(`r5 = *(u8 *)(r2 + 0)`);
    if (!b.mistake('packet: variable offset from an unbounded register')) b.emit(`r5 &= ${r.pick([0x7, 0xf, 0x3f])}`);
    else b.emit('r5 = r7');
    b.emit('r2 += r5', 'r4 = r2', 'r4 += 2', `if r4 > r3 goto ${skip}`, 'r0 = *(u16 *)(r2 + 0)');
  }
  if (r.chance(0.2)) {
    // Spill a packet pointer and fill it back: the range survives the spill.
    const s = r.pick(SLOT_OFFS);
    b.emit(`*(u64 *)(r10 - ${s}) = r2`, `r1 = *(u64 *)(r10 - ${s})`, 'r0 = *(u8 *)(r1 + 0)');
    b.slots.set(s, 'pkt');
  }
  b.emit(`${skip}:`);
}

function loopSnippet(b: Builder): void {
  b.families.push('loop');
  const r = b.rng;
  const top = b.fresh();
  const n = r.int(2, 12);
  b.emit('r1 = 0', 'r2 = 0', `${top}:`);
  switch (r.int(0, 2)) {
    case 0: b.emit('r2 += r1'); break;
    case 1: b.emit('r3 = r1', 'r3 &= 3', 'r3 <<= 3', 'r4 = r10', `r4 += ${BUF}`, 'r4 += r3', '*(u64 *)(r4 + 0) = r2'); break;
    default: b.emit('r2 ^= r1', 'r2 <<= 1');
  }
  if (b.mistake('loop: back-edge without progress')) {
    b.emit(`if r1 < ${n} goto ${top}`);
    return;
  }
  b.emit('r1 += 1');
  if (r.chance(0.3)) {
    // Loop bound from the program's input, bounded by a mask.
    b.emit('r3 = r8', `r3 &= ${r.pick([3, 7])}`, `if r1 < r3 goto ${top}`);
  } else b.emit(`if r1 ${r.pick(['<', '!='])} ${n} goto ${top}`);
  b.emit('r9 = r2');
}

function helperSnippet(b: Builder): void {
  b.families.push('helper');
  const r = b.rng;
  const bad = b.mistake('helper: size argument too large, unbounded or zero');
  const size = (): void => {
    if (!bad) {
      if (r.chance(0.7)) b.emit(`r2 = ${r.int(1, BUF_LEN)}`);
      else b.emit('r2 = r8', `r2 &= ${r.pick([7, 15, 31])}`, 'r2 += 1');
    } else b.emit(r.pick([`r2 = ${BUF_LEN + r.int(1, 16)}`, 'r2 = r7', 'r2 = 0', 'r2 = r8\nr2 &= 63']));
  };
  switch (b.type) {
    case 'kprobe': {
      b.emit('r1 = r10', `r1 += ${BUF}`);
      size();
      if (r.chance(0.5)) b.emit('call 16'); // get_current_comm(buf, size)
      else b.emit('r3 = r6', 'call 113'); // probe_read_kernel(dst, size, src)
      break;
    }
    case 'xdp': {
      // probe_read_kernel(dst, size, src): xdp's modelled helper with a size argument.
      b.emit('r1 = r10', `r1 += ${BUF}`);
      size();
      b.emit('r3 = r6', 'call 113');
      break;
    }
    default: {
      b.emit('r1 = r10', `r1 += ${BUF}`);
      size();
      if (r.chance(0.3)) b.emit('r3 = r6', 'call 113');
      else b.emit('r4 = r2', 'r3 = r1', `r2 = ${r.int(0, 20)}`, 'r1 = r6', 'call 26'); // skb_load_bytes(ctx, off, buf, len)
    }
  }
  if (r.chance(0.3)) b.emit(`r0 = *(u64 *)(r10 - ${-BUF})`);
  if (b.mistake('helper: reads a caller-saved register after the call')) b.emit(`r9 = r${r.int(1, 5)}`);
}

function ptrArithSnippet(b: Builder): void {
  b.families.push('ptr-arith');
  const r = b.rng;
  const base = 8 * r.int(1, 20);
  b.emit('r1 = r10', `r1 += -${base}`);
  let off = 8 * r.int(0, base / 8 - 1);
  if (b.mistake('ptr-arith: stack pointer arithmetic leaves the frame')) off = r.pick([base, base + 8, -520 + base]);
  b.emit(`*(u64 *)${at('r1', off)} = r8`);
  if (r.chance(0.3)) {
    if (b.mistake('ptr-arith: access through a modified ctx pointer')) b.emit('r2 = r6', 'r2 += 4', 'r0 = *(u32 *)(r2 + 0)');
    else if (b.hasPacket) {
      // pkt_end - pkt: pointer difference is a scalar.
      b.packetPtrs('r2', 'r3');
      b.emit('r3 -= r2', 'r9 = r3');
    }
  }
}

function subprogSnippet(b: Builder): void {
  b.families.push('subprog');
  const r = b.rng;
  const name = `F${b.subprogs.length}`;
  const body: string[] = [];
  const off = r.pick(SLOT_OFFS);
  const arg = r.pick(['fp', 'ctx', 'scalar'] as const);
  if (arg === 'fp') b.emit('r1 = r10', `r1 += -${off}`);
  else if (arg === 'ctx') b.emit('r1 = r6');
  else b.emit('r1 = r8');
  b.emit('r2 = r8', `r2 &= ${r.pick([0xff, 0xf, 7])}`, `call ${name}`, r.chance(0.5) ? 'r9 = r0' : 'r9 += r0');
  if (arg === 'fp') {
    b.slots.set(off, 'scalar');
    body.push(r.chance(0.5) ? '*(u64 *)(r1 + 0) = r2' : '*(u32 *)(r1 + 4) = 7', 'r0 = *(u64 *)(r1 + 0)');
    if (r.chance(0.3)) body.push('*(u64 *)(r10 - 8) = r1', 'r3 = *(u64 *)(r10 - 8)', 'r0 = *(u8 *)(r3 + 0)');
  } else if (arg === 'ctx') {
    body.push(b.type === 'kprobe' ? 'r0 = *(u64 *)(r1 + 8)' : b.type === 'xdp' ? 'r0 = *(u32 *)(r1 + 12)' : 'r0 = *(u32 *)(r1 + 0)');
  } else body.push('r0 = r1', 'r0 += r2');
  switch (b.mistake('subprog: callee reads a callee-saved register, returns its stack, or writes past the caller frame') ? r.int(0, 2) : -1) {
    case 0: body.push('r0 = r6'); break;
    case 1: body.push('r0 = r10'); break;
    case 2: body.push(arg === 'fp' ? `*(u64 *)(r1 + ${off}) = 0` : 'r0 = *(u64 *)(r1 + 0)'); break;
    default: body.push(`r0 &= ${r.pick([0xff, 0xffff])}`);
  }
  body.push('exit');
  b.subprogs.push([`${name}:`, ...body]);
}

function atomicSnippet(b: Builder): void {
  b.families.push('atomic');
  const r = b.rng;
  const off = r.pick(SLOT_OFFS);
  const op = r.pick(['add', 'or', 'and', 'xor', 'fetch_add', 'xchg', 'cmpxchg']);
  const sz = r.chance(0.7) ? 'u64' : 'u32';
  b.emit(`*(u64 *)(r10 - ${off}) = 1`);
  b.slots.set(off, 'scalar');
  let base = 'r10';
  let at = -off;
  if (b.mistake('atomic: on the ctx or at a misaligned address')) {
    if (r.chance(0.5)) [base, at] = ['r6', 0];
    else at = -off + 2;
  }
  const mem = `(${sz} *)(${base} ${at < 0 ? '-' : '+'} ${Math.abs(at)})`;
  const w = sz === 'u64' ? 'r' : 'w';
  b.emit('r1 = 3', 'r0 = 1');
  switch (op) {
    case 'fetch_add': b.emit(`${w}1 = atomic_fetch_add(${mem}, ${w}1)`); break;
    case 'xchg': b.emit(`${w}1 = xchg_64(${base} ${at < 0 ? '-' : '+'} ${Math.abs(at)}, ${w}1)`.replace('xchg_64', sz === 'u64' ? 'xchg_64' : 'xchg32_32')); break;
    case 'cmpxchg': b.emit(`${w}0 = ${sz === 'u64' ? 'cmpxchg_64' : 'cmpxchg32_32'}(${base} ${at < 0 ? '-' : '+'} ${Math.abs(at)}, ${w}0, ${w}1)`); break;
    default: b.emit(`lock *${mem} ${op === 'add' ? '+' : op === 'or' ? '|' : op === 'and' ? '&' : '^'}= ${w}1`);
  }
}

function ringbufSnippet(b: Builder): void {
  if (b.type !== 'kprobe') {
    tailCallSnippet(b);
    return;
  }
  b.families.push('ringbuf');
  const r = b.rng;
  const idx = b.mapIndex(RINGBUF_MAP);
  const skip = b.fresh();
  const size = r.pick([8, 16, 24]);
  b.emit(`ld_pseudo r1, 5, ${idx}`, `r2 = ${size}`, 'r3 = 0', 'call 131');
  if (!b.mistake('ringbuf: record used without a null check')) b.emit(`if r0 == 0 goto ${skip}`);
  let off = 8 * r.int(0, size / 8 - 1);
  if (b.mistake('ringbuf: write past the reserved size')) off = size;
  b.emit(`*(u64 *)(r0 + ${off}) = r8`, 'r1 = r0', 'r2 = 0');
  if (!b.mistake('ringbuf: record never submitted (reference leak)')) b.emit(`call ${r.pick([132, 133])}`);
  b.emit(`${skip}:`);
}

function tailCallSnippet(b: Builder): void {
  b.families.push('tail-call');
  const r = b.rng;
  const idx = b.mapIndex(PROG_ARRAY_MAP);
  b.emit(b.mistake('tail-call: r1 is not the ctx') ? 'r1 = r10' : 'r1 = r6', `ld_pseudo r2, 5, ${idx}`, `r3 = ${r.chance(0.7) ? r.int(0, 5) : 'r8'}`, 'call 12');
}

function stackVarSnippet(b: Builder): void {
  b.families.push('stack-var-offset');
  const r = b.rng;
  // A bounded variable offset into the helper buffer: privileged programs may use variable stack offsets.
  b.emit('r1 = r8', `r1 &= ${b.mistake('stack-var: offset range leaves the buffer') ? 63 : r.pick([7, 15, 24])}`, 'r2 = r10', `r2 += ${BUF}`, 'r2 += r1');
  b.emit(r.chance(0.5) ? '*(u8 *)(r2 + 0) = 1' : 'r0 = *(u8 *)(r2 + 0)');
}

function chaosSnippet(b: Builder): void {
  b.families.push('chaos');
  const r = b.rng;
  // Only as a mistake: a random register used as a pointer (type confusion; uninitialised registers).
  if (!b.mistake('chaos: a random register dereferenced')) return;
  const src = r.int(0, 10);
  b.emit(`r${r.int(1, 5)} = r${src}`);
  const sz = r.pick(SIZES);
  b.emit(r.chance(0.5) ? `r0 = *(${sz} *)(r${r.int(0, 5)} + ${SIZE_BYTES[sz] * r.int(0, 4)})` : `*(${sz} *)(r${r.int(0, 5)} + 0) = 1`);
}

const FAMILIES: ReadonlyArray<(b: Builder) => void> = [
  aluSnippet, boundsBranchSnippet, spillSnippet, fillSnippet, mapSnippet, mapSnippet, packetSnippet, packetSnippet,
  loopSnippet, helperSnippet, ptrArithSnippet, subprogSnippet, atomicSnippet, ringbufSnippet, stackVarSnippet, chaosSnippet,
];

export function generateCase(seed: number, opts: GenOptions = {}): GenCase {
  if (opts.family === 'bounds') return generateBoundsCase(seed);
  const rng = new Rng(seed);
  const type = opts.progType ?? rng.pick(GEN_PROG_TYPES);
  const b = new Builder(rng, type, opts.mistakeRate ?? 0.1);
  b.emit('r6 = r1');
  // r7: an unknown scalar; r8: a ctx scalar (both survive helper calls).
  if (rng.chance(0.5)) b.emit('call 7', 'r7 = r0');
  else b.emit('r7 = *(u64 *)(r10 - 8)');
  b.ctxScalar('r8');
  b.emit('r9 = 0');
  const n = opts.snippets ?? rng.int(2, 6);
  for (let i = 0; i < n; i++) rng.pick(FAMILIES)(b);
  if (b.mistake('exit: r0 not set')) b.emit('exit');
  else b.emit(`r0 = ${rng.int(0, 2)}`, 'exit');
  for (const sp of b.subprogs) b.emit(...sp);
  return {
    name: `gen-${seed}`, rule: b.families.join(','), progType: type, seed, asm: b.lines.join('\n'),
    maps: b.maps, mistakes: b.mistakes, families: b.families,
  };
}
