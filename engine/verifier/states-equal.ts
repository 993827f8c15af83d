// State equivalence for pruning and loop detection: the kernel's states_equal with regsafe, stacksafe and refsafe.
//
// A finished ("explored") state covers the current one when everything the explored state's safety depended on
// also holds now: live registers of every frame (live_regs_before at the frame's instruction), stack slots the
// explored state keeps (dead ones were cleaned to INVALID beforehand), references. Scalars only matter when they
// were marked precise. EXACT is the infinite-loop check; RANGE_WITHIN is used where precision marks may be
// incomplete (loops through may_goto), so imprecise scalars must still be within range.
import { scalarUnknown, type RegState, type StackSlot, type VerifierState } from './state';
import { tnumEq } from './tnum';

export type ExactLevel = 'NOT_EXACT' | 'EXACT' | 'RANGE_WITHIN';

/** BPF_ADD_CONST, the flag bit a linked scalar's id carries. */
const ADD_CONST = 0x80000000;

/** The register's id as the kernel stores it (BPF_ADD_CONST included). */
const fullId = (r: RegState): number => (r.addConst ? r.id + ADD_CONST : r.id);

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

/** tnum_in(old, cur): every value cur may take, old may take. */
function tnumWithin(o: RegState, c: RegState): boolean {
  return (c.varOff.mask & ~o.varOff.mask) === 0n && (c.varOff.value & ~o.varOff.mask) === o.varOff.value;
}

/** The fields before `id` in struct bpf_reg_state (type with its flags, off, the type's union, var_off, bounds). */
function sameUpToId(a: RegState, b: RegState): boolean {
  if (a.type !== b.type || a.maybeNull !== b.maybeNull || a.ringbuf !== b.ringbuf || a.rdonly !== b.rdonly) return false;
  if (a.type === 'NOT_INIT') return true;
  return a.off === b.off && a.range === b.range && a.memSize === b.memSize && a.map === b.map &&
    tnumEq(a.varOff, b.varOff) && a.smin === b.smin && a.smax === b.smax && a.umin === b.umin && a.umax === b.umax &&
    a.s32min === b.s32min && a.s32max === b.s32max && a.u32min === b.u32min && a.u32max === b.u32max;
}

/** The fields before var_off: type, off and the type's union (map, mem size). */
function sameUpToVarOff(a: RegState, b: RegState): boolean {
  return a.type === b.type && a.maybeNull === b.maybeNull && a.ringbuf === b.ringbuf && a.rdonly === b.rdonly &&
    a.off === b.off && a.range === b.range && a.memSize === b.memSize && a.map === b.map;
}

function regsExact(o: RegState, c: RegState, ids: IdMap): boolean {
  return sameUpToId(o, c) && ids.check(fullId(o), fullId(c)) && ids.check(o.refObjId, c.refObjId);
}

/**
 * states_maybe_looping: the registers of the current frame are bit-identical up to frameno (ids included). The
 * kernel runs this cheap test before the exact states_equal of its infinite-loop check.
 */
export function statesMaybeLooping(old: VerifierState, cur: VerifierState): boolean {
  if (old.curframe !== cur.curframe) return false;
  const fo = old.frames[old.curframe].regs;
  const fc = cur.frames[cur.curframe].regs;
  for (let i = 0; i < 11; i++) {
    const a = fo[i];
    const b = fc[i];
    if (fullId(a) !== fullId(b) || a.refObjId !== b.refObjId || !sameUpToId(a, b)) return false;
  }
  return true;
}

/** regsafe: whether register state `o` (explored, safe) covers `c` (current). */
export function regSafe(o: RegState, c: RegState, ids: IdMap, exact: ExactLevel): boolean {
  if (exact === 'EXACT') return regsExact(o, c, ids);
  if (o.type === 'NOT_INIT' && (exact === 'NOT_EXACT' || c.type === 'NOT_INIT')) return true;
  if (o.type !== c.type || o.maybeNull !== c.maybeNull || o.ringbuf !== c.ringbuf || o.rdonly !== c.rdonly) return false;
  switch (o.type) {
    case 'SCALAR_VALUE':
      if (!o.precise && exact === 'NOT_EXACT') return true;
      if (o.addConst !== c.addConst || (o.addConst && o.off !== c.off)) return false;
      return rangeWithin(o, c) && tnumWithin(o, c) && ids.checkScalar(fullId(o), fullId(c));
    case 'PTR_TO_MAP_KEY': case 'PTR_TO_MAP_VALUE': case 'PTR_TO_MEM':
      return sameUpToVarOff(o, c) && rangeWithin(o, c) && tnumWithin(o, c) && ids.check(o.id, c.id) && ids.check(o.refObjId, c.refObjId);
    case 'PTR_TO_PACKET': case 'PTR_TO_PACKET_META':
      // A negative range (AT_PKT_END, BEYOND_PKT_END) predicts later pkt_end compares: it must match exactly.
      if (o.range < 0 || c.range < 0 ? o.range !== c.range : o.range > c.range) return false;
      if (o.off !== c.off || !ids.check(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumWithin(o, c);
    case 'PTR_TO_STACK':
      return regsExact(o, c, ids) && o.frameno === c.frameno;
    default:
      return regsExact(o, c, ids);
  }
}

/** An unbounded, imprecise scalar: what a load from an all-MISC slot yields (never modified). */
const UNBOUND: RegState = Object.freeze(scalarUnknown()) as RegState;

/**
 * scalar_reg_for_stack: a 64-bit spilled scalar, or (for a slot whose bytes are all MISC, or uninitialised, which
 * root may read) the unbound scalar a load would produce.
 */
function scalarForStack(sl: StackSlot, unbound: RegState): RegState | undefined {
  if (sl.types[0] === 'SPILL' && sl.spilled.type === 'SCALAR_VALUE') return sl.spilled;
  for (const t of sl.types) if (t !== 'MISC' && t !== 'INVALID') return undefined;
  return unbound;
}

/** stacksafe (privileged: allow_uninit_stack), byte by byte over the explored state's allocated stack. */
function stackSafe(old: VerifierState['frames'][number], cur: VerifierState['frames'][number], ids: IdMap, exact: ExactLevel, unbound: RegState): boolean {
  for (let i = 0; i < old.allocatedStack; i++) {
    const spi = i >> 3;
    const b = i & 7;
    const so = old.stack[spi];
    const sc = cur.stack[spi];
    const to = so.types[b];
    if (exact !== 'NOT_EXACT' && (i >= cur.allocatedStack || to !== sc.types[b])) return false;
    if (to === 'INVALID' || to === 'MISC') continue;
    if (i >= cur.allocatedStack) return false;
    const ro = scalarForStack(so, unbound);
    const rc = scalarForStack(sc, unbound);
    if (ro && rc) {
      if (!regSafe(ro, rc, ids, exact)) return false;
      i += 7 - b;
      continue;
    }
    // Old MISC bytes were skipped above (root may read uninitialised stack), so only the type must match now.
    if (to !== sc.types[b]) return false;
    if (b !== 7) continue;
    if (so.types[7] === 'SPILL' && !regSafe(so.spilled, sc.spilled, ids, exact)) return false;
  }
  return true;
}

/**
 * states_equal: `old` (an explored state at slot `oldPc` of its current frame) covers `cur`. Registers are compared
 * only where live before the frame's instruction (`liveRegs(pc)`), as in func_states_equal.
 */
export function statesEqual(old: VerifierState, oldPc: number, cur: VerifierState, idGen: number, exact: ExactLevel, liveRegs: (pc: number) => number): boolean {
  if (old.curframe !== cur.curframe) return false;
  const ids = new IdMap(idGen);
  if (old.refs.length !== cur.refs.length) return false;
  for (let i = 0; i < old.refs.length; i++) if (!ids.check(old.refs[i], cur.refs[i])) return false;
  for (let f = 0; f <= old.curframe; f++) {
    const fo = old.frames[f];
    const fc = cur.frames[f];
    if (fo.callsite !== fc.callsite) return false;
    const live = liveRegs(f === old.curframe ? oldPc : old.frames[f + 1].callsite);
    for (let r = 0; r < 11; r++) if ((live & (1 << r)) !== 0 && !regSafe(fo.regs[r], fc.regs[r], ids, exact)) return false;
    if (!stackSafe(fo, fc, ids, exact, UNBOUND)) return false;
  }
  return true;
}

