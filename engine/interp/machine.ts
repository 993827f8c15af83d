// The eBPF interpreter: a register machine over predecoded programs and the simulated kernel, with debug hooks (step, breakpoints, budget, cancel, step events).
//
// Registers are pairs of 32-bit words in an Int32Array (r<n> low word at 2n, high word at 2n+1),
// followed by the program's constant pool. The hot loop is one switch over small integer handler
// codes (the opcode byte, or an OP.* code for forms sharing an opcode). Memory goes through a
// two-entry translation cache: the current frame's stack, then the last other region touched;
// anything else takes the slow path, which bounds-checks against the AddressSpace and faults with
// the address, size and region instead of touching anything outside the region.
import {
  HI, NO_HI, helperById, hex64, isHelperFault, joinAddress, splitAddress, ProgArrayMap,
  type Kernel, type Region, type RunContext,
} from '../kernel';
import { OP, POOL_BASE, type Program } from './program';
import { OUT, div64, mod64, mul64, sdiv32, sdiv64, smod32, smod64 } from './wide';

export type FaultCode =
  | 'mem_unmapped' | 'mem_out_of_bounds' | 'mem_read_only' | 'invalid_insn' | 'unresolved_lddw' | 'unsupported'
  | 'bad_jump' | 'pc_out_of_range' | 'unknown_helper' | 'helper_arg' | 'call_depth' | 'bad_callx';

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

const STACK_LO = 0x00100000;
const STACK_STRIDE = 0x10000;
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
  private readonly stackBytes = new Uint8Array(MAX_CALL_FRAMES * STACK_SIZE);
  private readonly stackView = new DataView(this.stackBytes.buffer);
  private readonly stackRegions: Region[] = [];
  private readonly cancelSignal: Int32Array;
  private readonly breakpoints = new Map<Program, Set<number>>();
  private readonly opCopies = new Map<Program, Uint16Array>();
  private stepListeners: Array<(rec: StepRecord) => void> = [];
  private readonly history: StepRecord[] = [];
  private lastBreak = -1;
  /** Step records kept for stepBack when recording (0 = off). */
  historyLimit = 0;

  // Translation cache: S = current frame's stack, C = last other region (one element of strided regions).
  private sLo = 0;
  private sBase = 0;
  private cHi = NO_HI;
  private cLo = 0;
  private cLim = 0;
  private cBase = 0;
  private cW = false;
  private cView: DataView;
  private mv: DataView;
  private spLo = 0;
  private spHi = 0;

  constructor(kernel: Kernel, prog: Program, run: RunContext, opts: MachineOptions = {}) {
    this.kernel = kernel;
    this.prog = prog;
    this.packet = run.packet;
    this.cancelSignal = opts.cancelSignal ?? new Int32Array(1);
    this.R = new Int32Array(POOL_BASE + prog.pool.length);
    this.R.set(prog.pool, POOL_BASE);
    this.cView = this.stackView;
    this.mv = this.stackView;
    for (let i = 0; i < MAX_CALL_FRAMES; i++) {
      this.stackRegions.push(kernel.space.map({
        name: `stack frame ${i}`, kind: 'stack', hi: HI.STACK, lo: STACK_LO + i * STACK_STRIDE,
        bytes: this.stackBytes.subarray(i * STACK_SIZE, (i + 1) * STACK_SIZE), writable: true,
      }));
    }
    kernel.space.onUnmap(() => {
      this.cHi = NO_HI;
    });
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

  // ---- breakpoints --------------------------------------------------------------------------

  setBreakpoint(pc: number, prog: Program = this.frames[0].prog): void {
    const set = this.breakpoints.get(prog) ?? new Set<number>();
    set.add(pc);
    this.breakpoints.set(prog, set);
    const ops = this.opsOf(prog);
    if (pc >= 0 && pc < prog.n) ops[pc] = OP.BREAK;
  }

  clearBreakpoint(pc: number, prog: Program = this.frames[0].prog): void {
    this.breakpoints.get(prog)?.delete(pc);
    const ops = this.opsOf(prog);
    if (pc >= 0 && pc < prog.n) ops[pc] = prog.op[pc];
  }

  /** The machine's own copy of a program's handler codes, with breakpoints patched in (like int3). */
  private opsOf(prog: Program): Uint16Array {
    let ops = this.opCopies.get(prog);
    if (!ops) {
      ops = prog.op.slice();
      this.opCopies.set(prog, ops);
    }
    return ops;
  }

  // ---- running ------------------------------------------------------------------------------

  onStep(listener: (rec: StepRecord) => void): () => void {
    this.stepListeners.push(listener);
    return () => {
      this.stepListeners = this.stepListeners.filter((l) => l !== listener);
    };
  }

  private get recording(): boolean {
    return this.stepListeners.length > 0 || this.historyLimit > 0;
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
      const ops = this.opsOf(this.prog);
      const atBreak = ops[this.pc] === OP.BREAK;
      if (atBreak && !(first && ignoreAtPc)) {
        this.lastBreak = this.pc;
        return 'breakpoint';
      }
      const chunk = stepwise || atBreak ? 1 : Math.min(left, CANCEL_CHECK_EVERY);
      let stop: number;
      if (atBreak) {
        // Resuming from a breakpoint at pc: run that one instruction with its real handler.
        const at = this.pc;
        ops[at] = this.prog.op[at];
        stop = this.recording ? this.recordedExec() : this.exec(1);
        ops[at] = OP.BREAK;
      } else stop = this.recording ? this.recordedExec() : this.exec(chunk);
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
    const rec = this.history.pop();
    if (!rec) return false;
    rec.undo();
    return true;
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

  /** exec(1) with a record of every register and memory change (the step event / step-back). */
  private recordedExec(): number {
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
    const op = prog.op[pc];
    if (op === OP.CALL_LOCAL || op === 0x8d || op === 0x85) {
      const next = this.stackRegions[Math.min(this.frames.length, MAX_CALL_FRAMES - 1)];
      mem.push({ region: next, offset: 0, before: next.bytes.slice() });
    }
    this.kernel.space.onWrite = (region, offset, before) => mem.push({ region, offset, before });
    this.kernel.journal.record = (u) => undos.push(u);
    let stop: number;
    try {
      stop = this.exec(1);
    } finally {
      this.kernel.space.onWrite = undefined;
      this.kernel.journal.record = undefined;
    }
    const rec: StepRecord = {
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
    if (this.historyLimit > 0) {
      this.history.push(rec);
      if (this.history.length > this.historyLimit) this.history.shift();
    }
    for (const l of this.stepListeners) l(rec);
    return stop;
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
    if (hi === HI.STACK) {
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
        this.cBase = r.bytes.byteOffset + start;
      } else {
        this.cLo = r.lo;
        this.cLim = r.size;
        this.cBase = r.bytes.byteOffset;
      }
      this.cHi = r.hi;
      this.cW = r.writable;
      this.cView = new DataView(r.bytes.buffer);
    }
    this.mv = new DataView(r.bytes.buffer);
    return r.bytes.byteOffset + res.offset;
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
    const h = helperById(id);
    if (!h) return this.setFault('unknown_helper', `unknown helper function id ${id} (func#${id})`);
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
    if (index >= map.def.maxEntries || this.tailCalls >= MAX_TAIL_CALL_CNT || !target) {
      this.pc++;
      return 0;
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
    let prog = this.prog;
    let op = this.opsOf(prog);
    let D = prog.dst;
    let S = prog.src;
    let O = prog.off;
    let I = prog.imm;
    let R = this.R;
    let pc = this.pc;
    let left = max;
    let stop = STOP_STEPS;
    loop: for (;;) {
      if (left === 0) break;
      left--;
      switch (op[pc]) {
        // ---- ALU64 (imm forms read the constant pool through S) ----
        case 0x07: case 0x0f: { // add64
          const d = D[pc], s = S[pc];
          const t = (R[d] >>> 0) + (R[s] >>> 0);
          R[d] = t | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + (t > 0xffffffff ? 1 : 0)) | 0;
          pc++;
          continue;
        }
        case 0x17: case 0x1f: { // sub64
          const d = D[pc], s = S[pc];
          const t = (R[d] >>> 0) - (R[s] >>> 0);
          R[d] = t | 0;
          R[d + 1] = (R[d + 1] - R[s + 1] - (t < 0 ? 1 : 0)) | 0;
          pc++;
          continue;
        }
        case 0x27: case 0x2f: { // mul64
          const d = D[pc], s = S[pc];
          mul64(R[d], R[d + 1], R[s], R[s + 1]);
          R[d] = OUT[0];
          R[d + 1] = OUT[1];
          pc++;
          continue;
        }
        case 0x37: case 0x3f: { // div64
          const d = D[pc], s = S[pc];
          div64(R[d], R[d + 1], R[s], R[s + 1]);
          R[d] = OUT[0];
          R[d + 1] = OUT[1];
          pc++;
          continue;
        }
        case 0x97: case 0x9f: { // mod64
          const d = D[pc], s = S[pc];
          mod64(R[d], R[d + 1], R[s], R[s + 1]);
          R[d] = OUT[0];
          R[d + 1] = OUT[1];
          pc++;
          continue;
        }
        case 0x100: { // sdiv64
          const d = D[pc], s = S[pc];
          sdiv64(R[d], R[d + 1], R[s], R[s + 1]);
          R[d] = OUT[0];
          R[d + 1] = OUT[1];
          pc++;
          continue;
        }
        case 0x101: { // smod64
          const d = D[pc], s = S[pc];
          smod64(R[d], R[d + 1], R[s], R[s + 1]);
          R[d] = OUT[0];
          R[d + 1] = OUT[1];
          pc++;
          continue;
        }
        case 0x47: case 0x4f: { // or64
          const d = D[pc], s = S[pc];
          R[d] |= R[s];
          R[d + 1] |= R[s + 1];
          pc++;
          continue;
        }
        case 0x57: case 0x5f: { // and64
          const d = D[pc], s = S[pc];
          R[d] &= R[s];
          R[d + 1] &= R[s + 1];
          pc++;
          continue;
        }
        case 0xa7: case 0xaf: { // xor64
          const d = D[pc], s = S[pc];
          R[d] ^= R[s];
          R[d + 1] ^= R[s + 1];
          pc++;
          continue;
        }
        case 0x67: case 0x6f: { // lsh64
          const d = D[pc];
          const n = R[S[pc]] & 63;
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
        case 0x77: case 0x7f: { // rsh64
          const d = D[pc];
          const n = R[S[pc]] & 63;
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
        case 0xc7: case 0xcf: { // arsh64
          const d = D[pc];
          const n = R[S[pc]] & 63;
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
        case 0x87: { // neg64
          const d = D[pc];
          const lo = R[d];
          R[d] = -lo | 0;
          R[d + 1] = (~R[d + 1] + (lo === 0 ? 1 : 0)) | 0;
          pc++;
          continue;
        }
        case 0xb7: case 0xbf: case 0x10d: { // mov64
          const d = D[pc], s = S[pc];
          R[d] = R[s];
          R[d + 1] = R[s + 1];
          pc++;
          continue;
        }
        case 0x108: { const d = D[pc]; R[d] = (R[S[pc]] << 24) >> 24; R[d + 1] = R[d] >> 31; pc++; continue; } // movsx64_8
        case 0x109: { const d = D[pc]; R[d] = (R[S[pc]] << 16) >> 16; R[d + 1] = R[d] >> 31; pc++; continue; } // movsx64_16
        case 0x10a: { const d = D[pc]; R[d] = R[S[pc]]; R[d + 1] = R[d] >> 31; pc++; continue; } // movsx64_32
        case 0x10b: { const d = D[pc]; R[d] = (R[S[pc]] << 24) >> 24; R[d + 1] = 0; pc++; continue; } // movsx32_8
        case 0x10c: { const d = D[pc]; R[d] = (R[S[pc]] << 16) >> 16; R[d + 1] = 0; pc++; continue; } // movsx32_16

        // ---- ALU32: results are zero-extended ----
        case 0x04: case 0x0c: { const d = D[pc]; R[d] = (R[d] + R[S[pc]]) | 0; R[d + 1] = 0; pc++; continue; }
        case 0x14: case 0x1c: { const d = D[pc]; R[d] = (R[d] - R[S[pc]]) | 0; R[d + 1] = 0; pc++; continue; }
        case 0x24: case 0x2c: { const d = D[pc]; R[d] = Math.imul(R[d], R[S[pc]]); R[d + 1] = 0; pc++; continue; }
        case 0x34: case 0x3c: { // div32: by zero gives 0
          const d = D[pc];
          const b = R[S[pc]] >>> 0;
          R[d] = b === 0 ? 0 : ((R[d] >>> 0) / b) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 0x94: case 0x9c: { // mod32: by zero leaves the low word (zero-extended)
          const d = D[pc];
          const b = R[S[pc]] >>> 0;
          if (b !== 0) R[d] = ((R[d] >>> 0) % b) | 0;
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 0x102: { const d = D[pc]; R[d] = sdiv32(R[d], R[S[pc]]); R[d + 1] = 0; pc++; continue; } // sdiv32
        case 0x103: { // smod32
          const d = D[pc];
          const b = R[S[pc]];
          if (b !== 0) R[d] = smod32(R[d], b);
          R[d + 1] = 0;
          pc++;
          continue;
        }
        case 0x44: case 0x4c: { const d = D[pc]; R[d] |= R[S[pc]]; R[d + 1] = 0; pc++; continue; }
        case 0x54: case 0x5c: { const d = D[pc]; R[d] &= R[S[pc]]; R[d + 1] = 0; pc++; continue; }
        case 0xa4: case 0xac: { const d = D[pc]; R[d] ^= R[S[pc]]; R[d + 1] = 0; pc++; continue; }
        case 0x64: case 0x6c: { const d = D[pc]; R[d] <<= R[S[pc]] & 31; R[d + 1] = 0; pc++; continue; }
        case 0x74: case 0x7c: { const d = D[pc]; R[d] = R[d] >>> (R[S[pc]] & 31); R[d + 1] = 0; pc++; continue; }
        case 0xc4: case 0xcc: { const d = D[pc]; R[d] >>= R[S[pc]] & 31; R[d + 1] = 0; pc++; continue; }
        case 0x84: { const d = D[pc]; R[d] = -R[d] | 0; R[d + 1] = 0; pc++; continue; }
        case 0xb4: case 0xbc: { const d = D[pc]; R[d] = R[S[pc]]; R[d + 1] = 0; pc++; continue; }

        // ---- byte order (this machine model is little-endian, like x86-64) ----
        case 0x156: { const d = D[pc]; R[d] &= 0xffff; R[d + 1] = 0; pc++; continue; } // le16
        case 0x157: { R[D[pc] + 1] = 0; pc++; continue; } // le32
        case 0x158: { pc++; continue; } // le64
        case 0x159: { const d = D[pc]; const x = R[d]; R[d] = ((x & 0xff) << 8) | ((x >>> 8) & 0xff); R[d + 1] = 0; pc++; continue; } // be16/bswap16
        case 0x15a: { const d = D[pc]; R[d] = bswap32(R[d]); R[d + 1] = 0; pc++; continue; } // be32/bswap32
        case 0x15b: { const d = D[pc]; const lo = R[d]; R[d] = bswap32(R[d + 1]); R[d + 1] = bswap32(lo); pc++; continue; } // be64/bswap64

        // ---- lddw ----
        case 0x18: { const d = D[pc]; R[d] = I[pc]; R[d + 1] = O[pc]; pc += 2; continue; }

        // ---- loads ----
        case 0x71: case 0x69: case 0x61: case 0x79: case 0x91: case 0x89: case 0x81: {
          const code = op[pc];
          const s = S[pc];
          const size = code === 0x71 || code === 0x91 ? 1 : code === 0x69 || code === 0x89 ? 2 : code === 0x79 ? 8 : 4;
          const o = this.ea(R[s + 1], (R[s] >>> 0) + O[pc], size, false);
          const d = D[pc];
          if (o < 0) {
            if (o === -1) {
              this.pc = pc;
              this.fault!.pc = pc;
              stop = STOP_FAULT;
              left++;
              break loop;
            }
            R[d] = this.spLo;
            R[d + 1] = this.spHi;
            pc++;
            continue;
          }
          const v = this.mv;
          switch (code) {
            case 0x79: R[d] = v.getInt32(o, true); R[d + 1] = v.getInt32(o + 4, true); break;
            case 0x61: R[d] = v.getInt32(o, true); R[d + 1] = 0; break;
            case 0x69: R[d] = v.getUint16(o, true); R[d + 1] = 0; break;
            case 0x71: R[d] = v.getUint8(o); R[d + 1] = 0; break;
            case 0x81: R[d] = v.getInt32(o, true); R[d + 1] = R[d] >> 31; break;
            case 0x89: R[d] = v.getInt16(o, true); R[d + 1] = R[d] >> 31; break;
            default: R[d] = v.getInt8(o); R[d + 1] = R[d] >> 31; break;
          }
          pc++;
          continue;
        }

        // ---- stores (st reads its immediate from the pool through S) ----
        case 0x7b: case 0x7a: case 0x63: case 0x62: case 0x6b: case 0x6a: case 0x73: case 0x72: {
          const code = op[pc];
          const d = D[pc];
          const size = (code & 0x18) === 0x18 ? 8 : (code & 0x18) === 0 ? 4 : (code & 0x18) === 0x08 ? 2 : 1;
          const o = this.ea(R[d + 1], (R[d] >>> 0) + O[pc], size, true);
          if (o < 0) {
            this.pc = pc;
            this.fault!.pc = pc;
            stop = STOP_FAULT;
            left++;
            break loop;
          }
          const s = S[pc];
          const v = this.mv;
          if (size === 8) {
            v.setInt32(o, R[s], true);
            v.setInt32(o + 4, R[s + 1], true);
          } else if (size === 4) v.setInt32(o, R[s], true);
          else if (size === 2) v.setInt16(o, R[s], true);
          else v.setInt8(o, R[s]);
          pc++;
          continue;
        }

        // ---- jumps (O holds the absolute target slot) ----
        case 0x05: case 0x06: pc = O[pc]; continue;
        case 0x15: case 0x1d: { const d = D[pc], s = S[pc]; pc = R[d] === R[s] && R[d + 1] === R[s + 1] ? O[pc] : pc + 1; continue; }
        case 0x55: case 0x5d: { const d = D[pc], s = S[pc]; pc = R[d] !== R[s] || R[d + 1] !== R[s + 1] ? O[pc] : pc + 1; continue; }
        case 0x45: case 0x4d: { const d = D[pc], s = S[pc]; pc = ((R[d] & R[s]) | (R[d + 1] & R[s + 1])) !== 0 ? O[pc] : pc + 1; continue; }
        case 0x25: case 0x2d: { // jgt
          const d = D[pc], s = S[pc];
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah > bh || (ah === bh && R[d] >>> 0 > R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        case 0x35: case 0x3d: { // jge
          const d = D[pc], s = S[pc];
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah > bh || (ah === bh && R[d] >>> 0 >= R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        case 0xa5: case 0xad: { // jlt
          const d = D[pc], s = S[pc];
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah < bh || (ah === bh && R[d] >>> 0 < R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        case 0xb5: case 0xbd: { // jle
          const d = D[pc], s = S[pc];
          const ah = R[d + 1] >>> 0, bh = R[s + 1] >>> 0;
          pc = ah < bh || (ah === bh && R[d] >>> 0 <= R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        case 0x65: case 0x6d: { // jsgt
          const d = D[pc], s = S[pc];
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah > bh || (ah === bh && R[d] >>> 0 > R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        case 0x75: case 0x7d: { // jsge
          const d = D[pc], s = S[pc];
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah > bh || (ah === bh && R[d] >>> 0 >= R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        case 0xc5: case 0xcd: { // jslt
          const d = D[pc], s = S[pc];
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah < bh || (ah === bh && R[d] >>> 0 < R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        case 0xd5: case 0xdd: { // jsle
          const d = D[pc], s = S[pc];
          const ah = R[d + 1], bh = R[s + 1];
          pc = ah < bh || (ah === bh && R[d] >>> 0 <= R[s] >>> 0) ? O[pc] : pc + 1;
          continue;
        }
        // jmp32: compare the low words only
        case 0x16: case 0x1e: pc = R[D[pc]] === R[S[pc]] ? O[pc] : pc + 1; continue;
        case 0x56: case 0x5e: pc = R[D[pc]] !== R[S[pc]] ? O[pc] : pc + 1; continue;
        case 0x46: case 0x4e: pc = (R[D[pc]] & R[S[pc]]) !== 0 ? O[pc] : pc + 1; continue;
        case 0x26: case 0x2e: pc = R[D[pc]] >>> 0 > R[S[pc]] >>> 0 ? O[pc] : pc + 1; continue;
        case 0x36: case 0x3e: pc = R[D[pc]] >>> 0 >= R[S[pc]] >>> 0 ? O[pc] : pc + 1; continue;
        case 0xa6: case 0xae: pc = R[D[pc]] >>> 0 < R[S[pc]] >>> 0 ? O[pc] : pc + 1; continue;
        case 0xb6: case 0xbe: pc = R[D[pc]] >>> 0 <= R[S[pc]] >>> 0 ? O[pc] : pc + 1; continue;
        case 0x66: case 0x6e: pc = R[D[pc]] > R[S[pc]] ? O[pc] : pc + 1; continue;
        case 0x76: case 0x7e: pc = R[D[pc]] >= R[S[pc]] ? O[pc] : pc + 1; continue;
        case 0xc6: case 0xce: pc = R[D[pc]] < R[S[pc]] ? O[pc] : pc + 1; continue;
        case 0xd6: case 0xde: pc = R[D[pc]] <= R[S[pc]] ? O[pc] : pc + 1; continue;

        case 0xe5: { // may_goto: if the frame's counter is exhausted jump, else count down
          const f = this.frames[this.frames.length - 1];
          if (f.mayGoto === 0) pc = O[pc];
          else {
            f.mayGoto--;
            pc++;
          }
          continue;
        }

        // ---- control transfer: leave the fast locals, let a method do it, reload ----
        case 0x85: case 0x131: case 0x8d: case 0x95: { // call_local
          const code = op[pc];
          this.pc = pc;
          this.R = R;
          const st = code === 0x85 ? this.helperCall(I[pc]) : code === 0x131 ? this.enterFrame(pc + 1, O[pc], undefined) : code === 0x8d ? this.callx(D[pc]) : this.leaveFrame();
          if (st !== 0) {
            if (st === STOP_FAULT) left++;
            stop = st;
            break loop;
          }
          R = this.R;
          pc = this.pc;
          if (this.prog !== prog) {
            prog = this.prog;
            op = this.opsOf(prog);
            D = prog.dst;
            S = prog.src;
            O = prog.off;
            I = prog.imm;
          }
          continue;
        }

        // ---- legacy packet loads (skb programs): big-endian, out of bounds ends the program with r0 = 0 ----
        case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50: {
          const code = op[pc];
          const size = (code & 0x18) === 0 ? 4 : (code & 0x18) === 0x08 ? 2 : 1;
          const offset = code >= 0x40 ? (R[S[pc]] + I[pc]) | 0 : I[pc];
          const pkt = this.packet;
          if (!pkt || offset < 0 || offset + size > pkt.size) {
            R[0] = R[1] = 0;
            this.pc = pc;
            this.R = R;
            const st = this.leaveFrame();
            if (st !== 0) {
              stop = st;
              break loop;
            }
            pc = this.pc;
            continue;
          }
          const b = pkt.bytes;
          R[0] = size === 4 ? (b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3] : size === 2 ? (b[offset] << 8) | b[offset + 1] : b[offset];
          R[1] = 0;
          pc++;
          continue;
        }

        case 0x1ff: // breakpoint
          stop = STOP_BREAK;
          left++;
          break loop;

        default: {
          this.pc = pc;
          this.R = R;
          const st = this.slowOp(op[pc], pc);
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

