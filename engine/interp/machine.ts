// The eBPF interpreter: a register machine over predecoded programs and the simulated kernel, with debug hooks (step, breakpoints, budget, cancel, step events).
//
// Registers are pairs of 32-bit words in an Int32Array (r<n> low word at 2n, high word at 2n+1),
// followed by the program's constant pool. The hot loop is one switch over small integer handler
// codes (the opcode byte, or an OP.* code for forms sharing an opcode). Memory goes through a
// two-entry translation cache: the current frame's stack, then the last other region touched;
// anything else takes the slow path, which bounds-checks against the AddressSpace and faults with
// the address, size and region instead of touching anything outside the region.
import {
  HELPER_NAMES, HI, NO_HI, hex64, isHelperFault, joinAddress, negativeLoadIndex, splitAddress, ProgArrayMap,
  type Kernel, type PacketHeaders, type Region, type RunContext,
} from '../kernel';
import { FORMS, makeInsn, type Insn } from '../isa';
import { Kernel as KernelClass, setupContext } from '../kernel';
import { DENSE_BREAK, OP, POOL_BASE, loadProgram, type Program } from './program';
import * as wide from './wide';
import { UndoRecord, UndoRing, type HeavyUndo } from './undo';

// Module-local bindings: a transpiler's CommonJS output reads imported names through getters on
// every use, which costs more than the arithmetic itself in the interpreter loop.
const OUT = wide.OUT;
const mulHiU32 = wide.mulHiU32;
const SMALL_DIVISOR = wide.SMALL_DIVISOR;
const div64 = wide.div64;
const mod64 = wide.mod64;
const sdiv64 = wide.sdiv64;
const smod64 = wide.smod64;
const sdiv32 = wide.sdiv32;
const smod32 = wide.smod32;
const HI_STACK = HI.STACK;
const BREAK_OP = DENSE_BREAK;
const OP_ATOMIC64 = OP.ATOMIC64;
const OP_ATOMIC_END = OP.ATOMIC32 + 0x10;
const OP_CALL_LOCAL = OP.CALL_LOCAL;
const OP_CALL_KFUNC = OP.CALL_KFUNC;
const OP_FAULT = OP.FAULT;

export type FaultCode =
  | 'mem_unmapped' | 'mem_out_of_bounds' | 'mem_read_only' | 'invalid_insn' | 'unresolved_lddw' | 'unsupported'
  | 'bad_jump' | 'pc_out_of_range' | 'unknown_helper' | 'helper_not_simulated' | 'helper_arg' | 'call_depth' | 'bad_callx';

export interface Fault {
  code: FaultCode;
  message: string;
  /** Slot (pc) of the faulting instruction in `program`. */
  pc: number;
  program?: string;
  address?: bigint;
  size?: number;
  region?: string;
}

export type StopReason = 'exit' | 'fault' | 'breakpoint' | 'budget' | 'cancelled' | 'steps' | 'predicate';

/** Kernel limits the interpreter enforces. */
export const MAX_CALL_FRAMES = 8;
export const MAX_TAIL_CALL_CNT = 33;
export const STACK_SIZE = 512;
/** may_goto's per-frame budget (kernel BPF_MAX_LOOPS). */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;
/** bpf_loop's nr_loops limit (kernel BPF_MAX_LOOPS as well): more is -E2BIG. */
const BPF_LOOP_MAX = 1 << 23;

const STOP_STEPS = 1;
const STOP_EXIT = 2;
const STOP_FAULT = 3;
const STOP_BREAK = 4;
/** Internal to exec(): the block ended at a frame change; run on in a new block. */
const STOP_RELOAD = 5;

const CANCEL_CHECK_EVERY = 1 << 16;

/** bpf_loop in progress in a callback frame. */
interface LoopState {
  i: number;
  n: number;
  entry: number;
  ctxLo: number;
  ctxHi: number;
}

export interface Frame {
  prog: Program;
  /** Slot to continue at in the caller (the caller frame's program). */
  retPc: number;
  /** Caller's r1..r10 (20 words), restored on return like the kernel interpreter's recursive call does. */
  saved: Int32Array;
  stack: Region;
  /** may_goto counter (the kernel keeps it in a hidden stack slot below the frame). */
  mayGoto: number;
  loop: LoopState | undefined;
}

/** What one step changed: enough to undo it (stepBack) and to show the change. */
export interface StepRecord {
  pc: number;
  program: string;
  /** r0..r10 before and after, as unsigned 64-bit values. */
  regsBefore: bigint[];
  regsAfter: bigint[];
  mem: Array<{ address: bigint; region: string; before: Uint8Array; after: Uint8Array }>;
  /** Internal: restores control state and kernel objects. */
  undo: () => void;
}

export interface MachineOptions {
  /** Checked every 65536 instructions; non-zero stops the run with 'cancelled' (may be a SharedArrayBuffer view). */
  cancelSignal?: Int32Array;
}

/** Field initialiser for DataView fields, so V8 tracks them as DataViews from the start (never undefined). */
const EMPTY_VIEW = new DataView(new ArrayBuffer(8));

/** What a step's undo record holds: nothing but pc, one register, a store's old bytes, a may_goto counter, or a full snapshot. */
const REC_NONE = 0;
const REC_REG = 1;
const REC_STORE = 2;
const REC_MAY_GOTO = 3;
const REC_HEAVY = 4;
/** Access size by the size bits (code & 0x18) of a load/store opcode. */
const SIZE_OF = [4, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8];

/** The record kind of a handler code (the opcode byte or an OP.* code). */
function recordKind(code: number): number {
  if (code >= 0x100) {
    if ((code >= OP_ATOMIC64 && code < OP_ATOMIC_END) || code === OP_CALL_LOCAL || code === OP_CALL_KFUNC) return REC_HEAVY;
    // Faulting and sentinel slots change nothing but the stop state; the rest are ALU forms.
    return code >= OP_FAULT ? REC_NONE : REC_REG;
  }
  switch (code & 7) {
    case 0x04: case 0x07: case 0x01: return REC_REG; // alu32, alu64, ldx
    case 0x00: return code === 0x18 ? REC_REG : REC_HEAVY; // lddw; ld_abs/ld_ind may end the program
    case 0x02: case 0x03: return (code & 0xe0) === 0xc0 ? REC_HEAVY : REC_STORE; // st, stx; atomics
    default: // jmp, jmp32
      if (code === 0xe5) return REC_MAY_GOTO;
      return code === 0x85 || code === 0x8d || code === 0x95 ? REC_HEAVY : REC_NONE;
  }
}

/** A full-snapshot step: its step event doubles as its undo record. */
type HeavyStep = StepRecord & HeavyUndo;

const U64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

export class Machine {
  readonly kernel: Kernel;
  /** Register file + constant pool; use reg()/setReg() from outside. */
  private R: Int32Array;
  prog: Program;
  pc = 0;
  readonly frames: Frame[] = [];
  /** Instructions completed so far. */
  executed = 0;
  tailCalls = 0;
  fault: Fault | undefined;
  /** Set once the main frame exits; r0 is the result. */
  exited = false;
  readonly packet: Region | undefined;
  private readonly headers: PacketHeaders | undefined;
  private readonly stackBytes = new Uint8Array(MAX_CALL_FRAMES * STACK_SIZE);
  private readonly stackView = new DataView(this.stackBytes.buffer);
  private readonly stackRegions: Region[] = [];
  private readonly cancelSignal: Int32Array;
  private readonly breakpoints = new Map<Program, Set<number>>();
  private readonly opCopies = new Map<Program, Int32Array>();
  private lastPackedProg: Program | undefined = undefined;
  private lastPacked: Int32Array = new Int32Array(0);
  private stepListeners: Array<(rec: StepRecord) => void> = [];
  private readonly history = new UndoRing(0);
  private historyMax = 0;
  /** The record of the step being executed (copied into the history ring or handed out by stepRecorded). */
  private readonly scratch = new UndoRecord();
  /** Set by stepRecorded: record the next step even without history or listeners. */
  private forceRecord = false;
  /** Steps recorded so far (tells stepRecorded whether its step ran). */
  private recordedSteps = 0;
  private lastBreak = -1;
  private readonly unlisten: () => void;

  // Translation cache: S = current frame's stack, C = last other region (one element of strided regions).
  private sLo = 0;
  private sBase = 0;
  private cHi = NO_HI;
  private cLo = 0;
  private cLim = 0;
  private cBase = 0;
  private cW = 0;
  private cView: DataView = EMPTY_VIEW;
  private mv: DataView = EMPTY_VIEW;
  private spLo = 0;
  private spHi = 0;

  constructor(kernel: Kernel, prog: Program, run: RunContext, opts: MachineOptions = {}) {
    if (!warmedUp) {
      warmedUp = true;
      warmUp();
    }
    this.kernel = kernel;
    this.prog = prog;
    this.packet = run.packet;
    this.headers = run.headers;
    this.cancelSignal = opts.cancelSignal ?? new Int32Array(1);
    this.R = new Int32Array(POOL_BASE + prog.pool.length);
    this.R.set(prog.pool, POOL_BASE);
    this.cView = this.stackView;
    this.mv = this.stackView;
    for (let i = 0; i < MAX_CALL_FRAMES; i++) {
      this.stackRegions.push(kernel.space.map({
        name: `stack frame ${i}`, kind: 'stack', hi: HI.STACK,
        bytes: this.stackBytes.subarray(i * STACK_SIZE, (i + 1) * STACK_SIZE), writable: true,
      }));
    }
    this.unlisten = kernel.space.onUnmap(() => {
      this.cHi = NO_HI;
    });
    // V8 treats a field written once as constant and lets optimized code depend on it; the first
    // access outside the stack changes the translation cache's fields and would throw away (or abort
    // compiling) the optimized loop. Writing them twice here makes them plain mutable fields.
    this.cHi = 0;
    this.cHi = NO_HI;
    this.cLo = this.cLim = this.cBase = this.spLo = this.spHi = 1;
    this.cLo = this.cLim = this.cBase = this.spLo = this.spHi = 0;
    this.cW = 1;
    this.cW = 0;
    this.mv = EMPTY_VIEW;
    this.mv = this.stackView;
    this.frames.push({ prog, retPc: -1, saved: new Int32Array(20), stack: this.stackRegions[0], mayGoto: BPF_MAX_LOOPS, loop: undefined });
    this.setFrameRegs(0);
    const [h1, l1] = splitAddress(run.r1);
    const [h2, l2] = splitAddress(run.r2);
    this.R[2] = l1;
    this.R[3] = h1;
    this.R[4] = l2;
    this.R[5] = h2;
  }

  private setFrameRegs(depth: number): void {
    const r = this.stackRegions[depth];
    this.sLo = r.lo;
    this.sBase = depth * STACK_SIZE;
    this.R[20] = r.lo + STACK_SIZE;
    this.R[21] = HI.STACK;
  }

  // ---- state access -------------------------------------------------------------------------

  /** Register n (0..10) as an unsigned 64-bit value. */
  reg(n: number): bigint {
    return U64(this.R[2 * n], this.R[2 * n + 1]);
  }

  /** One 32-bit word of the register file (2n: rn's low word, 2n + 1: its high word), without making a BigInt. */
  regWord(i: number): number {
    return this.R[i];
  }

  setReg(n: number, value: bigint): void {
    const [hi, lo] = splitAddress(value);
    this.R[2 * n] = lo;
    this.R[2 * n + 1] = hi;
  }

  regs(): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i <= 10; i++) out.push(this.reg(i));
    return out;
  }

  get depth(): number {
    return this.frames.length;
  }

  /** Reads memory through the address space (any region, any frame); undefined if unmapped. */
  readMemory(addr: bigint, size: number): Uint8Array | undefined {
    return this.kernel.space.read(addr, size);
  }

  /** Writes memory from the debugger (read-only regions too: the user is in charge). */
  writeMemory(addr: bigint, data: Uint8Array): string | undefined {
    return this.kernel.space.write(addr, data, true)?.message;
  }

  /** Instruction index currently at pc (or -1 past the end). */
  get insnIndex(): number {
    return this.pc < this.prog.n ? this.prog.slotInsn[this.pc] : -1;
  }

  cancel(): void {
    Atomics.store(this.cancelSignal, 0, 1);
  }

  /** Unmaps this machine's stack regions (the kernel and its maps live on). */
  dispose(): void {
    this.unlisten();
    for (const r of this.stackRegions) this.kernel.space.unmap(r);
  }

  // ---- breakpoints --------------------------------------------------------------------------

  setBreakpoint(pc: number, prog: Program = this.frames[0].prog): void {
    const set = this.breakpoints.get(prog) ?? new Set<number>();
    set.add(pc);
    this.breakpoints.set(prog, set);
    if (pc >= 0 && pc < prog.n) this.patchOp(prog, pc, DENSE_BREAK);
  }

  clearBreakpoint(pc: number, prog: Program = this.frames[0].prog): void {
    this.breakpoints.get(prog)?.delete(pc);
    if (pc >= 0 && pc < prog.n) this.patchOp(prog, pc, prog.op[pc]);
  }

  /** The machine's own copy of a program's packed code, with breakpoints patched in (like int3). */
  private packedOf(prog: Program): Int32Array {
    // One-entry cache in front of the map: stepping asks for it before every instruction.
    if (prog === this.lastPackedProg) return this.lastPacked;
    let packed = this.opCopies.get(prog);
    if (!packed) {
      packed = prog.packed.slice();
      this.opCopies.set(prog, packed);
    }
    this.lastPackedProg = prog;
    this.lastPacked = packed;
    return packed;
  }

  private patchOp(prog: Program, pc: number, op: number): void {
    const packed = this.packedOf(prog);
    packed[pc << 2] = (packed[pc << 2] & ~511) | op;
  }

  private opAt(prog: Program, pc: number): number {
    return this.packedOf(prog)[pc << 2] & 511;
  }

  // ---- running ------------------------------------------------------------------------------

  onStep(listener: (rec: StepRecord) => void): () => void {
    this.stepListeners.push(listener);
    return () => {
      this.stepListeners = this.stepListeners.filter((l) => l !== listener);
    };
  }

  /** Step records kept for stepBack (0 = off, the default: recording costs speed). Lowering it keeps the newest. */
  get historyLimit(): number {
    return this.historyMax;
  }

  set historyLimit(n: number) {
    this.historyMax = Math.max(0, Math.floor(n));
    this.history.setLimit(this.historyMax);
  }

  private get recording(): boolean {
    return this.forceRecord || this.stepListeners.length > 0 || this.historyMax > 0;
  }

  /** Executes exactly one instruction (ignoring a breakpoint at pc). */
  step(): StopReason {
    return this.run({ budget: 1, ignoreBreakpointAtPc: true });
  }

  /**
   * Runs until exit, fault, a breakpoint, `budget` instructions, cancel(), or `until` returns true
   * (checked before each instruction; makes the run step-by-step).
   */
  run(opts: { budget?: number; until?: (m: Machine) => boolean; ignoreBreakpointAtPc?: boolean } = {}): StopReason {
    if (this.exited) return 'exit';
    if (this.fault) return 'fault';
    let left = opts.budget ?? Number.POSITIVE_INFINITY;
    const ignoreAtPc = opts.ignoreBreakpointAtPc ?? (this.executed > 0 || this.lastBreak === this.pc);
    let first = true;
    const stepwise = this.recording || opts.until !== undefined;
    for (;;) {
      if (left <= 0) return opts.budget === 1 ? 'steps' : 'budget';
      if (Atomics.load(this.cancelSignal, 0) !== 0) {
        // The request is consumed: the next run() continues.
        Atomics.store(this.cancelSignal, 0, 0);
        return 'cancelled';
      }
      if (opts.until && !first && opts.until(this)) return 'predicate';
      const atBreak = this.opAt(this.prog, this.pc) === BREAK_OP;
      if (atBreak && !(first && ignoreAtPc)) {
        this.lastBreak = this.pc;
        return 'breakpoint';
      }
      const chunk = stepwise || atBreak ? 1 : left > CANCEL_CHECK_EVERY ? CANCEL_CHECK_EVERY : left | 0;
      let stop: number;
      if (atBreak) {
        // Resuming from a breakpoint at pc: run that one instruction with its real handler.
        const at = this.pc;
        const p = this.prog;
        this.patchOp(p, at, p.op[at]);
        stop = this.recording ? this.recordStep() : this.exec(1);
        this.patchOp(p, at, DENSE_BREAK);
      } else stop = this.recording ? this.recordStep() : this.exec(chunk);
      first = false;
      left -= chunk;
      if (stop === STOP_EXIT) return 'exit';
      if (stop === STOP_FAULT) return 'fault';
      if (stop === STOP_BREAK) {
        this.lastBreak = this.pc;
        return 'breakpoint';
      }
    }
  }

  /** Undoes the last recorded step; false when there is no history (enable with historyLimit). */
  stepBack(): boolean {
    if (!this.history.pop(this.scratch)) return false;
    this.undoStep(this.scratch);
    return true;
  }

  /**
   * Executes exactly one instruction (like step()) and returns its undo record, which stays valid
   * until the next step: copy it (new UndoRecord().copyFrom(r)) to keep it. Undefined when no
   * instruction ran (exited, faulted or cancelled).
   */
  stepRecorded(): UndoRecord | undefined {
    const before = this.recordedSteps;
    this.forceRecord = true;
    try {
      this.step();
    } finally {
      this.forceRecord = false;
    }
    return this.recordedSteps !== before ? this.scratch : undefined;
  }

  /** Undoes a step from its record; records must be undone newest first, each exactly once. */
  undoStep(r: UndoRecord): void {
    if (r.heavy) {
      r.heavy.undo();
      return;
    }
    const reg = r.region;
    if (reg) {
      const v = reg.view;
      const o = r.off;
      if (r.size === 8) {
        v.setInt32(o, r.mlo, true);
        v.setInt32(o + 4, r.mhi, true);
      } else if (r.size === 4) v.setInt32(o, r.mlo, true);
      else if (r.size === 2) v.setInt16(o, r.mlo, true);
      else v.setInt8(o, r.mlo);
    }
    if (r.reg >= 0) {
      this.R[r.reg] = r.lo;
      this.R[r.reg + 1] = r.hi;
    }
    if (r.mayGoto >= 0) this.frames[this.frames.length - 1].mayGoto = r.mayGoto;
    this.pc = r.pc;
    this.executed = r.executed;
    // A light step never starts in a stopped state (run() does not step then), so undoing one clears any stop.
    this.fault = undefined;
    this.exited = false;
    this.cHi = NO_HI;
  }

  /** The values a step's register and memory changes had after it ran, from its record (for step events). */
  private stepEvent(r: UndoRecord, prog: Program): StepRecord {
    if (r.heavy) return r.heavy as HeavyStep;
    const regsAfter = this.regs();
    const regsBefore = regsAfter.slice();
    if (r.reg >= 0) regsBefore[r.reg >> 1] = U64(r.lo, r.hi);
    const mem: StepRecord['mem'] = [];
    if (r.region) {
      const before = new Uint8Array(8);
      const bv = new DataView(before.buffer);
      bv.setInt32(0, r.mlo, true);
      bv.setInt32(4, r.mhi, true);
      mem.push({
        address: joinAddress(r.region.hi, r.region.lo) + BigInt(r.off), region: r.region.name,
        before: before.slice(0, r.size), after: r.region.bytes.slice(r.off, r.off + r.size),
      });
    }
    const copy = new UndoRecord().copyFrom(r);
    return { pc: r.pc, program: prog.name, regsBefore, regsAfter, mem, undo: () => this.undoStep(copy) };
  }

  // ---- recording ----------------------------------------------------------------------------

  private snapshotControl(): () => void {
    const R = this.R.slice();
    const prog = this.prog;
    const pc = this.pc;
    const frames = this.frames.map((f) => ({ ...f, saved: f.saved.slice(), loop: f.loop ? { ...f.loop } : undefined }));
    const executed = this.executed;
    const tailCalls = this.tailCalls;
    const exited = this.exited;
    const fault = this.fault;
    return () => {
      this.R = R.slice();
      this.prog = prog;
      this.pc = pc;
      this.frames.splice(0, this.frames.length, ...frames.map((f) => ({ ...f, saved: f.saved.slice(), loop: f.loop ? { ...f.loop } : undefined })));
      this.setFrameRegsOnly(this.frames.length - 1);
      this.executed = executed;
      this.tailCalls = tailCalls;
      this.exited = exited;
      this.fault = fault;
      this.cHi = NO_HI;
    };
  }

  private setFrameRegsOnly(depth: number): void {
    const r = this.stackRegions[depth];
    this.sLo = r.lo;
    this.sBase = depth * STACK_SIZE;
  }

  /**
   * exec(1) with a record of what it changed, into this.scratch: the old value of the one register
   * or the up to 8 bytes a light instruction changes, or a full snapshot for the heavy ones.
   */
  private recordStep(): number {
    const p = this.prog;
    const pc = this.pc;
    const kind = pc < p.n ? recordKind(p.code[pc]) : REC_NONE;
    const r = this.scratch;
    let stop: number;
    if (kind === REC_HEAVY) {
      const h = this.recordHeavy();
      stop = h.stop;
      r.heavy = h.rec;
    } else {
      const R = this.R;
      r.heavy = undefined;
      r.pc = pc;
      r.executed = this.executed;
      r.reg = -1;
      r.region = undefined;
      r.mayGoto = -1;
      if (kind === REC_REG) {
        const d = p.dst[pc];
        r.reg = d;
        r.lo = R[d];
        r.hi = R[d + 1];
      } else if (kind === REC_STORE) this.noteStore(r, p.code[pc], R[p.dst[pc]], R[p.dst[pc] + 1], p.off[pc]);
      else if (kind === REC_MAY_GOTO) r.mayGoto = this.frames[this.frames.length - 1].mayGoto;
      stop = this.exec(1);
    }
    this.recordedSteps++;
    if (this.historyMax > 0) this.history.push(r);
    if (this.stepListeners.length) {
      const ev = this.stepEvent(r, p);
      for (const l of this.stepListeners) l(ev);
    }
    return stop;
  }

  /** Remembers the bytes a store (code: its opcode byte) is about to overwrite; nothing if the store will fault. */
  private noteStore(r: UndoRecord, code: number, baseLo: number, baseHi: number, off: number): void {
    const size = SIZE_OF[code & 0x18];
    let a = (baseLo >>> 0) + off;
    let hi = baseHi;
    if (a < 0) {
      hi = (hi - 1) | 0;
      a += 0x100000000;
    } else if (a >= 0x100000000) {
      hi = (hi + 1) | 0;
      a -= 0x100000000;
    }
    let region: Region;
    let o: number;
    if (hi === HI_STACK && (o = a - this.sLo) >= 0 && o <= STACK_SIZE - size) region = this.stackRegions[this.frames.length - 1];
    else {
      const res = this.kernel.space.resolve(hi, a, size, true);
      if ('code' in res) return;
      region = res.region;
      o = res.offset;
    }
    const v = region.view;
    r.region = region;
    r.off = o;
    r.size = size;
    r.mhi = 0;
    if (size === 8) {
      r.mlo = v.getInt32(o, true);
      r.mhi = v.getInt32(o + 4, true);
    } else if (size === 4) r.mlo = v.getInt32(o, true);
    else if (size === 2) r.mlo = v.getUint16(o, true);
    else r.mlo = v.getUint8(o);
  }

  /** One step with a full snapshot: registers, frames, memory the step writes, and kernel-object undos. */
  private recordHeavy(): { rec: HeavyStep; stop: number } {
    const regsBefore = this.regs();
    const pc = this.pc;
    const prog = this.prog;
    const restoreControl = this.snapshotControl();
    const mem: Array<{ region: Region; offset: number; before: Uint8Array }> = [];
    const undos: Array<() => void> = [];
    // Stores the interpreter makes directly: capture the target bytes before the step.
    const target = this.storeTarget();
    if (target) {
      const res = this.kernel.space.resolve(target.hi, target.lo, target.size, true);
      if (!('code' in res)) mem.push({ region: res.region, offset: res.offset, before: res.region.bytes.slice(res.offset, res.offset + target.size) });
    }
    // Frame entry zeroes the callee's stack.
    const op = prog.code[pc];
    if (op === OP.CALL_LOCAL || op === 0x8d || op === 0x85) {
      const next = this.stackRegions[Math.min(this.frames.length, MAX_CALL_FRAMES - 1)];
      mem.push({ region: next, offset: 0, before: next.bytes.slice() });
    }
    // An exit that starts the next bpf_loop iteration zeroes the callback's stack.
    const top = this.frames[this.frames.length - 1];
    if (op === 0x95 && top.loop) mem.push({ region: top.stack, offset: 0, before: top.stack.bytes.slice() });
    this.kernel.space.onWrite = (region, offset, before) => mem.push({ region, offset, before });
    this.kernel.journal.record = (u) => undos.push(u);
    let stop: number;
    try {
      stop = this.exec(1);
    } finally {
      this.kernel.space.onWrite = undefined;
      this.kernel.journal.record = undefined;
    }
    const rec: HeavyStep = {
      pc, program: prog.name, regsBefore, regsAfter: this.regs(),
      mem: mem.map((m) => ({
        address: joinAddress(m.region.hi, m.region.lo) + BigInt(m.offset), region: m.region.name,
        before: m.before, after: m.region.bytes.slice(m.offset, m.offset + m.before.byteLength),
      })),
      undo: () => {
        for (let i = mem.length - 1; i >= 0; i--) mem[i].region.bytes.set(mem[i].before, mem[i].offset);
        for (let i = undos.length - 1; i >= 0; i--) undos[i]();
        restoreControl();
      },
    };
    return { rec, stop };
  }

  /** Address and size the instruction at pc stores to directly (st, stx, atomics), if any. */
  private storeTarget(): { hi: number; lo: number; size: number } | undefined {
    const p = this.prog;
    const pc = this.pc;
    if (pc >= p.n) return undefined;
    const i = p.slotInsn[pc];
    if (i < 0) return undefined;
    const f = p.insns[i].form;
    if (f.kind !== 'st' && f.kind !== 'stx' && f.kind !== 'atomic') return undefined;
    const d = p.dst[pc];
    const a = (this.R[d] >>> 0) + p.off[pc];
    const hi = this.R[d + 1] + (a < 0 ? -1 : a >= 0x100000000 ? 1 : 0);
    return { hi: hi | 0, lo: a >>> 0, size: f.size ?? 8 };
  }

  // ---- memory -------------------------------------------------------------------------------

  /** Byte offset of an access in this.mv, or -1 (fault set), or -2 (a ctx pointer field: value in spLo/spHi). */
  private ea(hi: number, a: number, size: number, write: boolean): number {
    if (hi === HI_STACK) {
      const o = a - this.sLo;
      if (o >= 0 && o <= STACK_SIZE - size) {
        this.mv = this.stackView;
        return o + this.sBase;
      }
    }
    if (hi === this.cHi) {
      const o = a - this.cLo;
      if (o >= 0 && o <= this.cLim - size && (this.cW || !write)) {
        this.mv = this.cView;
        return o + this.cBase;
      }
    }
    return this.eaSlow(hi, a, size, write);
  }

  private eaSlow(hi: number, a: number, size: number, write: boolean): number {
    if (a < 0) {
      hi = (hi - 1) | 0;
      a += 0x100000000;
    } else if (a >= 0x100000000) {
      hi = (hi + 1) | 0;
      a -= 0x100000000;
    }
    const res = this.kernel.space.resolve(hi, a, size, write);
    if ('code' in res) {
      this.fault = {
        code: res.code, message: res.message, pc: this.pc, program: this.prog.name, address: U64(a, hi), size,
        ...('region' in res ? { region: res.region.name } : {}),
      };
      return -1;
    }
    const r = res.region;
    if (r.fieldLoad && !write) {
      const v = r.fieldLoad(res.offset, size);
      if (v !== undefined) {
        this.spLo = Number(v & 0xffffffffn) | 0;
        this.spHi = Number(v >> 32n) | 0;
        return -2;
      }
    }
    if (!r.fieldLoad) {
      if (r.stride !== undefined) {
        const start = res.offset - (res.offset % r.stride);
        this.cLo = r.lo + start;
        this.cLim = r.elemSize!;
        this.cBase = start;
      } else {
        this.cLo = r.lo;
        this.cLim = r.size;
        this.cBase = 0;
      }
      this.cHi = r.hi;
      this.cW = r.writable ? 1 : 0;
      this.cView = r.view;
    }
    this.mv = r.view;
    return res.offset;
  }

  private setFault(code: FaultCode, message: string, extra: Partial<Fault> = {}): number {
    this.fault = { code, message, pc: this.pc, program: this.prog.name, ...extra };
    return STOP_FAULT;
  }

  // ---- calls, exits, helpers ----------------------------------------------------------------

  /** Pushes a frame for a bpf-to-bpf call (or a bpf_loop callback) that returns to retPc. */
  private enterFrame(retPc: number, entry: number, loop: LoopState | undefined): number {
    const depth = this.frames.length;
    if (depth >= MAX_CALL_FRAMES) return this.setFault('call_depth', `the call stack is too deep (${MAX_CALL_FRAMES} frames is the kernel's limit)`);
    const R = this.R;
    const saved = R.slice(2, 22);
    const stack = this.stackRegions[depth];
    stack.bytes.fill(0);
    this.frames.push({ prog: this.prog, retPc, saved, stack, mayGoto: BPF_MAX_LOOPS, loop });
    // The callee sees r1..r5 and its own r10; r0 and r6..r9 start at 0 (the kernel leaves them undefined).
    R[0] = R[1] = 0;
    R.fill(0, 12, 20);
    this.setFrameRegs(depth);
    this.pc = entry;
    return 0;
  }

  /** exit: returns to the caller frame, continues a bpf_loop, or ends the program. */
  private leaveFrame(): number {
    const f = this.frames[this.frames.length - 1];
    const R = this.R;
    if (this.frames.length === 1) {
      this.exited = true;
      return STOP_EXIT;
    }
    if (f.loop) {
      const l = f.loop;
      const more = (R[0] | R[1]) === 0 && l.i + 1 < l.n;
      if (more) {
        l.i++;
        R.fill(0, 0, 20);
        R[2] = l.i;
        R[4] = l.ctxLo;
        R[5] = l.ctxHi;
        f.stack.bytes.fill(0);
        f.mayGoto = BPF_MAX_LOOPS;
        this.setFrameRegs(this.frames.length - 1);
        this.pc = l.entry;
        return 0;
      }
      R[0] = l.i + 1;
      R[1] = 0;
    }
    this.frames.pop();
    R.set(f.saved, 2);
    this.setFrameRegsOnly(this.frames.length - 1);
    const caller = this.frames[this.frames.length - 1].prog;
    if (caller !== this.prog) this.switchProgram(caller);
    this.pc = f.retPc;
    return 0;
  }

  private helperCall(id: number): number {
    const h = this.kernel.helper(id);
    if (!h) {
      const name = id > 0 ? HELPER_NAMES[id] : undefined;
      return name
        ? this.setFault('helper_not_simulated', `helper bpf_${name} (id ${id}) exists in the kernel but is not simulated`)
        : this.setFault('unknown_helper', `invalid func unknown#${id}: no helper has this id`);
    }
    const R = this.R;
    if (h.fn === 'machine') return id === 12 ? this.tailCall() : this.bpfLoop();
    const args = [U64(R[2], R[3]), U64(R[4], R[5]), U64(R[6], R[7]), U64(R[8], R[9]), U64(R[10], R[11])];
    const r = h.fn({ kernel: this.kernel, args });
    if (isHelperFault(r)) {
      return this.setFault(r.code, `${h.name}: ${r.message}`, {
        ...(r.address !== undefined ? { address: r.address } : {}), ...(r.size !== undefined ? { size: r.size } : {}), ...(r.region ? { region: r.region } : {}),
      });
    }
    R[0] = Number(r & 0xffffffffn) | 0;
    R[1] = Number(r >> 32n) | 0;
    this.pc++;
    return 0;
  }

  /** bpf_tail_call(ctx, prog_array, index): on success the current frame continues in the target program at slot 0. */
  private tailCall(): number {
    const R = this.R;
    const map = this.kernel.mapAt(U64(R[4], R[5]));
    if (!(map instanceof ProgArrayMap)) return this.setFault('helper_arg', `tail_call: r2 = ${hex64(R[5], R[4])} is not a prog_array map`);
    const index = R[6] >>> 0;
    const target = map.program(index) as Program | undefined;
    // Seed 002 (TC-04), only on kernels with cross-type ops: the verifier's `MOV R4, prog->type`.
    const xt = this.kernel.crossType;
    if (xt) {
      R[8] = xt.programTypeId(this.prog);
      R[9] = 0;
    }
    if (index >= map.def.maxEntries || this.tailCalls >= MAX_TAIL_CALL_CNT || !target) {
      this.pc++;
      return 0;
    }
    if (xt) {
      // TC-05: the target type's convert_ctx(R4, R1) becomes R1; NULL falls through.
      const ctx = xt.convertFor(map, target, R[8] >>> 0, U64(R[2], R[3]));
      if (ctx === 0n) {
        this.pc++;
        return 0;
      }
      if (ctx !== undefined) {
        R[2] = Number(ctx & 0xffffffffn) | 0;
        R[3] = Number(ctx >> 32n) | 0;
      }
    }
    this.tailCalls++;
    this.switchProgram(target);
    this.frames[this.frames.length - 1].prog = target;
    this.pc = 0;
    return 0;
  }

  private switchProgram(target: Program): void {
    if (this.R.length < POOL_BASE + target.pool.length) {
      const R = new Int32Array(POOL_BASE + target.pool.length);
      R.set(this.R.subarray(0, POOL_BASE));
      this.R = R;
    }
    this.R.set(target.pool, POOL_BASE);
    this.prog = target;
  }

  /** bpf_loop(nr_loops, callback, ctx, flags): runs the callback in its own frame, visible to the stepper. */
  private bpfLoop(): number {
    const R = this.R;
    const n = R[2] >>> 0;
    const entry = this.codeSlot(R[4], R[5]);
    if (entry < 0) return this.setFault('helper_arg', `loop: r2 = ${hex64(R[5], R[4])} is not a function of this program`);
    if ((R[8] | R[9]) !== 0) {
      R[0] = -22;
      R[1] = -1;
      this.pc++;
      return 0;
    }
    if (n > BPF_LOOP_MAX) {
      R[0] = -7;
      R[1] = -1;
      this.pc++;
      return 0;
    }
    if (n === 0) {
      R[0] = R[1] = 0;
      this.pc++;
      return 0;
    }
    const ctxLo = R[6];
    const ctxHi = R[7];
    const st = this.enterFrame(this.pc + 1, entry, { i: 0, n, entry, ctxLo, ctxHi });
    if (st) return st;
    R.fill(0, 2, 12);
    R[4] = ctxLo;
    R[5] = ctxHi;
    return 0;
  }

  /** Slot of a code address in the current program, or -1. */
  private codeSlot(lo: number, hi: number): number {
    if (hi !== HI.TEXT) return -1;
    const rel = (lo >>> 0) - this.prog.textLo;
    if (rel < 0 || rel % 8 !== 0 || rel / 8 >= this.prog.n) return -1;
    return rel / 8;
  }

  private callx(reg: number): number {
    const R = this.R;
    const entry = this.codeSlot(R[reg], R[reg + 1]);
    if (entry >= 0) return this.enterFrame(this.pc + 1, entry, undefined);
    // Not a code address: RFC 9669 leaves callx's target platform-defined; like uBPF, a small value is a helper id.
    if (R[reg + 1] === 0 && R[reg] >= 0 && R[reg] < 1024) return this.helperCall(R[reg]);
    return this.setFault('bad_callx', `callx: r${reg / 2} = ${hex64(R[reg + 1], R[reg])} is neither a function of this program nor a helper id`);
  }

  // ---- the interpreter loop -----------------------------------------------------------------

  /** Executes up to `max` instructions; returns a STOP_* code. */
  private exec(max: number): number {
    const start = this.executed;
    for (;;) {
      const stop = this.execBlock(max - (this.executed - start));
      if (stop !== STOP_RELOAD) return stop;
    }
  }

  /**
   * The loop proper. The program's code and the register file stay constant here (calls, exits
   * and tail calls leave with STOP_RELOAD and exec() comes back), so V8 can keep them in
   * registers instead of reloading them for every instruction.
   */
  private execBlock(max: number): number {
    const prog = this.prog;
    const P = this.packedOf(prog);
    const R = this.R;
    const SV = this.stackView;
    const sLo = this.sLo;
    const sBase = this.sBase;
    let cHi = this.cHi;
    let cLo = this.cLo;
    let cLim = this.cLim;
    let cBase = this.cBase;
    let cW = this.cW;
    let CV = this.cView;
    let pc = this.pc;
    // At most CANCEL_CHECK_EVERY: an int32 loop counter (a plain `max` stayed a tagged Smi, untagged and checked every instruction).
    let left = max | 0;
    let stop = STOP_STEPS;
    loop: for (;;) {
      if (left === 0) break;
      left--;
      const b = pc << 2;
      const w = P[b];
      switch (w & 511) {
        // ---- ALU64 (imm forms read the constant pool through S) ----
        case 1: case 2: { // add64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const t = (R[d] >>> 0) + (R[s] >>> 0);
          R[d] = t | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + (t > 0xffffffff ? 1 : 0)) | 0;
          pc++;
          continue;
        }
        case 3: case 4: { // sub64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const t = (R[d] >>> 0) - (R[s] >>> 0);
          R[d] = t | 0;
          R[d + 1] = (R[d + 1] - R[s + 1] - (t < 0 ? 1 : 0)) | 0;
          pc++;
          continue;
        }
        case 5: case 6: { // mul64: the low word is imul's, the high word adds the cross products to the high half of lo * lo
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const al = R[d], bl = R[s];
          R[d + 1] = (mulHiU32(al >>> 0, bl >>> 0) + Math.imul(al, R[s + 1]) + Math.imul(R[d + 1], bl)) | 0;
          R[d] = Math.imul(al, bl);
          pc++;
          continue;
        }
        // div64/mod64 with a divisor below 2^21 (the usual constant) run inline: at most two exact double
        // divisions (see wide.ts SMALL_DIVISOR), no call and no OUT round trip. Anything else goes to wide.ts.
        case 7: case 8: { // div64: by zero gives 0
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const b = R[s];
          if (R[s + 1] === 0 && b > 0 && b < SMALL_DIVISOR) {
            const ah = R[d + 1] >>> 0;
            if (ah === 0) R[d] = ((R[d] >>> 0) / b) | 0;
            else {
              const q1 = Math.floor(ah / b);
              R[d] = (((ah - q1 * b) * 4294967296 + (R[d] >>> 0)) / b) | 0;
              R[d + 1] = q1 | 0;
            }
          } else {
            div64(R[d], R[d + 1], b, R[s + 1]);
            R[d] = OUT[0];
            R[d + 1] = OUT[1];
          }
          pc++;
          continue;
        }
        case 9: case 10: { // mod64: by zero leaves dst
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const b = R[s];
          if (R[s + 1] === 0 && b > 0 && b < SMALL_DIVISOR) {
            const ah = R[d + 1] >>> 0;
            if (ah === 0) R[d] = (R[d] >>> 0) % b;
            else {
              const t = (ah - Math.floor(ah / b) * b) * 4294967296 + (R[d] >>> 0);
              R[d] = t - Math.floor(t / b) * b;
              R[d + 1] = 0;
            }
          } else {
            mod64(R[d], R[d + 1], b, R[s + 1]);
            R[d] = OUT[0];
            R[d + 1] = OUT[1];
          }
          pc++;
          continue;
        }
        case 11: { // sdiv64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          sdiv64(R[d], R[d + 1], R[s], R[s + 1]);
          R[d] = OUT[0];
          R[d + 1] = OUT[1];
          pc++;
          continue;
        }
        case 12: { // smod64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          smod64(R[d], R[d + 1], R[s], R[s + 1]);
          R[d] = OUT[0];
          R[d + 1] = OUT[1];
          pc++;
          continue;
        }
        case 13: case 14: { // or64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          R[d] |= R[s];
          R[d + 1] |= R[s + 1];
          pc++;
          continue;
        }
        case 15: case 16: { // and64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          R[d] &= R[s];
          R[d + 1] &= R[s + 1];
          pc++;
          continue;
        }
        case 17: case 18: { // xor64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          R[d] ^= R[s];
          R[d + 1] ^= R[s + 1];
          pc++;
          continue;
        }
        case 19: case 20: { // lsh64
          const d = ((w >>> 9) & 31);
          const n = R[(w >>> 14)] & 63;
          if (n >= 32) {
            R[d + 1] = R[d] << (n - 32);
            R[d] = 0;
          } else if (n !== 0) {
            R[d + 1] = (R[d + 1] << n) | (R[d] >>> (32 - n));
            R[d] <<= n;
          }
          pc++;
          continue;
        }
        case 21: case 22: { // rsh64
          const d = ((w >>> 9) & 31);
          const n = R[(w >>> 14)] & 63;
          if (n >= 32) {
            R[d] = R[d + 1] >>> (n - 32);
            R[d + 1] = 0;
          } else if (n !== 0) {
            R[d] = (R[d] >>> n) | (R[d + 1] << (32 - n));
            R[d + 1] = R[d + 1] >>> n;
          }
          pc++;
          continue;
        }
        case 23: case 24: { // arsh64
          const d = ((w >>> 9) & 31);
          const n = R[(w >>> 14)] & 63;
          if (n >= 32) {
            R[d] = R[d + 1] >> (n - 32);
            R[d + 1] >>= 31;
          } else if (n !== 0) {
            R[d] = (R[d] >>> n) | (R[d + 1] << (32 - n));
            R[d + 1] >>= n;
          }
          pc++;
          continue;
        }
        case 25: { // neg64
          const d = ((w >>> 9) & 31);
          const lo = R[d];
          R[d] = -lo | 0;
          R[d + 1] = (~R[d + 1] + (lo === 0 ? 1 : 0)) | 0;
          pc++;
          continue;
        }
        case 26: case 27: case 28: { // mov64
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          R[d] = R[s];
          R[d + 1] = R[s + 1];
          pc++;
          continue;
        }
        case 29: { const d = ((w >>> 9) & 31); R[d] = (R[(w >>> 14)] << 24) >> 24; R[d + 1] = R[d] >> 31; pc++; continue; } // movsx64_8
        case 30: { const d = ((w >>> 9) & 31); R[d] = (R[(w >>> 14)] << 16) >> 16; R[d + 1] = R[d] >> 31; pc++; continue; } // movsx64_16
        case 31: { const d = ((w >>> 9) & 31); R[d] = R[(w >>> 14)]; R[d + 1] = R[d] >> 31; pc++; continue; } // movsx64_32
        case 32: { const d = ((w >>> 9) & 31); R[d] = (R[(w >>> 14)] << 24) >> 24; R[d + 1] = 0; pc++; continue; } // movsx32_8
        case 33: { const d = ((w >>> 9) & 31); R[d] = (R[(w >>> 14)] << 16) >> 16; R[d + 1] = 0; pc++; continue; } // movsx32_16

        // ---- ALU32: results are zero-extended ----
        case 34: case 35: { const d = ((w >>> 9) & 31); R[d] = (R[d] + R[(w >>> 14)]) | 0; R[d + 1] = 0; pc++; continue; }
        case 36: case 37: { const d = ((w >>> 9) & 31); R[d] = (R[d] - R[(w >>> 14)]) | 0; R[d + 1] = 0; pc++; continue; }
        case 38: case 39: { const d = ((w >>> 9) & 31); R[d] = Math.imul(R[d], R[(w >>> 14)]); R[d + 1] = 0; pc++; continue; }
        case 40: case 41: { // div32: by zero gives 0
          const d = ((w >>> 9) & 31);
          const b = R[(w >>> 14)] >>> 0;
          R[d] = b === 0 ? 0 : ((R[d] >>> 0) / b) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 42: case 43: { // mod32: by zero leaves the low word (zero-extended)
          const d = ((w >>> 9) & 31);
          const b = R[(w >>> 14)] >>> 0;
          if (b !== 0) R[d] = ((R[d] >>> 0) % b) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 44: { const d = ((w >>> 9) & 31); R[d] = sdiv32(R[d], R[(w >>> 14)]); R[d + 1] = 0; pc++; continue; } // sdiv32
        case 45: { // smod32
          const d = ((w >>> 9) & 31);
          const b = R[(w >>> 14)];
          if (b !== 0) R[d] = smod32(R[d], b);
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 46: case 47: { const d = ((w >>> 9) & 31); R[d] |= R[(w >>> 14)]; R[d + 1] = 0; pc++; continue; }
        case 48: case 49: { const d = ((w >>> 9) & 31); R[d] &= R[(w >>> 14)]; R[d + 1] = 0; pc++; continue; }
        case 50: case 51: { const d = ((w >>> 9) & 31); R[d] ^= R[(w >>> 14)]; R[d + 1] = 0; pc++; continue; }
        case 52: case 53: { const d = ((w >>> 9) & 31); R[d] <<= R[(w >>> 14)] & 31; R[d + 1] = 0; pc++; continue; }
        case 54: case 55: { const d = ((w >>> 9) & 31); R[d] = R[d] >>> (R[(w >>> 14)] & 31); R[d + 1] = 0; pc++; continue; }
        case 56: case 57: { const d = ((w >>> 9) & 31); R[d] >>= R[(w >>> 14)] & 31; R[d + 1] = 0; pc++; continue; }
        case 58: { const d = ((w >>> 9) & 31); R[d] = -R[d] | 0; R[d + 1] = 0; pc++; continue; }
        case 59: case 60: { const d = ((w >>> 9) & 31); R[d] = R[(w >>> 14)]; R[d + 1] = 0; pc++; continue; }

        // ---- byte order (this machine model is little-endian, like x86-64) ----
        case 61: { const d = ((w >>> 9) & 31); R[d] &= 0xffff; R[d + 1] = 0; pc++; continue; } // le16
        case 62: { R[((w >>> 9) & 31) + 1] = 0; pc++; continue; } // le32
        case 63: { pc++; continue; } // le64
        case 64: { const d = ((w >>> 9) & 31); const x = R[d]; R[d] = ((x & 0xff) << 8) | ((x >>> 8) & 0xff); R[d + 1] = 0; pc++; continue; } // be16/bswap16
        case 65: { const d = ((w >>> 9) & 31); R[d] = bswap32(R[d]); R[d + 1] = 0; pc++; continue; } // be32/bswap32
        case 66: { const d = ((w >>> 9) & 31); const lo = R[d]; R[d] = bswap32(R[d + 1]); R[d + 1] = bswap32(lo); pc++; continue; } // be64/bswap64

        // ---- lddw ----
        case 67: { const d = ((w >>> 9) & 31); R[d] = P[b + 2]; R[d + 1] = P[b + 1]; pc += 2; continue; }

        // ---- loads and stores: fast paths for the current frame's stack (high word 0xffffc900) and
        // the last other region touched (one element of an array map), else the bounds-checking slow path ----
        case 71: { // ldxdw
          const s = w >>> 14;
          const d = (w >>> 9) & 31;
          const a = (R[s] >>> 0) + P[b + 1];
          const hi = R[s + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 504) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 8) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 8, false);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              if (o === -1) {
                this.pc = pc;
                this.fault!.pc = pc;
                stop = STOP_FAULT;
                left++;
                break loop;
              }
              // A ctx field the kernel rewrites into a pointer load.
              R[d] = this.spLo;
              R[d + 1] = this.spHi;
              pc++;
              continue;
            }
          }
          R[d] = v.getInt32(o, true);
          R[d + 1] = v.getInt32(o + 4, true);
          pc++;
          continue;
        }
        case 70: { // ldxw
          const s = w >>> 14;
          const d = (w >>> 9) & 31;
          const a = (R[s] >>> 0) + P[b + 1];
          const hi = R[s + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 508) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 4) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 4, false);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              if (o === -1) {
                this.pc = pc;
                this.fault!.pc = pc;
                stop = STOP_FAULT;
                left++;
                break loop;
              }
              // A ctx field the kernel rewrites into a pointer load.
              R[d] = this.spLo;
              R[d + 1] = this.spHi;
              pc++;
              continue;
            }
          }
          R[d] = v.getInt32(o, true);
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 69: { // ldxh
          const s = w >>> 14;
          const d = (w >>> 9) & 31;
          const a = (R[s] >>> 0) + P[b + 1];
          const hi = R[s + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 510) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 2) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 2, false);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              if (o === -1) {
                this.pc = pc;
                this.fault!.pc = pc;
                stop = STOP_FAULT;
                left++;
                break loop;
              }
              // A ctx field the kernel rewrites into a pointer load.
              R[d] = this.spLo;
              R[d + 1] = this.spHi;
              pc++;
              continue;
            }
          }
          R[d] = v.getUint16(o, true);
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 68: { // ldxb
          const s = w >>> 14;
          const d = (w >>> 9) & 31;
          const a = (R[s] >>> 0) + P[b + 1];
          const hi = R[s + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 511) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 1) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 1, false);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              if (o === -1) {
                this.pc = pc;
                this.fault!.pc = pc;
                stop = STOP_FAULT;
                left++;
                break loop;
              }
              // A ctx field the kernel rewrites into a pointer load.
              R[d] = this.spLo;
              R[d + 1] = this.spHi;
              pc++;
              continue;
            }
          }
          R[d] = v.getUint8(o);
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 74: { // ldxsw
          const s = w >>> 14;
          const d = (w >>> 9) & 31;
          const a = (R[s] >>> 0) + P[b + 1];
          const hi = R[s + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 508) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 4) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 4, false);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              if (o === -1) {
                this.pc = pc;
                this.fault!.pc = pc;
                stop = STOP_FAULT;
                left++;
                break loop;
              }
              // A ctx field the kernel rewrites into a pointer load.
              R[d] = this.spLo;
              R[d + 1] = this.spHi;
              pc++;
              continue;
            }
          }
          R[d] = v.getInt32(o, true);
          R[d + 1] = R[d] >> 31;
          pc++;
          continue;
        }
        case 73: { // ldxsh
          const s = w >>> 14;
          const d = (w >>> 9) & 31;
          const a = (R[s] >>> 0) + P[b + 1];
          const hi = R[s + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 510) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 2) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 2, false);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              if (o === -1) {
                this.pc = pc;
                this.fault!.pc = pc;
                stop = STOP_FAULT;
                left++;
                break loop;
              }
              // A ctx field the kernel rewrites into a pointer load.
              R[d] = this.spLo;
              R[d + 1] = this.spHi;
              pc++;
              continue;
            }
          }
          R[d] = v.getInt16(o, true);
          R[d + 1] = R[d] >> 31;
          pc++;
          continue;
        }
        case 72: { // ldxsb
          const s = w >>> 14;
          const d = (w >>> 9) & 31;
          const a = (R[s] >>> 0) + P[b + 1];
          const hi = R[s + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 511) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 1) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 1, false);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              if (o === -1) {
                this.pc = pc;
                this.fault!.pc = pc;
                stop = STOP_FAULT;
                left++;
                break loop;
              }
              // A ctx field the kernel rewrites into a pointer load.
              R[d] = this.spLo;
              R[d + 1] = this.spHi;
              pc++;
              continue;
            }
          }
          R[d] = v.getInt8(o);
          R[d + 1] = R[d] >> 31;
          pc++;
          continue;
        }
        // st reads its immediate from the constant pool through the src index, like stx reads a register.
        case 75: case 76: { // stxdw/stdw
          const d = (w >>> 9) & 31;
          const a = (R[d] >>> 0) + P[b + 1];
          const hi = R[d + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 504) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 8 && cW === 1) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 8, true);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              this.pc = pc;
              this.fault!.pc = pc;
              stop = STOP_FAULT;
              left++;
              break loop;
            }
          }
          const s = w >>> 14;
          v.setInt32(o, R[s], true);
          v.setInt32(o + 4, R[s + 1], true);
          pc++;
          continue;
        }
        case 77: case 78: { // stxw/stw
          const d = (w >>> 9) & 31;
          const a = (R[d] >>> 0) + P[b + 1];
          const hi = R[d + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 508) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 4 && cW === 1) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 4, true);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              this.pc = pc;
              this.fault!.pc = pc;
              stop = STOP_FAULT;
              left++;
              break loop;
            }
          }
          const s = w >>> 14;
          v.setInt32(o, R[s], true);
          pc++;
          continue;
        }
        case 79: case 80: { // stxh/sth
          const d = (w >>> 9) & 31;
          const a = (R[d] >>> 0) + P[b + 1];
          const hi = R[d + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 510) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 2 && cW === 1) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 2, true);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              this.pc = pc;
              this.fault!.pc = pc;
              stop = STOP_FAULT;
              left++;
              break loop;
            }
          }
          const s = w >>> 14;
          v.setInt16(o, R[s], true);
          pc++;
          continue;
        }
        case 81: case 82: { // stxb/stb
          const d = (w >>> 9) & 31;
          const a = (R[d] >>> 0) + P[b + 1];
          const hi = R[d + 1];
          let o = a - sLo;
          let v: DataView = SV;
          if (hi === -14080 && o >= 0 && o <= 511) o += sBase;
          else if (hi === cHi && (o = a - cLo) >= 0 && o <= cLim - 1 && cW === 1) {
            o += cBase;
            v = CV;
          } else {
            o = this.eaSlow(hi, a, 1, true);
            v = this.mv;
            cHi = this.cHi;
            cLo = this.cLo;
            cLim = this.cLim;
            cBase = this.cBase;
            cW = this.cW;
            CV = this.cView;
            if (o < 0) {
              this.pc = pc;
              this.fault!.pc = pc;
              stop = STOP_FAULT;
              left++;
              break loop;
            }
          }
          const s = w >>> 14;
          v.setInt8(o, R[s]);
          pc++;
          continue;
        }

        // ---- jumps (O holds the absolute target slot) ----
        case 83: case 84: pc = P[b + 1]; continue;
        case 85: case 86: { const d = ((w >>> 9) & 31), s = (w >>> 14); pc = R[d] === R[s] && R[d + 1] === R[s + 1] ? P[b + 1] : pc + 1; continue; }
        case 87: case 88: { const d = ((w >>> 9) & 31), s = (w >>> 14); pc = R[d] !== R[s] || R[d + 1] !== R[s + 1] ? P[b + 1] : pc + 1; continue; }
        case 89: case 90: { const d = ((w >>> 9) & 31), s = (w >>> 14); pc = ((R[d] & R[s]) | (R[d + 1] & R[s + 1])) !== 0 ? P[b + 1] : pc + 1; continue; }
        case 91: case 92: { // jgt
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah > bh || (ah === bh && R[d] >>> 0 > R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        case 93: case 94: { // jge
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah > bh || (ah === bh && R[d] >>> 0 >= R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        case 95: case 96: { // jlt
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah < bh || (ah === bh && R[d] >>> 0 < R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        case 97: case 98: { // jle
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah < bh || (ah === bh && R[d] >>> 0 <= R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        case 99: case 100: { // jsgt
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah > bh || (ah === bh && R[d] >>> 0 > R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        case 101: case 102: { // jsge
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah > bh || (ah === bh && R[d] >>> 0 >= R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        case 103: case 104: { // jslt
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah < bh || (ah === bh && R[d] >>> 0 < R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        case 105: case 106: { // jsle
          const d = ((w >>> 9) & 31), s = (w >>> 14);
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah < bh || (ah === bh && R[d] >>> 0 <= R[s] >>> 0) ? P[b + 1] : pc + 1;
          continue;
        }
        // jmp32: compare the low words only
        case 107: case 108: pc = R[((w >>> 9) & 31)] === R[(w >>> 14)] ? P[b + 1] : pc + 1; continue;
        case 109: case 110: pc = R[((w >>> 9) & 31)] !== R[(w >>> 14)] ? P[b + 1] : pc + 1; continue;
        case 111: case 112: pc = (R[((w >>> 9) & 31)] & R[(w >>> 14)]) !== 0 ? P[b + 1] : pc + 1; continue;
        case 113: case 114: pc = R[((w >>> 9) & 31)] >>> 0 > R[(w >>> 14)] >>> 0 ? P[b + 1] : pc + 1; continue;
        case 115: case 116: pc = R[((w >>> 9) & 31)] >>> 0 >= R[(w >>> 14)] >>> 0 ? P[b + 1] : pc + 1; continue;
        case 117: case 118: pc = R[((w >>> 9) & 31)] >>> 0 < R[(w >>> 14)] >>> 0 ? P[b + 1] : pc + 1; continue;
        case 119: case 120: pc = R[((w >>> 9) & 31)] >>> 0 <= R[(w >>> 14)] >>> 0 ? P[b + 1] : pc + 1; continue;
        case 121: case 122: pc = R[((w >>> 9) & 31)] > R[(w >>> 14)] ? P[b + 1] : pc + 1; continue;
        case 123: case 124: pc = R[((w >>> 9) & 31)] >= R[(w >>> 14)] ? P[b + 1] : pc + 1; continue;
        case 125: case 126: pc = R[((w >>> 9) & 31)] < R[(w >>> 14)] ? P[b + 1] : pc + 1; continue;
        case 127: case 128: pc = R[((w >>> 9) & 31)] <= R[(w >>> 14)] ? P[b + 1] : pc + 1; continue;

        case 129: { // may_goto: if the frame's counter is exhausted jump, else count down
          const f = this.frames[this.frames.length - 1];
          if (f.mayGoto === 0) pc = P[b + 1];
          else {
            f.mayGoto--;
            pc++;
          }
          continue;
        }

        // ---- control transfer: leave the fast locals, let a method do it, reload ----
        case 130: case 131: case 132: case 133: { // call_local
          const code = (w & 511);
          this.pc = pc;
          this.R = R;
          const st = code === 130 ? this.helperCall(P[b + 2]) : code === 131 ? this.enterFrame(pc + 1, P[b + 1], undefined) : code === 132 ? this.callx(((w >>> 9) & 31)) : this.leaveFrame();
          if (st !== 0) {
            if (st === STOP_FAULT) left++;
            stop = st;
            break loop;
          }
          // Frames, maybe the program and the register file changed: continue in a fresh block.
          pc = this.pc;
          stop = STOP_RELOAD;
          break loop;
        }

        // ---- legacy packet loads (skb programs): big-endian, out of bounds ends the program with r0 = 0 ----
        case 134: case 135: case 136: case 137: case 138: case 139: {
          const code = P[b + 3];
          const size = (code & 0x18) === 0 ? 4 : (code & 0x18) === 0x08 ? 2 : 1;
          const offset = code >= 0x40 ? (R[(w >>> 14)] + P[b + 2]) | 0 : P[b + 2];
          const pkt = this.packet;
          let bytes = pkt?.bytes;
          let at = offset;
          if (offset < 0) {
            // SKF_NET_OFF / SKF_LL_OFF + k: relative to the network or link-layer header.
            at = negativeLoadIndex(this.headers, offset, size);
            bytes = this.headers?.bytes;
          }
          if (!pkt || !bytes || at < 0 || at + size > bytes.byteLength) {
            R[0] = R[1] = 0;
            this.pc = pc;
            this.R = R;
            const st = this.leaveFrame();
            if (st !== 0) {
              stop = st;
              break loop;
            }
            pc = this.pc;
            stop = STOP_RELOAD;
            break loop;
          }
          R[0] = size === 4 ? (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3] : size === 2 ? (bytes[at] << 8) | bytes[at + 1] : bytes[at];
          R[1] = 0;
          pc++;
          continue;
        }

        case 140: // breakpoint
          stop = STOP_BREAK;
          left++;
          break loop;

        default: {
          this.pc = pc;
          this.R = R;
          const st = this.slowOp(P[b + 3], pc);
          if (st !== 0) {
            if (st === STOP_FAULT) left++;
            stop = st;
            break loop;
          }
          pc = this.pc;
          continue;
        }
      }
    }
    if (stop !== STOP_FAULT && stop !== STOP_EXIT) this.pc = pc;
    this.executed += max - left;
    return stop;
  }

  /** Atomics and faulting slots: less frequent, kept out of the hot switch. */
  private slowOp(code: number, pc: number): number {
    const p = this.prog;
    const R = this.R;
    if (code >= OP.ATOMIC64 && code < OP.ATOMIC32 + 10) {
      const is32 = code >= OP.ATOMIC32;
      const kind = code - (is32 ? OP.ATOMIC32 : OP.ATOMIC64);
      const d = p.dst[pc];
      const s = p.src[pc];
      const size = is32 ? 4 : 8;
      const o = this.ea(R[d + 1], (R[d] >>> 0) + p.off[pc], size, true);
      if (o < 0) {
        if (o === -2) return this.setFault('unsupported', 'atomic operation on a ctx pointer field');
        this.fault!.pc = pc;
        return STOP_FAULT;
      }
      const v = this.mv;
      const oldLo = v.getInt32(o, true);
      const oldHi = is32 ? 0 : v.getInt32(o + 4, true);
      let nLo = oldLo;
      let nHi = oldHi;
      const op = kind & 3;
      if (kind < 8) {
        if (op === 0) {
          const t = (oldLo >>> 0) + (R[s] >>> 0);
          nLo = t | 0;
          nHi = (oldHi + R[s + 1] + (t > 0xffffffff ? 1 : 0)) | 0;
        } else if (op === 1) {
          nLo = oldLo | R[s];
          nHi = oldHi | R[s + 1];
        } else if (op === 2) {
          nLo = oldLo & R[s];
          nHi = oldHi & R[s + 1];
        } else {
          nLo = oldLo ^ R[s];
          nHi = oldHi ^ R[s + 1];
        }
        if (kind >= 4) {
          R[s] = oldLo;
          R[s + 1] = oldHi;
        }
      } else if (kind === 8) { // xchg
        nLo = R[s];
        nHi = R[s + 1];
        R[s] = oldLo;
        R[s + 1] = oldHi;
      } else { // cmpxchg: compare with r0 (its low word for 32-bit), r0 gets the old value
        if (oldLo === R[0] && (is32 || oldHi === R[1])) {
          nLo = R[s];
          nHi = R[s + 1];
        }
        R[0] = oldLo;
        R[1] = oldHi;
      }
      v.setInt32(o, nLo, true);
      if (!is32) v.setInt32(o + 4, nHi, true);
      this.pc = pc + 1;
      return 0;
    }
    switch (code) {
      case OP.FAULT: {
        const f = p.faults.get(pc);
        return this.setFault(f?.code ?? 'invalid_insn', f?.message ?? 'invalid instruction');
      }
      case OP.FELL_OFF:
        return this.setFault('pc_out_of_range', `execution ran past the last instruction (slot ${pc}) without exit`);
      case OP.BAD_JUMP: {
        const from = p.imm[pc];
        this.pc = from;
        return this.setFault('bad_jump', `jump from slot ${from} to slot ${p.off[pc]}, outside the program or into the middle of lddw`);
      }
      case OP.LDDW_HI:
        return this.setFault('bad_jump', 'executing the second half of lddw');
      default:
        return this.setFault('invalid_insn', `no handler for code 0x${code.toString(16)}`);
    }
  }
}


let warmedUp = false;

/**
 * Runs every handler and every way out of the interpreter loop a few times before the first real
 * program. Without this, V8 compiles the loop (on-stack replacement) before it has type feedback
 * for the code after the loop and for handlers not yet seen, and then deoptimizes at every chunk
 * boundary: measured 50-130 ns per instruction instead of a few. Each deoptimization of the loop
 * costs a recompile of 0.2-0.7 s during which programs run 50-100x slower, so the operands cover
 * large unsigned words and every jump goes both ways. (Deliberately not trained: the translation
 * cache's second entry; that made the optimized loop 5-14% slower on every workload.)
 */
function warmUp(): void {
  const body: Insn[] = [makeInsn('stdw', { dst: 10, off: -16, imm: 5 })];
  let tail: Insn[] = [];
  // Small operands, operands whose words are 2^31 or more as unsigned (negative immediates), and
  // mixed ones: otherwise V8 specializes the 64-bit arithmetic and compares for small integers only,
  // and the first `r6 += -1` of a real program throws the optimized loop away ("lost precision").
  // Every conditional jump is both taken and not taken, so both continuations have type feedback.
  for (const [a, b] of [[7, 3], [-7, -3], [7, -3]]) {
    body.push(makeInsn('mov64_imm', { dst: 3, imm: a }), makeInsn('mov64_imm', { dst: 4, imm: b }));
    for (const f of FORMS) {
      switch (f.kind) {
        case 'alu': case 'mov': case 'neg': case 'movsx': case 'end': case 'bswap': case 'addr_space_cast':
          body.push(makeInsn(f.id, { dst: 3, src: 4, imm: b }), makeInsn('mov64_imm', { dst: 3, imm: a }), makeInsn('mov64_imm', { dst: 4, imm: b }));
          break;
        case 'jcond':
          body.push(
            makeInsn(f.id, { dst: 3, src: 4, imm: b, off: 0 }), makeInsn(f.id, { dst: 4, src: 3, imm: a, off: 0 }),
            makeInsn(f.id, { dst: 3, src: 3, imm: a, off: 0 }),
          );
          break;
        case 'ldx': case 'ldsx': if (a > 0) body.push(makeInsn(f.id, { dst: 3, src: 10, off: -16 }), makeInsn('mov64_imm', { dst: 3, imm: a })); break;
        case 'st': case 'stx': case 'atomic': if (a > 0) body.push(makeInsn(f.id, { dst: 10, src: 4, off: -16, imm: 1 })); break;
        case 'may_goto': case 'ja': if (a > 0) body.push(makeInsn(f.id, { off: 0, imm: 0 })); break;
        case 'lddw': if (f.id === 'lddw' && a > 0) body.push(makeInsn('lddw', { dst: 5, imm: 1, imm2: 2 })); break;
        case 'ld_abs': case 'ld_ind': tail = [makeInsn(f.id, { src: 4, imm: 100 })]; break;
        default: break;
      }
    }
  }
  // Two endings: a legacy packet load past the end (ends the program), and one inside the packet
  // followed by the main exit, so both ways out of the loop have type feedback.
  const ending = (t: Insn[]): Insn[] => [...body, makeInsn('call', { imm: 7 }), makeInsn('call_local', { imm: 2 }), makeInsn('mov64_imm', { dst: 4, imm: 0 }), ...t, makeInsn('exit'), makeInsn('mov64_imm', { dst: 0, imm: 1 }), makeInsn('exit')];
  const programs = [ending(tail), ending(tail.map((t) => makeInsn(t.form.id, { src: 4, imm: 1 })))];
  for (let i = 0; i < 40; i++) {
    const k = new KernelClass();
    const insns = programs[i % 2];
    const prog = loadProgram(k, insns, { type: 'socket_filter' });
    const m = new Machine(k, prog, setupContext(k, { type: 'socket_filter', packet: new Uint8Array(64) }));
    m.run({ budget: 1 + (i % 7) });
    if (i % 5 === 0) m.setBreakpoint(insns.length - 4);
    m.run({ budget: 50 });
    m.run();
    if (m.fault) throw new Error(`interpreter warm-up program faulted: ${m.fault.message}`);
    const k2 = new KernelClass();
    const bad = new Machine(k2, prog, setupContext(k2, { type: 'raw' }));
    bad.setReg(10, 0n);
    bad.run({ budget: 10 });
  }
}
