// The abstract state: register and stack-slot states per frame, the kernel's struct bpf_verifier_state as data.
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, type Bounds } from './bounds';
import { tnumConst, tnumEq, tnumIsConst, tnumUnknown, type Tnum } from './tnum';

/** enum bpf_reg_type base types that this verifier models. */
export type RegType =
  | 'NOT_INIT'
  | 'SCALAR_VALUE'
  | 'PTR_TO_CTX'
  | 'CONST_PTR_TO_MAP'
  | 'PTR_TO_MAP_VALUE'
  | 'PTR_TO_MAP_KEY'
  | 'PTR_TO_STACK'
  | 'PTR_TO_PACKET_META'
  | 'PTR_TO_PACKET'
  | 'PTR_TO_PACKET_END'
  | 'PTR_TO_MEM'
  | 'PTR_TO_SOCK_COMMON'
  | 'PTR_TO_FUNC';

/** A map the program may reference (BPF_PSEUDO_MAP_FD by fd or by index into `maps`). */
export interface MapInfo {
  readonly name: string;
  /** enum bpf_map_type name: "hash", "array", "ringbuf", "prog_array", ... */
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** The fd the program's lddw map_fd refers to (defaults to the index). */
  readonly fd?: number;
}

export interface RegState extends Bounds {
  type: RegType;
  /** PTR_MAYBE_NULL. */
  maybeNull: boolean;
  /** MEM_RINGBUF (ringbuf_mem), MEM_RDONLY. */
  ringbuf: boolean;
  rdonly: boolean;
  /** Fixed offset for pointers; for linked scalars (id with BPF_ADD_CONST) the constant delta. */
  off: number;
  id: number;
  /** BPF_ADD_CONST: this scalar is its id's register plus `off`. */
  addConst: boolean;
  /** The link was made by a 32-bit add. */
  addConst32: boolean;
  refObjId: number;
  /** Packet pointers: bytes known to be accessible from the pointer. */
  range: number;
  /** PTR_TO_MEM: size of the region. */
  memSize: number;
  /** CONST_PTR_TO_MAP / PTR_TO_MAP_VALUE / PTR_TO_MAP_KEY: which map. */
  map?: MapInfo;
  /** PTR_TO_STACK: frame number the pointer points into. */
  frameno: number;
  /** Precision mark (printed as "P"); not yet tracked by this verifier. */
  precise: boolean;
}

export type SlotType = 'INVALID' | 'SPILL' | 'MISC' | 'ZERO';

export interface StackSlot {
  /** Per byte, the kernel's order: index j is the byte at fp-8*i-1-j, so index 7 is the slot's lowest address. */
  types: SlotType[];
  spilled: RegState;
}

export interface FrameState {
  frameno: number;
  /** Instruction index of the call site (for frames > 0). */
  callsite: number;
  subprogStart: number;
  regs: RegState[];
  /** Slot i covers [fp-8*(i+1), fp-8*i). */
  stack: StackSlot[];
}

export interface VerifierState {
  frames: FrameState[];
  curframe: number;
  /** Acquired references (ringbuf records) by ref_obj_id. */
  refs: number[];
}

export const MAX_BPF_STACK = 512;
export const BPF_REG_FP = 10;

/**
 * A register with the given type and numeric part and every other field at its NOT_INIT default. One object
 * literal with a fixed key order: register states are made on almost every instruction, so they are built without
 * spreads and all share one hidden class.
 */
function makeReg(type: RegType, varOff: Tnum, smin: bigint, smax: bigint, umin: bigint, umax: bigint, s32min: bigint, s32max: bigint, u32min: bigint, u32max: bigint): RegState {
  return {
    varOff, smin, smax, umin, umax, s32min, s32max, u32min, u32max,
    type, maybeNull: false, ringbuf: false, rdonly: false, off: 0, id: 0, addConst: false, addConst32: false,
    refObjId: 0, range: 0, memSize: 0, frameno: 0, precise: false,
  };
}

export function notInitReg(): RegState {
  return makeReg('NOT_INIT', tnumUnknown, S64_MIN, S64_MAX, 0n, U64_MAX, S32_MIN, S32_MAX, 0n, U32_MAX);
}

export function scalarUnknown(): RegState {
  return makeReg('SCALAR_VALUE', tnumUnknown, S64_MIN, S64_MAX, 0n, U64_MAX, S32_MIN, S32_MAX, 0n, U32_MAX);
}

/** A register of the given type holding exactly v (__mark_reg_known). */
function knownReg(type: RegType, v: bigint): RegState {
  const s = BigInt.asIntN(64, v);
  const u = BigInt.asUintN(64, v);
  const s32 = BigInt.asIntN(32, v);
  const u32 = BigInt.asUintN(32, v);
  return makeReg(type, tnumConst(v), s, s, u, u, s32, s32, u32, u32);
}

export function scalarConst(v: bigint): RegState {
  return knownReg('SCALAR_VALUE', v);
}

/** A pointer of the given type at a fixed offset (var_off 0). */
export function pointerReg(type: RegType, fields: Partial<RegState> = {}): RegState {
  return Object.assign(knownReg(type, 0n), fields);
}

/**
 * The never-written slot, shared by every state (copy on write): a state holds 64 slots per frame and is cloned at
 * every branch and checkpoint, while most programs touch a few slots. Frozen, so a write that skipped
 * writableSlot fails loudly instead of changing other states.
 */
export const EMPTY_SLOT: Readonly<StackSlot> = Object.freeze({
  types: Object.freeze(Array<SlotType>(8).fill('INVALID')) as SlotType[],
  spilled: Object.freeze(notInitReg()) as RegState,
});

export function emptySlot(): StackSlot {
  return { types: Array<SlotType>(8).fill('INVALID'), spilled: notInitReg() };
}

/** The slot `spi` of frame `f`, made private to the frame first: every write to a slot goes through this. */
export function writableSlot(f: FrameState, spi: number): StackSlot {
  const sl = f.stack[spi];
  if (sl !== EMPTY_SLOT) return sl;
  const own = emptySlot();
  f.stack[spi] = own;
  return own;
}

export function newFrame(frameno: number, callsite: number, subprogStart: number): FrameState {
  const regs = Array.from({ length: 11 }, notInitReg);
  regs[BPF_REG_FP] = pointerReg('PTR_TO_STACK', { frameno });
  return { frameno, callsite, subprogStart, regs, stack: Array<StackSlot>(MAX_BPF_STACK / 8).fill(EMPTY_SLOT) };
}

export function cloneReg(r: RegState): RegState {
  return { ...r };
}

const cloneSlot = (sl: StackSlot): StackSlot => (sl === EMPTY_SLOT ? sl : { types: sl.types.slice(), spilled: cloneReg(sl.spilled) });
const cloneFrame = (f: FrameState): FrameState => ({ ...f, regs: f.regs.map(cloneReg), stack: f.stack.map(cloneSlot) });

export function cloneState(s: VerifierState): VerifierState {
  return { curframe: s.curframe, refs: s.refs.slice(), frames: s.frames.map(cloneFrame) };
}

export function isPointer(r: RegState): boolean {
  return r.type !== 'SCALAR_VALUE' && r.type !== 'NOT_INIT';
}

export function isPacketPointer(r: RegState): boolean {
  return r.type === 'PTR_TO_PACKET' || r.type === 'PTR_TO_PACKET_META';
}

/** Exact equality of two register states (what our conservative pruning compares). */
export function regsEqual(a: RegState, b: RegState): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'NOT_INIT') return true;
  return a.maybeNull === b.maybeNull && a.ringbuf === b.ringbuf && a.off === b.off && a.range === b.range &&
    a.memSize === b.memSize && a.map === b.map && a.frameno === b.frameno && a.refObjId === b.refObjId &&
    tnumEq(a.varOff, b.varOff) && a.smin === b.smin && a.smax === b.smax && a.umin === b.umin && a.umax === b.umax &&
    a.s32min === b.s32min && a.s32max === b.s32max && a.u32min === b.u32min && a.u32max === b.u32max &&
    (a.type === 'SCALAR_VALUE' || a.id === b.id);
}

/** bpf_idmap: ids in the old state must map one-to-one onto ids in the current state. */
export class IdMap {
  private readonly pairs: Array<[number, number]> = [];
  constructor(private tmp: number) {}
  check(oldId: number, curId: number): boolean {
    if (!!oldId !== !!curId) return false;
    if (oldId === 0) return true;
    for (const [o, c] of this.pairs) {
      if (o === oldId) return c === curId;
      if (c === curId) return false;
    }
    this.pairs.push([oldId, curId]);
    return true;
  }
  /** check_scalar_ids: a missing id is a fresh one, so it can never match an id already seen. */
  checkScalar(oldId: number, curId: number): boolean {
    return this.check(oldId || ++this.tmp, curId || ++this.tmp);
  }
}

function rangeWithin(o: RegState, c: RegState): boolean {
  return o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax &&
    o.u32min <= c.u32min && o.u32max >= c.u32max && o.s32min <= c.s32min && o.s32max >= c.s32max;
}

function tnumWithin(o: RegState, c: RegState): boolean {
  return (c.varOff.mask & ~o.varOff.mask) === 0n && (c.varOff.value & ~o.varOff.mask) === o.varOff.value;
}

/** regsEqual ignoring ids (which the caller maps through an IdMap); no allocation, it runs on every prune check. */
function regsEqualButIds(a: RegState, b: RegState): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'NOT_INIT') return true;
  return a.maybeNull === b.maybeNull && a.ringbuf === b.ringbuf && a.off === b.off && a.range === b.range &&
    a.memSize === b.memSize && a.map === b.map && a.frameno === b.frameno &&
    tnumEq(a.varOff, b.varOff) && a.smin === b.smin && a.smax === b.smax && a.umin === b.umin && a.umax === b.umax &&
    a.s32min === b.s32min && a.s32max === b.s32max && a.u32min === b.u32min && a.u32max === b.u32max;
}

function regsExact(o: RegState, c: RegState, ids: IdMap): boolean {
  return regsEqualButIds(o, c) && ids.check(o.id, c.id) && ids.check(o.refObjId, c.refObjId);
}

/**
 * states_maybe_looping: the registers of the current frame are bit-identical (ids included). The kernel runs this
 * cheap test before the exact states_equal of its infinite-loop check.
 */
export function statesMaybeLooping(old: VerifierState, cur: VerifierState): boolean {
  if (old.curframe !== cur.curframe) return false;
  const fo = old.frames[old.curframe].regs;
  const fc = cur.frames[cur.curframe].regs;
  for (let i = 0; i < 11; i++) {
    const a = fo[i];
    const b = fc[i];
    if (a.type !== b.type || a.id !== b.id || a.refObjId !== b.refObjId) return false;
    if (a.type !== 'NOT_INIT' && !regsEqualButIds(a, b)) return false;
  }
  return true;
}

/** regsafe: whether register state `o` (explored, safe) covers `c` (current). */
export function regSafe(o: RegState, c: RegState, ids: IdMap, exact: boolean): boolean {
  if (o.type === 'NOT_INIT' && (!exact || c.type === 'NOT_INIT')) return true;
  if (exact) return regsExact(o, c, ids);
  if (o.type !== c.type || o.maybeNull !== c.maybeNull || o.ringbuf !== c.ringbuf || o.rdonly !== c.rdonly) return false;
  switch (o.type) {
    case 'SCALAR_VALUE':
      if (!o.precise) return true;
      if (o.addConst !== c.addConst || (o.addConst && o.off !== c.off)) return false;
      return ids.checkScalar(o.id, c.id) && rangeWithin(o, c) && tnumWithin(o, c);
    case 'PTR_TO_MAP_KEY': case 'PTR_TO_MAP_VALUE': case 'PTR_TO_MEM':
      return o.off === c.off && o.map === c.map && o.memSize === c.memSize && rangeWithin(o, c) && tnumWithin(o, c) &&
        ids.check(o.id, c.id) && ids.check(o.refObjId, c.refObjId);
    case 'PTR_TO_PACKET': case 'PTR_TO_PACKET_META':
      if (o.range > c.range || o.off !== c.off || !ids.check(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumWithin(o, c);
    case 'PTR_TO_STACK':
      return regsExact(o, c, ids) && o.frameno === c.frameno;
    default:
      return regsExact(o, c, ids);
  }
}

const isMisc = (t: SlotType): boolean => t === 'MISC';

/** A spilled scalar, or a fake unknown scalar for an all-MISC slot (scalar_reg_for_stack), else undefined. */
function scalarForStack(sl: StackSlot): RegState | undefined {
  if (sl.types[7] === 'SPILL' && sl.spilled.type === 'SCALAR_VALUE') return sl.spilled;
  if (sl.types.every(isMisc)) return scalarUnknown();
  return undefined;
}

/**
 * states_equal for pruning (exact=false) or loop detection (exact=true): the kernel's regsafe/stacksafe with
 * precision and id maps. Stack slots are compared without 6.18's stack-liveness pass (dead slots still count),
 * so we prune somewhat less often than the kernel.
 */
export function stateCovers(old: VerifierState, cur: VerifierState, idGen = 1 << 30, exact = false): boolean {
  if (old.curframe !== cur.curframe || old.refs.length !== cur.refs.length) return false;
  const ids = new IdMap(idGen);
  for (let f = 0; f <= old.curframe; f++) {
    const fo = old.frames[f];
    const fc = cur.frames[f];
    if (fo.callsite !== fc.callsite) return false;
    for (let i = 0; i < 11; i++) if (!regSafe(fo.regs[i], fc.regs[i], ids, exact)) return false;
    for (let spi = 0; spi < fo.stack.length; spi++) {
      const so = fo.stack[spi];
      const sc = fc.stack[spi];
      for (let j = 7; j >= 0; j--) {
        const to = so.types[j];
        const tc = sc.types[j];
        if (exact && to !== tc) return false;
        if (to === 'INVALID') continue;
        // allow_uninit_stack (privileged): old MISC bytes accept anything.
        if (to === 'MISC' && !exact) continue;
        const ro = scalarForStack(so);
        const rc = scalarForStack(sc);
        if (ro && rc) {
          if (!regSafe(ro, rc, ids, exact)) return false;
          break;
        }
        if (to === 'MISC' && tc === 'ZERO') continue;
        if (to !== tc) return false;
        if (j !== 0) continue;
      }
      if (so.types[7] === 'SPILL' && sc.types[7] === 'SPILL' && !regSafe(so.spilled, sc.spilled, ids, exact)) return false;
    }
  }
  return true;
}

export function isConstScalar(r: RegState): boolean {
  return r.type === 'SCALAR_VALUE' && tnumIsConst(r.varOff);
}
