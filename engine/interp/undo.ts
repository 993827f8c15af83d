// Step recording for reverse execution: one compact undo record per executed instruction, kept in preallocated typed ring buffers.
//
// Almost every instruction changes at most one register (its dst), or up to 8 bytes of memory
// (a store), or a frame's may_goto counter; its record holds just that old value, the pc and the
// instruction count. Only calls, exits, helpers, tail calls, atomics and legacy packet loads
// (which may change several registers, frames, kernel objects or end the program) take a full
// snapshot with an undo closure (`heavy`). The ring keeps numbers in typed columns and object
// references in two preallocated arrays, so recording allocates nothing per ordinary step.
import type { Region } from '../kernel';

/** What undoing a full-snapshot step needs, plus what the step event shows. */
export interface HeavyUndo {
  /** Restores registers, control state, memory and kernel objects. */
  undo(): void;
}

/** One step's undo information (a reusable scratch record, or a caller's own copy of one). */
export class UndoRecord {
  /** Slot the instruction ran at (the pc to go back to). */
  pc = 0;
  /** Machine.executed before the step. */
  executed = 0;
  /** Register-file index of the changed register (2n for rn), or -1. */
  reg = -1;
  lo = 0;
  hi = 0;
  /** A store's region (undefined: no store), offset in it, size and old bytes (little-endian words). */
  region: Region | undefined = undefined;
  off = 0;
  size = 0;
  mlo = 0;
  mhi = 0;
  /** The innermost frame's may_goto counter before a may_goto, or -1. */
  mayGoto = -1;
  heavy: HeavyUndo | undefined = undefined;

  copyFrom(r: UndoRecord): this {
    this.pc = r.pc;
    this.executed = r.executed;
    this.reg = r.reg;
    this.lo = r.lo;
    this.hi = r.hi;
    this.region = r.region;
    this.off = r.off;
    this.size = r.size;
    this.mlo = r.mlo;
    this.mhi = r.mhi;
    this.mayGoto = r.mayGoto;
    this.heavy = r.heavy;
    return this;
  }
}

/** A bounded stack of undo records: pushing past the limit drops the oldest. Grows by doubling up to the limit. */
export class UndoRing {
  private cap = 0;
  private start = 0;
  private count = 0;
  private limit: number;
  private ints = new Int32Array(0);
  private regions: Array<Region | undefined> = [];
  private heavies: Array<HeavyUndo | undefined> = [];
  /** Int32 words per record: pc, reg, lo, hi, off, size, mlo, mhi, mayGoto, executed (low 31 bits), executed / 2^31. */
  private static readonly W = 11;

  constructor(limit: number) {
    this.limit = Math.max(0, Math.floor(limit));
  }

  get length(): number {
    return this.count;
  }

  /** Changing the limit keeps the newest records that fit. */
  setLimit(n: number): void {
    const limit = Math.max(0, Math.floor(n));
    if (limit === this.limit) return;
    const keep = Math.min(this.count, limit);
    const recs: UndoRecord[] = [];
    const r = new UndoRecord();
    while (recs.length < keep && this.pop(r)) recs.push(new UndoRecord().copyFrom(r));
    this.limit = limit;
    // Start from empty storage: a ring never holds more than its limit, even after a larger one grew it.
    this.cap = 0;
    this.start = 0;
    this.count = 0;
    this.ints = new Int32Array(0);
    this.regions = [];
    this.heavies = [];
    for (let i = recs.length - 1; i >= 0; i--) this.push(recs[i]);
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
    this.regions.fill(undefined);
    this.heavies.fill(undefined);
  }

  private grow(): void {
    const cap = Math.min(this.limit, Math.max(1024, this.cap * 2));
    const ints = new Int32Array(cap * UndoRing.W);
    const regions = new Array<Region | undefined>(cap).fill(undefined);
    const heavies = new Array<HeavyUndo | undefined>(cap).fill(undefined);
    // Unroll the ring so that the oldest record is at index 0 (grow only runs when the ring is full).
    const W = UndoRing.W;
    const head = this.cap - this.start;
    ints.set(this.ints.subarray(this.start * W, this.cap * W), 0);
    ints.set(this.ints.subarray(0, this.start * W), head * W);
    for (let i = 0; i < this.count; i++) {
      const from = (this.start + i) % this.cap;
      regions[i] = this.regions[from];
      heavies[i] = this.heavies[from];
    }
    this.ints = ints;
    this.regions = regions;
    this.heavies = heavies;
    this.cap = cap;
    this.start = 0;
  }

  push(r: UndoRecord): void {
    if (this.limit === 0) return;
    if (this.count === this.cap && this.cap < this.limit) this.grow();
    let i: number;
    if (this.count === this.cap) {
      // Full at the limit: overwrite the oldest.
      i = this.start;
      this.start = this.start + 1 === this.cap ? 0 : this.start + 1;
    } else {
      i = this.start + this.count;
      if (i >= this.cap) i -= this.cap;
      this.count++;
    }
    const b = i * UndoRing.W;
    const a = this.ints;
    a[b] = r.pc;
    a[b + 1] = r.reg;
    a[b + 2] = r.lo;
    a[b + 3] = r.hi;
    a[b + 4] = r.off;
    a[b + 5] = r.size;
    a[b + 6] = r.mlo;
    a[b + 7] = r.mhi;
    a[b + 8] = r.mayGoto;
    // The count as two small integers: a double here would turn Machine.executed into a double field and deoptimize the interpreter.
    // No %: on a double V8 compiles it to an x87 fprem loop, which was a third of recordStep's time.
    const high = Math.floor(r.executed / 0x80000000);
    a[b + 9] = r.executed - high * 0x80000000;
    a[b + 10] = high;
    this.regions[i] = r.region;
    this.heavies[i] = r.heavy;
  }

  /** Moves the newest record into `into`; false when empty. */
  pop(into: UndoRecord): boolean {
    if (this.count === 0) return false;
    let i = this.start + this.count - 1;
    if (i >= this.cap) i -= this.cap;
    this.count--;
    const b = i * UndoRing.W;
    const a = this.ints;
    into.pc = a[b];
    into.reg = a[b + 1];
    into.lo = a[b + 2];
    into.hi = a[b + 3];
    into.off = a[b + 4];
    into.size = a[b + 5];
    into.mlo = a[b + 6];
    into.mhi = a[b + 7];
    into.mayGoto = a[b + 8];
    into.executed = a[b + 10] === 0 ? a[b + 9] : a[b + 10] * 0x80000000 + a[b + 9];
    into.region = this.regions[i];
    into.heavy = this.heavies[i];
    // Drop the references so undone snapshots can be collected.
    this.regions[i] = undefined;
    this.heavies[i] = undefined;
    return true;
  }
}
