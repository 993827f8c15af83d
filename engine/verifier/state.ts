// The abstract state: register and stack-slot states per frame, the kernel's struct bpf_verifier_state as data.
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, type Bounds } from './bounds';
import { tnumConst, tnumIsConst, tnumUnknown, type Tnum } from './tnum';

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
  /** allocated_stack: bytes of this frame's stack touched so far (grow_stack_state, a multiple of 8). */
  allocatedStack: number;
}

export interface VerifierState {
  frames: FrameState[];
  curframe: number;
  /** Acquired references (ringbuf records) by ref_obj_id. */
  refs: number[];
  /** may_goto_depth: how many may_goto fall-throughs (loop iterations) this path has taken. */
  mayGotoDepth: number;
}

export const MAX_BPF_STACK = 512;
export const BPF_REG_FP = 10;

/**
 * A register with the given type and numeric part and every other field at its NOT_INIT default. One object
 * literal with a fixed key order: register states are made on almost every instruction, so they are built without
 * spreads and all share one hidden class.
 */
function makeReg(type: RegType, varOff: Tnum, smin: bigint, smax: bigint, umin: bigint, umax: bigint, s32min: bigint, s32max: bigint, u32min: bigint, u32max: bigint): RegState {
  const r: AllFields<RegState> = {
    varOff, smin, smax, umin, umax, s32min, s32max, u32min, u32max,
    type, maybeNull: false, ringbuf: false, rdonly: false, off: 0, id: 0, addConst: false, addConst32: false,
    refObjId: 0, range: 0, memSize: 0, map: undefined, frameno: 0, precise: false,
  };
  return r;
}

/** Every field of T spelled out, optional ones included: a field added to RegState must be added here too. */
type AllFields<T> = { [K in keyof Required<T>]: T[K] };

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
  return { frameno, callsite, subprogStart, regs, stack: Array<StackSlot>(MAX_BPF_STACK / 8).fill(EMPTY_SLOT), allocatedStack: 0 };
}

/**
 * A copy of a register, field by field in makeReg's order (AllFields makes the compiler insist on every field):
 * an object spread here took a slow generic path and was the largest cost of recording per-insn states.
 */
export function cloneReg(r: RegState): RegState {
  const c: AllFields<RegState> = {
    varOff: r.varOff, smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax, s32min: r.s32min, s32max: r.s32max, u32min: r.u32min, u32max: r.u32max,
    type: r.type, maybeNull: r.maybeNull, ringbuf: r.ringbuf, rdonly: r.rdonly, off: r.off, id: r.id, addConst: r.addConst, addConst32: r.addConst32,
    refObjId: r.refObjId, range: r.range, memSize: r.memSize, map: r.map, frameno: r.frameno, precise: r.precise,
  };
  return c;
}

const cloneSlot = (sl: StackSlot): StackSlot => (sl === EMPTY_SLOT ? sl : { types: sl.types.slice(), spilled: cloneReg(sl.spilled) });
const cloneFrame = (f: FrameState): FrameState => ({ ...f, regs: f.regs.map(cloneReg), stack: f.stack.map(cloneSlot) });

export function cloneState(s: VerifierState): VerifierState {
  return { curframe: s.curframe, refs: s.refs.slice(), frames: s.frames.map(cloneFrame), mayGotoDepth: s.mayGotoDepth };
}

export function isPointer(r: RegState): boolean {
  return r.type !== 'SCALAR_VALUE' && r.type !== 'NOT_INIT';
}

export function isPacketPointer(r: RegState): boolean {
  return r.type === 'PTR_TO_PACKET' || r.type === 'PTR_TO_PACKET_META';
}

export function isConstScalar(r: RegState): boolean {
  return r.type === 'SCALAR_VALUE' && tnumIsConst(r.varOff);
}
