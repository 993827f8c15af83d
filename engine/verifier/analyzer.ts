// Abstract interpretation in the order of the kernel's do_check: one path at a time, branches pushed on a stack,
// states checkpointed at prune points (is_state_visited), the log written as the kernel writes it.
//
// Modelled as a privileged (root, CAP_BPF + CAP_PERFMON) load: pointer leaks are allowed, uninitialised stack may
// be read, and no speculative-execution paths are simulated — the kernel's behaviour for root.
import type { Insn } from '../isa';
import { HELPER_PROTOS, helperKernelName, type ArgType, type HelperProto } from '../kernel/helper-protos';
import { ctxAccess, type ProgType } from '../kernel/prog-types';
import {
  boundsSanity, boundsSanityLine, boundsSync, coerceToSize, constValue, mark64Unbounded, isConst, mark32Unbounded, markKnown, markKnown32, markUnbounded, refineCond, REV_COND,
  S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, s32, safeToCompute, scalarAlu, scalarBranchTaken, FLIP_COND, u64, s64, zext32To64,
  type Bounds, type Cond, type ScalarAluOp,
} from './bounds';
import type { Program } from './cfg';
import { printKernelInsn } from './kernel-disasm';
import { MAP_TYPE_IDS, mapFuncCompatible } from './map-compat';
import type { Liveness } from './liveness';
import { markChainPrecision, type Backtrack, type HistEntry, type PrecisionNode } from './precision';
import { printFrame, regTypeStr, VerifierLog, type Scratch } from './log';
import { StackLiveness } from './stack-liveness';
import {
  BPF_REG_FP, cloneReg, cloneState, EMPTY_SLOT, MAX_BPF_STACK, newFrame, notInitReg, pointerReg, scalarConst, scalarUnknown,
  writableSlot, type FrameState, type MapInfo, type RegState, type StackSlot, type VerifierState,
} from './state';
import { IdMap, regSafe, statesEqual, statesMaybeLooping } from './states-equal';
import { tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, tnumPrint, tnumRange, tnumSub, tnumSubreg, tnumUnknown } from './tnum';

export const COMPLEXITY_LIMIT_INSNS = 1_000_000;
const MAX_CALL_FRAMES = 8;
const BPF_MAX_VAR_OFF = 1 << 29;
const BPF_MAX_VAR_SIZ = 1 << 29;
const MAX_PACKET_OFF = 0xffff;

/** A rejection: the kernel's message, the instruction (slot) it was found at, and a stable code. */
export class Reject {
  /** newline: false for the few kernel messages printed without a trailing newline. */
  constructor(readonly pc: number, readonly message: string, readonly code: string, readonly newline = true) {}
}

export interface AnalyzeOptions {
  readonly progType: ProgType;
  readonly gpl: boolean;
  readonly sleepable: boolean;
  readonly maps: readonly MapInfo[];
  readonly log: VerifierLog;
  /** How many abstract states to keep per instruction for the debugger. */
  readonly keepStatesPerInsn: number;
  /** The kernel's nr_cpu_ids: bounds bpf_get_smp_processor_id()'s result; undefined leaves it unknown. */
  readonly nrCpuIds?: number;
  /** Called every PROGRESS_INTERVAL processed instructions; true stops the walk (a Reject with CANCELLED_CODE). */
  readonly onProgress?: (processed: number) => boolean | void;
}

/** How often (processed instructions, a power of two) onProgress is asked: rare enough to cost nothing. */
export const PROGRESS_INTERVAL = 4096;
/** The code of the Reject that ends a walk stopped by onProgress (not a verdict). */
export const CANCELLED_CODE = 'verifier.cancelled';

export interface AnalyzeStats {
  processed: number;
  maxStatesPerInsn: number;
  totalStates: number;
  peakStates: number;
}

interface Checkpoint extends PrecisionNode {
  readonly state: VerifierState;
  readonly pc: number;
  branches: number;
  readonly parent?: Checkpoint;
  hits: number;
  misses: number;
  dead: boolean;
  /** Evicted but still counted in free_list_size (referenced by pending paths or incomplete loop marks). */
  inFreeList?: boolean;
  cleaned: boolean;
  /** This checkpoint entered a loop (SCC) instance: its callchain key, printed again at "SCC exit". */
  sccEntry?: string;
  /** dfs_depth: checkpoints above it on its path. */
  readonly dfsDepth: number;
}

/** A loop instance (struct bpf_scc_visit): its entry checkpoint while being explored, and backedges seen meanwhile. */
interface SccVisit {
  entry?: Checkpoint;
  backedges: Backedge[];
}

/** struct bpf_scc_backedge: a path that closed the loop at an equivalent state, kept for precision propagation. */
interface Backedge extends PrecisionNode {
  readonly equal: VerifierState;
  readonly lastIdx: number;
}

interface Pending {
  readonly state: VerifierState;
  readonly pc: number;
  readonly prevPc: number;
  readonly logPos: number;
  readonly parent?: Checkpoint;
  readonly firstIdx: number;
  readonly history: HistEntry[];
  readonly dfsDepth: number;
}

const ALU_STR: Record<string, string> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=', mod: '%=', xor: '^=',
  arsh: 's>>=', sdiv: '/=', smod: '%=', neg: 'neg',
};

/** compatible_reg_types: the "expected=" list of check_reg_type per argument kind. */
const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';

/** vlog_alignment's spaces and the ';' after them, memoised by width (printed after every logged instruction). */
const PADDING: string[] = [];
function padding(width: number): string {
  return (PADDING[width] ??= `${' '.repeat(width)};`);
}

export class Analyzer {
  private readonly log: VerifierLog;
  readonly stats: AnalyzeStats = { processed: 0, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0 };
  /** Abstract states observed before each instruction (slot index -> states), for the debugger. */
  readonly states = new Map<number, VerifierState[]>();
  private cur!: VerifierState;
  private parent?: Checkpoint;
  private pc = 0;
  private prevPc = 0;
  private readonly pending: Pending[] = [];
  /** env->explored_states: hash buckets of checkpoints, newest last (the kernel adds at the list head). */
  private readonly explored = new Map<number, Checkpoint[]>();
  /** 6.18's stack-slot liveness (kernel/bpf/liveness.c), consulted when finished checkpoints are cleaned. */
  private readonly stackLive: StackLiveness;
  private idGen = 0;
  private jmpsProcessed = 0;
  private prevJmpsProcessed = 0;
  private prevInsnProcessed = 0;
  private scratch: Scratch | 'all' = 'all';
  private prevLogPos = 0;
  private prevInsnPrintPos = 0;
  private readonly prunePoints: ReadonlySet<number>;
  /** The current path since its last checkpoint: first instruction and jump history (for backtracking). */
  private firstIdx = 0;
  private history: HistEntry[] = [];
  /** The history entry of the instruction being processed, if one was pushed (push_jmp_history merges). */
  private curHist?: HistEntry;
  /** A spill or fill by the current instruction (INSN_F_STACK_ACCESS). */
  private insnStack?: { frameno: number; spi: number };

  constructor(private readonly prog: Program, private readonly opts: AnalyzeOptions, prunePoints: ReadonlySet<number>, private readonly live: Liveness, private readonly jmpPoints: ReadonlySet<number>, private readonly forcePoints: ReadonlySet<number> = new Set()) {
    this.log = opts.log;
    this.prunePoints = prunePoints;
    this.stackLive = new StackLiveness({ prog, subprogStarts: subprogStarts(prog), prunePoints, log: opts.log });
  }

  // ---- driver (do_check) ----

  run(): Reject | undefined {
    const frame = newFrame(0, -1, 0);
    frame.regs[1] = pointerReg('PTR_TO_CTX');
    this.cur = { frames: [frame], curframe: 0, refs: [], mayGotoDepth: 0 };
    this.scratch = 'all';
    let doPrintState = false;
    for (;;) {
      const idx = this.prog.insnAt[this.pc];
      const insn = this.prog.insns[idx];
      this.curHist = undefined;
      this.insnStack = undefined;
      if (++this.stats.processed > COMPLEXITY_LIMIT_INSNS) {
        return new Reject(this.pc, `BPF program is too large. Processed ${this.stats.processed} insn`, 'limit.insns');
      }
      if ((this.stats.processed & (PROGRESS_INTERVAL - 1)) === 0 && this.opts.onProgress?.(this.stats.processed)) {
        return new Reject(this.pc, `verification cancelled after ${this.stats.processed} insns`, CANCELLED_CODE);
      }
      if (this.prunePoints.has(this.pc)) {
        const visited = this.isStateVisited();
        if (visited instanceof Reject) return visited;
        if (visited) {
          if (this.log.enabled) {
            this.log.write(doPrintState ? `\nfrom ${this.prevPc} to ${this.pc}: safe\n` : `${this.pc}: safe\n`);
          }
          // A pruned path ends like an exit (process_bpf_exit): its checkpoints lose one pending branch.
          this.updateBranchCounts();
          this.stackLive.update(this.cur);
          if (!this.popPath()) return undefined;
          doPrintState = true;
          continue;
        }
      }
      if (this.jmpPoints.has(this.pc)) this.pushHist();
      this.recordState();
      if (this.log.level >= 2 && doPrintState) {
        this.log.write(`\nfrom ${this.prevPc} to ${this.pc}:${printFrame(this.frame(), 'all', this.cur.refs)}\n`);
        doPrintState = false;
      }
      if (this.log.enabled) {
        this.printInsnState();
        this.prevLogPos = this.log.pos;
        // The newline as its own piece: the next state annotation rewinds over it (a pop, not a copy of the line).
        this.log.write(`${this.pc}: ${printKernelInsn(insn)}`);
        this.log.write('\n');
        this.prevInsnPrintPos = this.log.pos - this.prevLogPos;
        this.prevLogPos = this.log.pos;
      }
      let next: number | 'exit';
      // The stack writes of one instruction are collected, then merged into its must_write set.
      this.stackLive.resetWriteMarks(this.cur, this.pc);
      try {
        next = this.step(insn);
      } catch (e) {
        if (e instanceof Reject) return e;
        throw e;
      }
      this.stackLive.commitWriteMarks();
      if (this.insnStack) this.pushHist().stack = this.insnStack;
      if (next === 'exit') {
        this.scratch = 'all';
        this.updateBranchCounts();
        this.stackLive.update(this.cur);
        if (!this.popPath()) return undefined;
        doPrintState = true;
        continue;
      }
      this.prevPc = this.pc;
      this.pc = next;
      if (this.printFromNext) {
        this.printFromNext = false;
        doPrintState = true;
      }
    }
  }

  private frame(): FrameState {
    return this.cur.frames[this.cur.curframe];
  }
  private regs(): RegState[] {
    return this.frame().regs;
  }

  private recordState(): void {
    const list = this.states.get(this.pc) ?? [];
    if (list.length < this.opts.keepStatesPerInsn) {
      list.push(cloneState(this.cur));
      this.states.set(this.pc, list);
    }
  }

  /** print_insn_state: the "; R0=..." annotation of the previous line, or an "N:" state line. */
  private printInsnState(): void {
    const sc = this.scratch;
    if (sc !== 'all' && sc.regs === 0 && sc.slotsLo === 0 && sc.slotsHi === 0) return;
    if (this.prevLogPos && this.prevLogPos === this.log.pos) {
      this.log.reset(this.prevLogPos - 1);
      const pos = this.prevInsnPrintPos;
      // vlog_alignment: round_up(max(pos + 4, 40), 8) - pos - 1.
      const width = Math.ceil(Math.max(pos + 4, 40) / 8) * 8 - pos - 1;
      this.log.write(padding(Math.max(width, 1)));
    } else {
      this.log.write(`${this.pc}:`);
    }
    this.log.write(`${printFrame(this.frame(), sc, this.cur.refs)}\n`);
    // One set of masks, cleared and reused: this runs for every logged instruction.
    const m = this.scratchMasks;
    m.regs = 0;
    m.slotsLo = 0;
    m.slotsHi = 0;
    this.scratch = m;
  }
  private readonly scratchMasks: Scratch = { regs: 0, slotsLo: 0, slotsHi: 0 };

  private scratchReg(r: number): void {
    if (this.scratch !== 'all') this.scratch.regs |= 1 << r;
  }
  private scratchSlot(spi: number): void {
    if (this.scratch === 'all') return;
    if (spi < 32) this.scratch.slotsLo |= 1 << spi;
    else this.scratch.slotsHi |= 1 << (spi - 32);
  }

  private pushPath(target: number): VerifierState {
    const st = cloneState(this.cur);
    this.pending.push({
      state: st, pc: target, prevPc: this.pc, logPos: this.log.pos, parent: this.parent, firstIdx: this.firstIdx,
      history: this.history.map((e) => ({ ...e })), dfsDepth: this.dfsDepth,
    });
    // BPF_COMPLEXITY_LIMIT_JMP_SEQ: at most 8192 paths may wait to be explored.
    if (this.pending.length > 8192) this.reject(`The sequence of ${this.pending.length} jumps is too complex.`, 'limit.jmp-seq');
    if (this.parent) this.parent.branches++;
    return st;
  }

  private popPath(): boolean {
    const p = this.pending.pop();
    if (!p) return false;
    if (this.log.level === 1) this.log.reset(p.logPos);
    this.cur = p.state;
    this.pc = p.pc;
    this.prevPc = p.prevPc;
    this.parent = p.parent;
    this.firstIdx = p.firstIdx;
    this.history = p.history;
    this.dfsDepth = p.dfsDepth;
    this.scratch = 'all';
    return true;
  }

  /** push_jmp_history: one record per instruction, merged when the instruction pushes twice. */
  private pushHist(): HistEntry {
    if (!this.curHist) {
      this.curHist = { idx: this.pc, prevIdx: this.prevPc };
      this.history.push(this.curHist);
    }
    return this.curHist;
  }

  /** mark_chain_precision for register `regno` of the current frame (and/or preset slots). */
  private markPrecise(regno: number, preset?: (bt: Backtrack) => void): void {
    markChainPrecision(this.precisionEnv, { state: this.cur, firstIdx: this.firstIdx, lastIdx: this.pc, history: this.history, parent: this.parent }, regno, preset);
  }

  /** What backtracking needs from us, built once (markPrecise runs on most branches and pointer operations). */
  private get precisionEnv(): Parameters<typeof markChainPrecision>[0] {
    this.precisionEnvCache ??= {
      prog: this.prog, log: this.log, printInsn: printKernelInsn,
      printFrameAll: (st, fr) => printFrame(st.frames[fr], 'all', st.refs),
    };
    return this.precisionEnvCache;
  }
  private precisionEnvCache?: Parameters<typeof markChainPrecision>[0];

  private updateBranchCounts(): void {
    let cp = this.parent;
    while (cp) {
      if (--cp.branches > 0) break;
      // maybe_exit_scc: the loop instance this checkpoint entered is fully explored.
      const visit = cp.sccEntry ? this.sccVisits.get(cp.sccEntry) : undefined;
      if (visit && visit.entry === cp) {
        if (this.log.level >= 2) this.log.write(`SCC exit ${cp.sccEntry}\n`);
        visit.entry = undefined;
        this.numBackedges -= visit.backedges.length;
        this.propagateBackedges(visit);
      }
      this.maybeFree(cp);
      cp = cp.parent;
    }
  }

  /** env->explored_states_size and free_list_size: peak_states is the largest sum seen. */
  private exploredSize = 0;
  private freeListSize = 0;

  /** Loop (SCC) instances by callchain key (bpf_scc_visit). */
  private readonly sccVisits = new Map<string, SccVisit>();
  private numBackedges = 0;
  /** dfs_depth of the current state: checkpoints on its path. */
  private dfsDepth = 0;

  /** incomplete_read_marks: the state is in a loop instance whose backedges are not propagated yet. */
  private incompleteReadMarks(cp: Checkpoint): boolean {
    const chain = this.sccCallchain(cp.state, cp.pc);
    return !!chain && (this.sccVisits.get(chain)?.backedges.length ?? 0) > 0;
  }

  /** propagate_backedges: precision from each backedge's equal state into its path, to a fixed point. */
  private propagateBackedges(visit: SccVisit): void {
    for (let i = 0; ; i++) {
      if (i > 64) {
        if (this.log.level >= 2) this.log.write('propagate_backedges: too many iterations\n');
        for (const b of visit.backedges) markAllPrecise(b);
        break;
      }
      let changed = false;
      // The kernel keeps backedges in a list with the newest first.
      for (let j = visit.backedges.length - 1; j >= 0; j--) {
        const b = visit.backedges[j];
        const before = countPrecise(b);
        this.propagatePrecision(b.equal, { state: b.state, firstIdx: b.firstIdx, lastIdx: b.lastIdx, history: b.history, parent: b.parent });
        if (countPrecise(b) !== before) changed = true;
      }
      if (!changed) break;
    }
    visit.backedges = [];
  }

  /**
   * check_cond_jmp_op for may_goto: this path takes the jump (the loop's way out); the fall-through (another
   * iteration) is pushed one may_goto deeper, its imprecise scalars widened against the previous visit of this
   * instruction on the current path, so iterations converge.
   */
  private checkMayGoto(insn: Insn): number {
    const prev = this.findPrevEntry(this.pc);
    const queued = this.pushPath(this.pc + 1);
    queued.mayGotoDepth++;
    if (prev) widenImpreciseScalars(prev.state, queued);
    return this.pc + 1 + insn.off;
  }

  /** find_prev_entry: a checkpoint at this insn on the current path, above the current one. */
  private findPrevEntry(pc: number): Checkpoint | undefined {
    const par = this.parent;
    if (!par) return undefined;
    const list = this.bucketOf(pc);
    for (let i = list.length - 1; i >= 0; i--) {
      const st = list[i];
      if (st.pc === pc && st.branches > 0 && sameCallsites(st.state, par.state) && st.dfsDepth < par.dfsDepth) return st;
    }
    return undefined;
  }

  /** compute_scc_callchain + format_callchain: "(1)", or "(5,2)" for SCC 2 reached through the call at 5. */
  private sccCallchain(st: VerifierState, pc: number): string | undefined {
    const callsites: number[] = [];
    for (let i = 0; i <= st.curframe; i++) {
      const idx = i === st.curframe ? pc : st.frames[i + 1].callsite;
      const scc = this.live.scc[idx];
      if (scc) return `(${callsites.map((c) => `${c},`).join('')}${scc})`;
      if (i < st.curframe) callsites.push(idx);
      else return undefined;
    }
    return undefined;
  }

  private isMayGoto(pc: number): boolean {
    const idx = this.prog.insnAt[pc];
    return idx >= 0 && this.prog.insns[idx].form.kind === 'may_goto';
  }

  /** maybe_free_verifier_state: an evicted state leaves the free list once nothing can refer to it. */
  private maybeFree(cp: Checkpoint): void {
    if (!cp.inFreeList || cp.branches > 0 || this.incompleteReadMarks(cp)) return;
    cp.inFreeList = false;
    this.freeListSize--;
  }

  /** update_peak_states: explored, evicted-but-referenced and backedge states. */
  private updatePeak(): void {
    this.stats.peakStates = Math.max(this.stats.peakStates, this.exploredSize + this.freeListSize + this.numBackedges);
  }

  /** add_scc_backedge: remember the path that closed the loop at `cp`, for propagate_backedges at SCC exit. */
  private addBackedge(cp: Checkpoint, at: { state: VerifierState; firstIdx: number; lastIdx: number; history: HistEntry[]; parent?: Checkpoint }): void {
    const chain = this.sccCallchain(cp.state, cp.pc);
    const visit = chain ? this.sccVisits.get(chain) : undefined;
    if (!visit) return;
    if (this.log.level >= 2) this.log.write(`SCC backedge ${chain}\n`);
    visit.backedges.push({
      state: cloneState(at.state), equal: cp.state, firstIdx: at.firstIdx, lastIdx: at.lastIdx,
      history: at.history.map((e) => ({ ...e })), parent: at.parent,
    });
    this.numBackedges++;
    this.updatePeak();
  }

  /** explored_state: the hash bucket of (insn, callsite of the current frame), prog->len buckets. */
  private bucketOf(pc: number): Checkpoint[] {
    const key = ((pc ^ this.frame().callsite) >>> 0) % this.prog.slotCount;
    let list = this.explored.get(key);
    if (!list) {
      list = [];
      this.explored.set(key, list);
    }
    return list;
  }

  /**
   * clean_verifier_state: a finished checkpoint forgets what no path from it can read any more: registers dead
   * before each frame's instruction (compute_live_registers) and stack slots the stack-liveness pass finds dead.
   */
  private cleanCheckpoint(cp: Checkpoint): void {
    const st = cp.state;
    this.stackLive.queryInit(st, cp.pc);
    cp.cleaned = true;
    for (let i = 0; i <= st.curframe; i++) {
      const fr = st.frames[i];
      const live = this.live.liveBefore[i === st.curframe ? cp.pc : st.frames[i + 1].callsite];
      for (let r = 0; r < BPF_REG_FP; r++) if (!(live & (1 << r))) fr.regs[r] = notInitReg();
      for (let spi = 0; spi < fr.allocatedStack / 8; spi++) if (!this.stackLive.slotAlive(i, spi)) fr.stack[spi] = EMPTY_SLOT;
    }
  }

  /** is_state_visited: prune against finished states here; maybe checkpoint the current one. */
  /** compute_live_registers' answer for an insn, as statesEqual asks it (one closure, not one per prune point). */
  private readonly liveRegsAt = (pc: number): number => this.live.liveBefore[pc];

  private isStateVisited(): boolean | Reject {
    const isForce = this.forcePoints.has(this.pc);
    // A long jump history since the last checkpoint forces one too (jmp_history_cnt > 40).
    const force = isForce || this.history.length > 40;
    let addNew = force || (this.jmpsProcessed - this.prevJmpsProcessed >= 2 && this.stats.processed - this.prevInsnProcessed >= 8);
    const list = this.bucketOf(this.pc);
    const liveRegs = this.liveRegsAt;
    // clean_live_states: finished states of the same call chain at this insn.
    for (let i = list.length - 1; i >= 0; i--) {
      const cp = list[i];
      if (cp.branches > 0 || cp.pc !== this.pc || cp.cleaned || !sameCallsites(cp.state, this.cur)) continue;
      if (this.incompleteReadMarks(cp)) continue;
      this.cleanCheckpoint(cp);
    }
    // Newest first; states of other insns sharing the bucket count towards max_states_per_insn.
    let count = 0;
    const atMayGoto = this.isMayGoto(this.pc);
    for (let i = list.length - 1; i >= 0; i--) {
      const cp = list[i];
      count++;
      if (cp.pc !== this.pc) continue;
      let loop = false;
      let hit = false;
      if (cp.branches > 0) {
        // At a may_goto, another iteration (deeper) that is within the range of an earlier one has converged.
        if (atMayGoto && cp.state.mayGotoDepth !== this.cur.mayGotoDepth &&
          statesEqual(cp.state, cp.pc, this.cur, this.idGen, 'RANGE_WITHIN', liveRegs)) {
          loop = true;
          hit = true;
        }
      }
      if (!hit && cp.branches > 0) {
        // A state on the current path: an identical one means the loop made no progress.
        if (statesMaybeLooping(cp.state, this.cur) && cp.state.mayGotoDepth === this.cur.mayGotoDepth &&
          statesEqual(cp.state, cp.pc, this.cur, this.idGen, 'EXACT', liveRegs)) {
          const all = (st: VerifierState): string => printFrame(st.frames[st.curframe], 'all', st.refs);
          this.log.write(`infinite loop detected at insn ${this.pc}\ncur state:${all(this.cur)}\n`);
          return new Reject(this.pc, `old state:${all(cp.state)}`, 'loop.infinite');
        }
        // Inside a loop, checkpoint only every 20 jumps or 100 insns (different iterations rarely prune).
        if (!force && this.jmpsProcessed - this.prevJmpsProcessed < 20 && this.stats.processed - this.prevInsnProcessed < 100) addNew = false;
      } else if (!hit) {
        loop = this.incompleteReadMarks(cp);
        hit = statesEqual(cp.state, cp.pc, this.cur, this.idGen, loop ? 'RANGE_WITHIN' : 'NOT_EXACT', liveRegs);
      }
      if (hit) {
        cp.hits++;
        if (this.jmpPoints.has(this.pc)) this.pushHist();
        const ctx = { state: this.cur, firstIdx: this.firstIdx, lastIdx: this.pc, history: this.history, parent: this.parent };
        this.propagatePrecision(cp.state, ctx);
        if (loop) this.addBackedge(cp, ctx);
        return true;
      }
      // miss: a state that keeps missing is evicted to the free list (freed once its branches are done).
      if (addNew) cp.misses++;
      const n = isForce && cp.branches > 0 ? 64 : 3;
      if (cp.misses > cp.hits * n + n) {
        list.splice(i, 1);
        cp.dead = true;
        cp.inFreeList = true;
        this.exploredSize--;
        this.freeListSize++;
        this.maybeFree(cp);
      }
    }
    if (this.stats.maxStatesPerInsn < count) this.stats.maxStatesPerInsn = count;
    if (!addNew) return false;
    const cp: Checkpoint = {
      state: cloneState(this.cur), pc: this.pc, branches: 1, parent: this.parent, hits: 0, misses: 0, dead: false, cleaned: false,
      firstIdx: this.firstIdx, lastIdx: this.prevPc, history: this.history, dfsDepth: this.dfsDepth,
    };
    list.push(cp);
    // maybe_enter_scc
    const chain = this.sccCallchain(this.cur, this.pc);
    if (chain) {
      let visit = this.sccVisits.get(chain);
      if (!visit) {
        visit = { backedges: [] };
        this.sccVisits.set(chain, visit);
      }
      if (!visit.entry) {
        visit.entry = cp;
        cp.sccEntry = chain;
        if (this.log.level >= 2) this.log.write(`SCC enter ${chain}\n`);
      }
    }
    this.stats.totalStates++;
    this.exploredSize++;
    this.updatePeak();
    this.prevJmpsProcessed = this.jmpsProcessed;
    this.prevInsnProcessed = this.stats.processed;
    this.parent = cp;
    this.dfsDepth = cp.dfsDepth + 1;
    this.firstIdx = this.pc;
    this.history = [];
    this.curHist = undefined;
    return false;
  }

  /** propagate_precision: what was precise in the state we pruned against must be precise on this path too. */
  private propagatePrecision(old: VerifierState, at: Parameters<typeof markChainPrecision>[1]): void {
    const masks: Array<{ fr: number; regs: number[]; slots: number[] }> = [];
    for (let fr = old.curframe; fr >= 0; fr--) {
      const f = old.frames[fr];
      const regs: number[] = [];
      const slots: number[] = [];
      for (let r = 0; r < BPF_REG_FP; r++) if (f.regs[r].type === 'SCALAR_VALUE' && f.regs[r].precise) regs.push(r);
      f.stack.forEach((sl, spi) => {
        if (sl.types[7] === 'SPILL' && sl.spilled.type === 'SCALAR_VALUE' && sl.spilled.precise) slots.push(spi);
      });
      if (this.log.level >= 2 && (regs.length || slots.length)) {
        const items = [...regs.map((r) => `r${r}`), ...slots.map((spi) => `fp${-(spi + 1) * 8}`)];
        this.log.write(`frame ${fr}: propagating ${items.join(',')}\n`);
      }
      masks.push({ fr, regs, slots });
    }
    if (masks.every((m) => !m.regs.length && !m.slots.length)) return;
    markChainPrecision(this.precisionEnv, at, -1, (bt) => {
      for (const m of masks) {
        for (const r of m.regs) bt.setReg(r, m.fr);
        for (const spi of m.slots) bt.setSlot(spi, m.fr);
      }
    });
  }

  private reject(message: string, code: string, newline = true): never {
    throw new Reject(this.pc, message, code, newline);
  }

  /** check_resource_leak: one line per reference still held, then "<what> would lead to reference leak". */
  private checkResourceLeak(what: string): void {
    if (!this.cur.refs.length) return;
    for (const ref of this.cur.refs) this.log.write(`Unreleased reference id=${ref} alloc_insn=${this.refInsn.get(ref) ?? 0}\n`);
    this.reject(`${what} would lead to reference leak`, 'ref.leak');
  }

  // ---- register operand checks (check_reg_arg) ----

  private checkSrc(r: number): RegState {
    if (r > 10) this.reject(`R${r} is invalid`, 'reg.invalid');
    const reg = this.regs()[r];
    this.scratchReg(r);
    if (reg.type === 'NOT_INIT') this.reject(`R${r} !read_ok`, 'reg.uninit');
    return reg;
  }

  private checkDst(r: number, mark: boolean): void {
    if (r > 10) this.reject(`R${r} is invalid`, 'reg.invalid');
    if (r === BPF_REG_FP) this.reject('frame pointer is read only', 'reg.fp-readonly');
    this.scratchReg(r);
    if (mark) this.regs()[r] = scalarUnknown();
  }

  // ---- one instruction ----

  private step(insn: Insn): number | 'exit' {
    const f = insn.form;
    const next = this.pc + (f.kind === 'lddw' ? 2 : 1);
    switch (f.kind) {
      case 'alu': case 'neg': case 'mov': case 'movsx': case 'end': case 'bswap':
        this.checkAlu(insn);
        return next;
      case 'lddw':
        this.checkLdImm64(insn);
        return next;
      case 'ldx': case 'ldsx': {
        const src = this.checkSrc(insn.src);
        void src;
        this.checkDst(insn.dst, false);
        this.checkMemAccess(insn.src, insn.off, f.size!, 'read', insn.dst, f.kind === 'ldsx');
        return next;
      }
      case 'stx':
        this.checkSrc(insn.src);
        this.checkSrc(insn.dst);
        this.checkMemAccess(insn.dst, insn.off, f.size!, 'write', insn.src, false);
        return next;
      case 'st':
        this.checkSrc(insn.dst);
        this.checkMemAccess(insn.dst, insn.off, f.size!, 'write', -1, false, insn.imm);
        return next;
      case 'atomic':
        this.checkAtomic(insn);
        return next;
      case 'ja':
        this.jmpsProcessed++;
        return this.pc + 1 + (f.id === 'gotol' ? insn.imm : insn.off);
      case 'jcond':
        this.jmpsProcessed++;
        return this.checkCondJmp(insn);
      case 'may_goto':
        this.jmpsProcessed++;
        return this.checkMayGoto(insn);
      case 'call':
        this.jmpsProcessed++;
        if (f.id === 'call_local') return this.checkFuncCall(insn);
        if (f.id !== 'call') this.reject('kfunc calls are not supported by this verifier yet', 'unsupported.call');
        this.checkHelperCall(insn);
        return next;
      case 'exit':
        this.jmpsProcessed++;
        if (this.cur.curframe > 0) {
          // Leaving a subprogram: its liveness facts are solved before the caller's frame takes over.
          this.stackLive.update(this.cur);
          return this.prepareFuncExit();
        }
        this.checkExit();
        return 'exit';
      case 'ld_abs': case 'ld_ind':
        this.checkLdAbs(insn);
        return next;
      case 'invalid':
        this.reject(`unknown opcode ${insn.code.toString(16).padStart(2, '0')}`, 'insn.unknown');
        break;
      default:
        this.reject(`${f.kind} is not supported by this verifier yet`, `unsupported.${f.kind}`);
    }
    return next;
  }

  // ---- ALU (check_alu_op) ----

  private assignScalarIdBeforeMov(r: RegState): void {
    if (r.type !== 'SCALAR_VALUE') return;
    if (r.addConst) {
      r.id = 0;
      r.off = 0;
      r.addConst = false;
      r.addConst32 = false;
    }
    if (!r.id && !tnumIsConst(r.varOff)) r.id = ++this.idGen;
  }

  private checkAlu(insn: Insn): void {
    const f = insn.form;
    const alu32 = f.width === 32;
    const regs = this.regs();
    if (f.kind === 'neg' || f.kind === 'end' || f.kind === 'bswap') {
      this.checkSrc(insn.dst);
      if ((f.kind === 'end' || f.kind === 'bswap') && regs[insn.dst].type === 'SCALAR_VALUE') {
        this.checkDst(insn.dst, false);
        const d = regs[insn.dst];
        const bytes = (typeof f.imm === 'number' ? f.imm : insn.imm) / 8;
        scalarByteSwap(d, f.order === 'swap' || f.order === 'be', bytes);
        // le64 on a little-endian host changes nothing, and the register keeps its id (linked scalars stay linked).
        if (!(f.order === 'le' && bytes === 8)) {
          d.id = 0;
          d.addConst = false;
          d.addConst32 = false;
          d.off = 0;
        }
      } else if (f.kind === 'neg' && regs[insn.dst].type === 'SCALAR_VALUE') {
        this.checkDst(insn.dst, false);
        const d = regs[insn.dst];
        scalarAlu(d, d, 'neg', alu32);
        d.id = 0;
        d.addConst = false;
        d.addConst32 = false;
        d.off = 0;
      } else {
        this.checkDst(insn.dst, true);
      }
      return;
    }
    if (f.kind === 'mov' || f.kind === 'movsx') {
      if (f.source === 'reg') {
        const src = this.checkSrc(insn.src);
        this.checkDst(insn.dst, false);
        if (!alu32) {
          if (f.kind === 'mov') {
            this.assignScalarIdBeforeMov(src);
            regs[insn.dst] = cloneReg(src);
          } else if (src.type === 'SCALAR_VALUE') {
            const from = f.signExtendFrom!;
            const noSext = src.umax < 1n << BigInt(from - 1);
            if (noSext) this.assignScalarIdBeforeMov(src);
            const d = cloneReg(src);
            if (!noSext) d.id = 0;
            coerceToSizeSx(d, from / 8);
            regs[insn.dst] = d;
          } else {
            regs[insn.dst] = scalarUnknown();
          }
        } else {
          let d: RegState;
          if (src.type === 'SCALAR_VALUE' && f.kind === 'mov') {
            const fits = bitWidth(src.umax) <= 32;
            if (fits) this.assignScalarIdBeforeMov(src);
            d = cloneReg(src);
            if (!fits) d.id = 0;
          } else if (src.type === 'SCALAR_VALUE') {
            // W1 = (s8, s16)W2: values that need no sign extension stay linked to the source.
            const noSext = src.umax < 1n << BigInt(f.signExtendFrom! - 1);
            if (noSext) this.assignScalarIdBeforeMov(src);
            d = cloneReg(src);
            if (!noSext) d.id = 0;
            coerceSubregToSizeSx(d, f.signExtendFrom! / 8);
          } else {
            d = scalarUnknown();
          }
          zext32To64(d);
          boundsSync(d);
          regs[insn.dst] = d;
        }
      } else {
        this.checkDst(insn.dst, true);
        regs[insn.dst] = scalarConst(alu32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm));
      }
      return;
    }
    // Arithmetic: check_alu_op's last branch.
    const op = f.aluOp!;
    if (f.source === 'reg') this.checkSrc(insn.src);
    this.checkSrc(insn.dst);
    if ((op === 'div' || op === 'mod' || op === 'sdiv' || op === 'smod') && f.source === 'imm' && insn.imm === 0) {
      this.reject('div by zero', 'alu.div-zero');
    }
    if ((op === 'lsh' || op === 'rsh' || op === 'arsh') && f.source === 'imm') {
      const size = alu32 ? 32 : 64;
      if (insn.imm < 0 || insn.imm >= size) this.reject(`invalid shift ${insn.imm}`, 'alu.shift');
    }
    this.checkDst(insn.dst, false);
    this.adjustRegMinMaxVals(insn, op);
  }

  private adjustRegMinMaxVals(insn: Insn, op: ScalarAluOp): void {
    const regs = this.regs();
    const alu32 = insn.form.width === 32;
    const dst = regs[insn.dst];
    let src: RegState;
    if (insn.form.source === 'reg') {
      src = regs[insn.src];
      if (src.type !== 'SCALAR_VALUE') {
        if (dst.type !== 'SCALAR_VALUE') {
          if (op === 'sub') {
            regs[insn.dst] = scalarUnknown();
            return;
          }
          this.reject(`R${insn.dst} pointer ${ALU_STR[op]} pointer prohibited`, 'ptr.arith-ptr-ptr');
        }
        this.markPrecise(insn.dst);
        this.adjustPtrMinMaxVals(insn, op, src, dst, true);
        return;
      }
      if (dst.type !== 'SCALAR_VALUE') {
        this.markPrecise(insn.src);
        this.adjustPtrMinMaxVals(insn, op, dst, src, false);
        return;
      }
      if (dst.precise) this.markPrecise(insn.src);
    } else {
      src = scalarConst(BigInt(insn.imm));
      if (dst.type !== 'SCALAR_VALUE') {
        this.adjustPtrMinMaxVals(insn, op, dst, src, false);
        return;
      }
    }
    // Two scalars: adjust_scalar_min_max_vals.
    if (!safeToCompute(op, src, alu32)) {
      regs[insn.dst] = scalarUnknown();
      return;
    }
    const d = regs[insn.dst];
    // A register source may be the destination itself (r1 += r1); an immediate's fresh register is never shared.
    const srcCopy: Bounds = insn.form.source === 'reg' ? cloneReg(src) : src;
    if ((op === 'and' || op === 'or') && tnumIsConst(src.varOff)) this.maybeForkScalars(insn, d);
    // A 32-bit op zero-extends: whether the link may be made depends on the value before it.
    const dstUmax = d.umax;
    scalarAlu(d, srcCopy, op, alu32);
    this.sanityCheck(d, 'alu');
    // Linked scalars (rX = rY; rX += K or rX -= K): 6.18.44 links adds and subtractions of a constant that fits s32
    // (a 32-bit op only when the old value fits 32 bits), as the delta -K for a subtraction.
    if ((op === 'add' || op === 'sub') && d.id && isConst(src, alu32)) {
      const val = constValue(src, alu32);
      let off = Number(s32(val));
      let link = !d.addConst && (alu32 ? dstUmax <= U32_MAX : s64(val) >= S32_MIN && s64(val) <= S32_MAX);
      if (link && op === 'sub') {
        // Negating S32_MIN would overflow.
        if (off === -0x8000_0000) link = false;
        else off = -off;
      }
      if (!link) {
        d.off = 0;
        d.id = 0;
        d.addConst = false;
        d.addConst32 = false;
      } else {
        d.addConst = true;
        d.addConst32 = alu32;
        d.off = off;
      }
    } else {
      d.id = 0;
      d.addConst = false;
      d.addConst32 = false;
      d.off = 0;
    }
  }

  /**
   * reg_bounds_sanity_check: bounds that describe no value (a branch the kernel could not see is dead) are logged as a
   * verifier bug and forgotten (__mark_reg_unbounded: ranges only, var_off stays); verification goes on.
   */
  private sanityCheck(reg: RegState, ctx: string): void {
    const msg = boundsSanity(reg);
    if (msg === undefined) return;
    if (this.log.enabled) this.log.write(boundsSanityLine(reg, ctx, msg));
    mark64Unbounded(reg);
    mark32Unbounded(reg);
  }

  /**
   * maybe_fork_scalars (6.18 stable): `x s>>= 63` (or `w s>>= 31`) leaves -1 or 0, and LLVM follows it with an AND or
   * OR by a constant to select between two values. The range [-1, 0] cannot describe that, so the walk forks: this
   * path goes on with -1, and the same instruction is verified again with 0 ("from N to N").
   */
  private maybeForkScalars(insn: Insn, d: RegState): void {
    let alu32: boolean;
    if (d.smin === -1n && d.smax === 0n) alu32 = false;
    else if (d.s32min === -1n && d.s32max === 0n) alu32 = true;
    else return;
    const other = this.pushPath(this.pc);
    const r = other.frames[other.curframe].regs[insn.dst];
    const known = (reg: RegState, v: bigint): void => {
      if (alu32) {
        markKnown32(reg, v);
        return;
      }
      markKnown(reg, v);
      reg.off = 0;
      reg.id = 0;
      reg.addConst = false;
      reg.addConst32 = false;
      reg.refObjId = 0;
    };
    known(r, 0n);
    known(d, -1n);
  }

  /** adjust_ptr_min_max_vals: pointer +/- scalar. */
  private adjustPtrMinMaxVals(insn: Insn, op: ScalarAluOp, ptr: RegState, off: RegState, scalarIsDst: boolean): void {
    const regs = this.regs();
    const dstNo = insn.dst;
    const known = tnumIsConst(off.varOff);
    if ((known && (off.smin !== off.smax || off.umin !== off.umax)) || off.smin > off.smax || off.umin > off.umax) {
      regs[dstNo] = scalarUnknown();
      return;
    }
    if (insn.form.width === 32) {
      if (op === 'sub') {
        regs[dstNo] = scalarUnknown();
        return;
      }
      this.reject(`R${dstNo} 32-bit pointer arithmetic prohibited`, 'ptr.arith-32');
    }
    if (ptr.maybeNull) this.reject(`R${dstNo} pointer arithmetic on ${regTypeStr(ptr)} prohibited, null-check it first`, 'ptr.arith-null');
    switch (ptr.type) {
      case 'PTR_TO_CTX': case 'PTR_TO_MAP_VALUE': case 'PTR_TO_MAP_KEY': case 'PTR_TO_STACK': case 'PTR_TO_PACKET_META':
      case 'PTR_TO_PACKET': case 'PTR_TO_MEM': case 'PTR_TO_FUNC':
        break;
      case 'CONST_PTR_TO_MAP':
        if (known && off.smin === 0n && op === 'add') break;
        this.reject(`R${dstNo} pointer arithmetic on ${regTypeStr(ptr)} prohibited`, 'ptr.arith-type');
        break;
      default:
        this.reject(`R${dstNo} pointer arithmetic on ${regTypeStr(ptr)} prohibited`, 'ptr.arith-type');
    }
    this.checkRegSaneOffset(off, ptr);
    this.checkRegSaneOffset(ptr, ptr);
    const d: RegState = cloneReg(ptr);
    d.id = ptr.id;
    mark32Unbounded(d);
    const [smin, smax, umin, umax] = [ptr.smin, ptr.smax, ptr.umin, ptr.umax];
    const fitsS32 = (v: number): boolean => v === (v | 0);
    switch (op) {
      case 'add':
        if (known && fitsS32(ptr.off + Number(off.smin))) {
          d.off = ptr.off + Number(off.smin);
          break;
        }
        d.smin = smin + off.smin;
        d.smax = smax + off.smax;
        if (d.smin !== s64(d.smin) || d.smax !== s64(d.smax)) { d.smin = S64_MIN; d.smax = S64_MAX; }
        d.umin = umin + off.umin;
        d.umax = umax + off.umax;
        if (d.umin !== u64(d.umin) || d.umax !== u64(d.umax)) { d.umin = 0n; d.umax = u64(-1n); }
        d.varOff = tnumAdd(ptr.varOff, off.varOff);
        if (ptr.type === 'PTR_TO_PACKET' || ptr.type === 'PTR_TO_PACKET_META') {
          d.id = ++this.idGen;
          d.range = 0;
        }
        break;
      case 'sub':
        if (scalarIsDst) this.reject(`R${dstNo} tried to subtract pointer from scalar`, 'ptr.sub-from-scalar');
        if (ptr.type === 'PTR_TO_STACK') this.reject(`R${dstNo} subtraction from stack pointer prohibited`, 'ptr.sub-stack');
        if (known && fitsS32(ptr.off - Number(off.smin))) {
          d.off = ptr.off - Number(off.smin);
          break;
        }
        d.smin = smin - off.smax;
        d.smax = smax - off.smin;
        if (d.smin !== s64(d.smin) || d.smax !== s64(d.smax)) { d.smin = S64_MIN; d.smax = S64_MAX; }
        if (umin < off.umax) { d.umin = 0n; d.umax = u64(-1n); } else { d.umin = umin - off.umax; d.umax = umax - off.umin; }
        d.varOff = tnumSub(ptr.varOff, off.varOff);
        if (ptr.type === 'PTR_TO_PACKET' || ptr.type === 'PTR_TO_PACKET_META') {
          d.id = ++this.idGen;
          if (off.smin < 0n) d.range = 0;
        }
        break;
      case 'and': case 'or': case 'xor':
        this.reject(`R${dstNo} bitwise operator ${ALU_STR[op]} on pointer prohibited`, 'ptr.bitwise');
        break;
      default:
        this.reject(`R${dstNo} pointer arithmetic with ${ALU_STR[op]} operator prohibited`, 'ptr.arith-op');
    }
    this.checkRegSaneOffset(d, ptr);
    boundsSync(d);
    regs[dstNo] = d;
  }

  private checkRegSaneOffset(reg: RegState, ptr: RegState): void {
    const t = regTypeStr(ptr);
    const val = s64(reg.varOff.value);
    if (tnumIsConst(reg.varOff) && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
      this.reject(`math between ${t} pointer and ${val} is not allowed`, 'ptr.offset');
    }
    if (reg.off >= BPF_MAX_VAR_OFF || reg.off <= -BPF_MAX_VAR_OFF) this.reject(`${t} pointer offset ${reg.off} is not allowed`, 'ptr.offset');
    if (reg.smin === S64_MIN) this.reject(`math between ${t} pointer and register with unbounded min value is not allowed`, 'ptr.unbounded');
    if (reg.smin >= BPF_MAX_VAR_OFF || reg.smin <= -BPF_MAX_VAR_OFF) this.reject(`value ${reg.smin} makes ${t} pointer be out of bounds`, 'ptr.offset');
  }

  // ---- lddw ----

  private checkLdImm64(insn: Insn): void {
    this.checkDst(insn.dst, false);
    const regs = this.regs();
    switch (insn.form.id) {
      case 'lddw': {
        const v = (BigInt((insn.imm2 ?? 0) >>> 0) << 32n) | BigInt(insn.imm >>> 0);
        regs[insn.dst] = scalarConst(v);
        return;
      }
      case 'lddw_map_fd': case 'lddw_map_idx': case 'lddw_map_value': case 'lddw_map_idx_value': {
        const byIdx = insn.form.id.startsWith('lddw_map_idx');
        const map = byIdx ? this.opts.maps[insn.imm] : this.opts.maps.find((m, i) => (m.fd ?? i) === insn.imm);
        if (!map) this.reject(`fd ${insn.imm} is not pointing to valid bpf_map`, 'map.fd');
        if (insn.form.id.endsWith('value')) {
          const off = insn.imm2 ?? 0;
          regs[insn.dst] = pointerReg('PTR_TO_MAP_VALUE', { map, off });
        } else {
          regs[insn.dst] = pointerReg('CONST_PTR_TO_MAP', { map });
        }
        return;
      }
      case 'lddw_func':
        // check_ld_imm: callbacks need BTF func_info, which a program loaded without BTF (all we model) lacks.
        this.reject('missing btf func_info', 'btf.func-info');
        break;
      default:
        this.reject(`${insn.form.id} is not supported by this verifier yet`, 'unsupported.lddw');
    }
  }

  // ---- memory (check_mem_access) ----

  private checkMemAccess(regno: number, insnOff: number, size: number, t: 'read' | 'write', valueRegno: number, ldsx: boolean, stImm?: number): void {
    const regs = this.regs();
    const reg = regs[regno];
    this.checkPtrAlignment(reg, insnOff, size);
    const off = insnOff + reg.off;
    switch (reg.type) {
      case 'PTR_TO_MAP_VALUE': case 'PTR_TO_MAP_KEY': {
        if (reg.maybeNull) this.reject(`R${regno} invalid mem access '${regTypeStr(reg)}'`, 'mem.null');
        if (reg.type === 'PTR_TO_MAP_KEY' && t === 'write') this.reject(`R${regno} cannot write into ${regTypeStr(reg)}`, 'mem.rdonly');
        const limit = reg.type === 'PTR_TO_MAP_VALUE' ? reg.map!.valueSize : reg.map!.keySize;
        this.checkMemRegionAccess(regno, reg, off, size, limit, false);
        if (t === 'read' && valueRegno >= 0) regs[valueRegno] = scalarUnknown();
        break;
      }
      case 'PTR_TO_MEM': {
        if (reg.maybeNull) this.reject(`R${regno} invalid mem access '${regTypeStr(reg)}'`, 'mem.null');
        if (t === 'write' && reg.rdonly) this.reject(`R${regno} cannot write into ${regTypeStr(reg)}`, 'mem.rdonly');
        this.checkMemRegionAccess(regno, reg, off, size, reg.memSize, false);
        if (t === 'read' && valueRegno >= 0) regs[valueRegno] = scalarUnknown();
        break;
      }
      case 'PTR_TO_CTX': {
        if (reg.off) this.reject(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, 'ctx.modified');
        if (!tnumIsConst(reg.varOff)) this.reject(`variable ctx access var_off=${tnumPrint(reg.varOff)} disallowed`, 'ctx.variable');
        const access = ctxAccess(this.opts.progType, off, size, t);
        if (!access.ok || (ldsx && access.yields)) this.reject(`invalid bpf_context access off=${off} size=${size}`, 'ctx.access');
        if (t === 'read' && valueRegno >= 0) {
          if (!access.yields) {
            regs[valueRegno] = scalarUnknown();
          } else if (access.yields === 'PTR_TO_SOCK_COMMON_OR_NULL') {
            regs[valueRegno] = pointerReg('PTR_TO_SOCK_COMMON', { maybeNull: true, id: ++this.idGen });
          } else {
            regs[valueRegno] = pointerReg(access.yields);
          }
        }
        break;
      }
      case 'PTR_TO_STACK':
        this.checkStackAccessWithinBounds(regno, reg, off, size, t === 'read' ? ' read from' : ' write to');
        if (t === 'read') this.checkStackRead(reg, off, size, valueRegno);
        else this.checkStackWrite(reg, off, size, valueRegno, stImm);
        break;
      case 'PTR_TO_PACKET': case 'PTR_TO_PACKET_META':
        if (t === 'write' && !this.mayWritePacket()) this.reject('cannot write into packet', 'pkt.write');
        this.checkPacketAccess(regno, reg, off, size);
        if (t === 'read' && valueRegno >= 0) regs[valueRegno] = scalarUnknown();
        break;
      case 'CONST_PTR_TO_MAP':
        // check_ptr_to_map_access reads struct bpf_map fields through vmlinux BTF, which we do not model.
        this.reject('map_ptr field access (BTF-typed) is not supported by this verifier yet', 'unsupported.map-ptr-access');
        break;
      case 'PTR_TO_SOCK_COMMON':
        if (reg.maybeNull) this.reject(`R${regno} invalid mem access '${regTypeStr(reg)}'`, 'mem.null');
        this.reject('access to sock_common fields is not supported by this verifier yet', 'unsupported.sock');
        break;
      default:
        this.reject(`R${regno} invalid mem access '${regTypeStr(reg)}'`, 'mem.type');
    }
    const v = valueRegno >= 0 ? regs[valueRegno] : undefined;
    if (v && size < 8 && t === 'read' && v.type === 'SCALAR_VALUE') {
      if (ldsx) coerceToSizeSx(v, size);
      else coerceToSize(v, size);
    }
  }

  /** Atomics check alignment strictly for every pointer type (check_mem_access's strict_alignment_once). */
  private strictAlign = false;

  /**
   * check_ptr_alignment on x86-64 (efficient unaligned access): stack accesses must always be aligned, other
   * pointers only under strict alignment (atomics), with the pointer kind in the message.
   */
  private checkPtrAlignment(reg: RegState, off: number, size: number): void {
    if (size === 1) return;
    const desc: Partial<Record<string, string>> = {
      PTR_TO_STACK: 'stack ', PTR_TO_MAP_VALUE: 'value ', PTR_TO_MAP_KEY: 'key ', PTR_TO_CTX: 'context ', PTR_TO_SOCK_COMMON: 'sock ',
    };
    if (reg.type !== 'PTR_TO_STACK' && !this.strictAlign) return;
    if (reg.type === 'PTR_TO_PACKET' || reg.type === 'PTR_TO_PACKET_META') return;
    const regOff = tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off)));
    if (!tnumIsAligned(regOff, size)) {
      const tn = tnumIsConst(reg.varOff) ? s64(reg.varOff.value).toString() : tnumPrint(reg.varOff);
      this.reject(`misaligned ${desc[reg.type] ?? ''}access off ${tn}+${reg.off}+${off} size ${size}`, reg.type === 'PTR_TO_STACK' ? 'stack.misaligned' : 'mem.misaligned');
    }
  }

  private mayWritePacket(): boolean {
    return ['sched_cls', 'sched_act', 'xdp'].includes(this.opts.progType.name);
  }

  private memAccessMessage(regno: number, reg: RegState, off: bigint, size: number, memSize: number): string {
    switch (reg.type) {
      case 'PTR_TO_MAP_KEY': return `invalid access to map key, key_size=${memSize} off=${off} size=${size}`;
      case 'PTR_TO_MAP_VALUE': return `invalid access to map value, value_size=${memSize} off=${off} size=${size}`;
      case 'PTR_TO_PACKET': case 'PTR_TO_PACKET_META': case 'PTR_TO_PACKET_END':
        return `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${reg.range})`;
      default: return `invalid access to memory, mem_size=${memSize} off=${off} size=${size}`;
    }
  }

  private memOk(off: bigint, size: number, memSize: number, zeroOk: boolean): boolean {
    const sizeOk = size > 0 || (size === 0 && zeroOk);
    return off >= 0n && sizeOk && off + BigInt(size) <= BigInt(memSize);
  }

  /** check_mem_region_access: both ends of a variable offset must fit. Prints the kernel's two lines on failure. */
  private checkMemRegionAccess(regno: number, reg: RegState, off: number, size: number, memSize: number, zeroOk: boolean): void {
    const o = BigInt(off);
    if (reg.smin < 0n && (reg.smin === S64_MIN || o + reg.smin !== BigInt.asIntN(32, o + reg.smin) || reg.smin + o < 0n)) {
      this.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`, 'mem.negative');
    }
    if (!this.memOk(reg.smin + o, size, memSize, zeroOk)) {
      this.log.write(`${this.memAccessMessage(regno, reg, reg.smin + o, size, memSize)}\n`);
      this.reject(`R${regno} min value is outside of the allowed memory range`, 'mem.range');
    }
    if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) {
      this.reject(`R${regno} unbounded memory access, make sure to bounds check any such access`, 'mem.unbounded');
    }
    if (!this.memOk(reg.umax + o, size, memSize, zeroOk)) {
      this.log.write(`${this.memAccessMessage(regno, reg, reg.umax + o, size, memSize)}\n`);
      this.reject(`R${regno} max value is outside of the allowed memory range`, 'mem.range');
    }
  }

  private checkPacketAccess(regno: number, reg: RegState, off: number, size: number): void {
    if (reg.smin < 0n) this.reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`, 'mem.negative');
    if (reg.range < 0 || !this.memOk(BigInt(off), size, reg.range, false)) {
      if (reg.range >= 0) this.log.write(`${this.memAccessMessage(regno, reg, BigInt(off), size, reg.range)}\n`);
      this.reject(`R${regno} offset is outside of the packet`, 'pkt.range');
    }
  }

  private checkStackAccessWithinBounds(regno: number, reg: RegState, off: number, size: number, extra: string): void {
    let minOff: bigint;
    let maxOff: bigint;
    if (tnumIsConst(reg.varOff)) {
      minOff = s64(reg.varOff.value) + BigInt(off);
      maxOff = minOff + BigInt(size);
    } else {
      if (reg.smax >= BPF_MAX_VAR_OFF || reg.smin <= -BPF_MAX_VAR_OFF) this.reject(`invalid unbounded variable-offset${extra} stack R${regno}`, 'stack.unbounded');
      minOff = reg.smin + BigInt(off);
      maxOff = reg.smax + BigInt(off) + BigInt(size);
    }
    if (minOff < -MAX_BPF_STACK || minOff > -1n || maxOff > 0n || size < 0) {
      if (tnumIsConst(reg.varOff)) this.reject(`invalid${extra} stack R${regno} off=${off} size=${size}`, 'stack.bounds');
      this.reject(`invalid variable-offset${extra} stack R${regno} var_off=${tnumPrint(reg.varOff)} off=${off} size=${size}`, 'stack.bounds');
    }
    // grow_stack_state: the frame's allocated stack covers every byte accessed so far.
    const fr = this.stackFrame(reg);
    const grown = Math.ceil(-Number(minOff) / 8) * 8;
    if (fr.allocatedStack < grown) fr.allocatedStack = grown;
    this.noteStackDepth(fr, Number(minOff));
  }

  private stackFrame(reg: RegState): FrameState {
    return this.cur.frames[reg.frameno];
  }

  private checkStackWrite(reg: RegState, off: number, size: number, valueRegno: number, stImm?: number): void {
    if (!tnumIsConst(reg.varOff)) {
      this.checkStackWriteVarOff(reg, off, size, valueRegno, stImm);
      return;
    }
    const fr = this.stackFrame(reg);
    const abs = Number(s64(reg.varOff.value)) + off;
    const slot = -abs - 1;
    const spi = Math.floor(slot / 8);
    const st = writableSlot(fr, spi);
    const value = valueRegno >= 0 ? this.regs()[valueRegno] : undefined;
    this.scratchSlot(spi);
    // Only a full aligned 8-byte write kills the slot for the stack-liveness pass.
    if (abs % 8 === 0 && size === 8) this.stackLive.markWrite(fr.frameno, slotBit(spi));
    const access = { frameno: fr.frameno, spi };
    if (value && abs % 8 === 0 && value.type === 'SCALAR_VALUE') {
      const fits = bitWidth(value.umax) <= size * 8;
      if (fits) this.assignScalarIdBeforeMov(value);
      saveRegisterState(st, value, size);
      if (!fits) st.spilled.id = 0;
      this.insnStack = access;
    } else if (!value && abs % 8 === 0 && stImm !== undefined) {
      saveRegisterState(st, scalarConst(BigInt(stImm)), size);
      this.insnStack = access;
    } else if (value && value.type !== 'SCALAR_VALUE') {
      if (size !== 8) this.reject('invalid size of register spill', 'stack.spill-size');
      saveRegisterState(st, value, size);
      this.insnStack = access;
    } else {
      scrubSpecialSlot(st);
      const zero = (value && value.type === 'SCALAR_VALUE' && tnumIsConst(value.varOff) && value.varOff.value === 0n) || (!value && stImm === 0);
      // STACK_ZERO is only right if the zero is exact: the value register becomes precise.
      if (zero && value) this.markPrecise(valueRegno);
      for (let i = 0; i < size; i++) st.types[(slot - i) % 8] = zero ? 'ZERO' : 'MISC';
    }
  }

  /**
   * check_stack_write_var_off (privileged): every byte the write may touch becomes MISC (ZERO stays ZERO when a zero
   * is written) and spilled registers in range are forgotten; a spilled constant zero survives a zero write.
   */
  private checkStackWriteVarOff(reg: RegState, off: number, size: number, valueRegno: number, stImm?: number): void {
    const fr = this.stackFrame(reg);
    const value = valueRegno >= 0 ? this.regs()[valueRegno] : undefined;
    const writingZero = value
      ? value.type === 'SCALAR_VALUE' && tnumIsConst(value.varOff) && value.varOff.value === 0n
      : stImm === 0;
    const minOff = Number(reg.smin) + off;
    const maxOff = Number(reg.smax) + off + size;
    let zeroUsed = false;
    for (let i = minOff; i < maxOff; i++) {
      const slot = -i - 1;
      const spi = Math.floor(slot / 8);
      const st = writableSlot(fr, spi);
      this.scratchSlot(spi);
      const ty = st.types[slot % 8];
      if (writingZero && ty === 'SPILL' && st.types[7] === 'SPILL' && st.spilled.type === 'SCALAR_VALUE' &&
        tnumIsConst(st.spilled.varOff) && st.spilled.varOff.value === 0n) {
        zeroUsed = true;
        continue;
      }
      scrubSpecialSlot(st);
      let nt: 'MISC' | 'ZERO' = 'MISC';
      if (writingZero && st.types[slot % 8] === 'ZERO') {
        nt = 'ZERO';
        zeroUsed = true;
      }
      st.types[slot % 8] = nt;
    }
    if (zeroUsed && valueRegno >= 0) this.markPrecise(valueRegno);
  }

  /** The slots of the bytes [lo, hi) (offsets from fp) are read by this instruction, for the stack-liveness pass. */
  private markStackRangeRead(fr: FrameState, lo: number, hi: number): void {
    let mask = 0n;
    for (let i = lo; i < hi; i++) mask |= slotBit(Math.floor((-i - 1) / 8));
    if (mask) this.stackLive.markRead(this.cur, fr.frameno, this.pc, mask);
  }

  /** check_stack_read_var_off + mark_reg_stack_read: a constant zero if every byte in range is ZERO, else unknown. */
  private checkStackReadVarOff(reg: RegState, off: number, size: number, dst: number): void {
    const fr = this.stackFrame(reg);
    const minOff = Number(reg.smin) + off;
    const maxOff = Number(reg.smax) + off + size;
    let zeros = 0;
    this.markStackRangeRead(fr, minOff, maxOff);
    for (let i = minOff; i < maxOff; i++) {
      const slot = -i - 1;
      const spi = Math.floor(slot / 8);
      this.scratchSlot(spi);
      if (fr.stack[spi].types[slot % 8] !== 'ZERO') break;
      zeros++;
    }
    if (dst >= 0) this.regs()[dst] = zeros === maxOff - minOff ? scalarConst(0n) : scalarUnknown();
  }

  private checkStackRead(reg: RegState, off: number, size: number, dst: number): void {
    if (!tnumIsConst(reg.varOff)) {
      this.checkStackReadVarOff(reg, off, size, dst);
      return;
    }
    const fr = this.stackFrame(reg);
    const abs = Number(s64(reg.varOff.value)) + off;
    const slot = -abs - 1;
    const spi = Math.floor(slot / 8);
    const st = fr.stack[spi];
    const regs = this.regs();
    this.scratchSlot(spi);
    this.stackLive.markRead(this.cur, fr.frameno, this.pc, slotBit(spi));
    if (st.types[7] === 'SPILL') {
      let spillSize = 1;
      for (let i = 7; i > 0 && st.types[i - 1] === 'SPILL'; i--) spillSize++;
      const sp = st.spilled;
      if (size !== 8 || spillSize !== 8) {
        if (sp.type !== 'SCALAR_VALUE') this.reject('invalid size of register fill', 'stack.fill-size');
        if (dst < 0) return;
        if (size <= spillSize && abs % 8 === 0) {
          if (size === 4 && spillSize === 4 && bitWidth(sp.umax) <= 32) this.assignScalarIdBeforeMov(sp);
          regs[dst] = cloneReg(sp);
          if (bitWidth(sp.umax) > size * 8) regs[dst].id = 0;
          this.insnStack = { frameno: fr.frameno, spi };
        } else {
          let spill = 0;
          let zero = 0;
          for (let i = 0; i < size; i++) {
            const ty = st.types[(slot - i) % 8];
            if (ty === 'SPILL') spill++;
            else if (ty === 'ZERO') zero++;
          }
          const zeroFill = spill === size && tnumIsConst(sp.varOff) && sp.varOff.value === 0n;
          regs[dst] = zeroFill || zero === size ? scalarConst(0n) : scalarUnknown();
          if (zeroFill) this.insnStack = { frameno: fr.frameno, spi };
        }
      } else if (dst >= 0) {
        // A full fill copies the spilled register as it is: its id (if any) came with the spill, none is added here.
        regs[dst] = cloneReg(sp);
        this.insnStack = { frameno: fr.frameno, spi };
      }
      return;
    }
    let zeros = 0;
    for (let i = 0; i < size; i++) if (st.types[(slot - i) % 8] === 'ZERO') zeros++;
    if (dst >= 0) regs[dst] = zeros === size ? scalarConst(0n) : scalarUnknown();
  }

  // ---- atomics ----

  private checkAtomic(insn: Insn): void {
    const f = insn.form;
    this.checkSrc(insn.src);
    this.checkSrc(insn.dst);
    if (f.atomicOp === 'cmpxchg') this.checkSrc(0);
    const regs = this.regs();
    // Privileged: a pointer source does not leak (is_pointer_value is false with allow_ptr_leaks).
    const dst = regs[insn.dst];
    if (dst.type === 'PTR_TO_CTX' || dst.type === 'PTR_TO_PACKET' || dst.type === 'PTR_TO_PACKET_META') {
      this.reject(`BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(dst)} is not allowed`, 'atomic.type');
    }
    const loadReg = f.atomicOp === 'cmpxchg' ? 0 : f.fetch ? insn.src : -1;
    this.strictAlign = true;
    try {
      this.checkMemAccess(insn.dst, insn.off, f.size!, 'read', -1, false);
      if (loadReg >= 0) this.checkMemAccess(insn.dst, insn.off, f.size!, 'read', loadReg, false);
      this.checkMemAccess(insn.dst, insn.off, f.size!, 'write', -1, false);
    } finally {
      this.strictAlign = false;
    }
  }

  // ---- conditional jumps (check_cond_jmp_op) ----

  private checkCondJmp(insn: Insn): number {
    const f = insn.form;
    const jmp32 = f.width === 32;
    const op = f.cond! as Cond;
    const regs = this.regs();
    this.checkSrc(insn.dst);
    let srcReg: RegState;
    let srcIsFake = false;
    if (f.source === 'reg') {
      this.checkSrc(insn.src);
      srcReg = regs[insn.src];
    } else {
      srcReg = scalarConst(jmp32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm));
      srcIsFake = true;
    }
    const dstReg = regs[insn.dst];
    const target = this.pc + 1 + insn.off;
    const pred = this.isBranchTaken(dstReg, srcReg, op, jmp32, !srcIsFake && insn.src === insn.dst);
    if (pred >= 0) {
      if (dstReg.type === 'SCALAR_VALUE') this.markPrecise(insn.dst);
      if (!srcIsFake && srcReg.type === 'SCALAR_VALUE') this.markPrecise(insn.src);
    }
    if (pred === 1) {
      if (this.log.enabled) this.printInsnState();
      return target;
    }
    if (pred === 0) {
      if (this.log.enabled) this.printInsnState();
      return this.pc + 1;
    }
    // collect_linked_regs: scalars sharing an id with the compared registers, recorded for backtracking.
    const linked: Array<{ frameno: number; regno?: number; spi?: number }> = [];
    // Only registers live at the frame's current insn count (6.17+ uses live_regs_before here).
    const collect = (id: number): void => {
      this.cur.frames.forEach((fr, frameno) => {
        const at = frameno === this.cur.curframe ? this.pc : this.cur.frames[frameno + 1].callsite;
        const liveMask = this.live.liveBefore[at];
        fr.regs.forEach((r, regno) => {
          if (regno >= BPF_REG_FP || !(liveMask & (1 << regno))) return;
          if (r.type === 'SCALAR_VALUE' && r.id === id && !linked.some((e) => e.frameno === frameno && e.regno === regno)) linked.push({ frameno, regno });
        });
        fr.stack.forEach((sl, spi) => {
          if (sl.types[7] === 'SPILL' && sl.spilled.type === 'SCALAR_VALUE' && sl.spilled.id === id && !linked.some((e) => e.frameno === frameno && e.spi === spi)) linked.push({ frameno, spi });
        });
      });
    };
    if (!srcIsFake && srcReg.type === 'SCALAR_VALUE' && srcReg.id) collect(srcReg.id);
    if (dstReg.type === 'SCALAR_VALUE' && dstReg.id) collect(dstReg.id);
    if (linked.length > 1) this.pushHist().linked = linked;
    const other = this.pushPath(target);
    const oRegs = other.frames[other.curframe].regs;
    if (dstReg.type === 'SCALAR_VALUE' && srcReg.type === 'SCALAR_VALUE' && !(!srcIsFake && insn.src === insn.dst)) {
      const fakeT = cloneReg(srcReg);
      const tDst = oRegs[insn.dst];
      const tSrc = srcIsFake ? fakeT : oRegs[insn.src];
      const fSrc = srcIsFake ? cloneReg(srcReg) : srcReg;
      refineCond(dstReg, fSrc, REV_COND[op], jmp32);
      boundsSync(dstReg);
      boundsSync(fSrc);
      refineCond(tDst, tSrc, op, jmp32);
      boundsSync(tDst);
      boundsSync(tSrc);
      this.sanityCheck(tDst, 'true_reg1');
      this.sanityCheck(tSrc, 'true_reg2');
      this.sanityCheck(dstReg, 'false_reg1');
      this.sanityCheck(fSrc, 'false_reg2');
      if (!srcIsFake && srcReg.id) {
        this.syncLinkedRegs(this.cur, srcReg, linked);
        this.syncLinkedRegs(other, tSrc, linked);
      }
      if (dstReg.id) {
        this.syncLinkedRegs(this.cur, dstReg, linked);
        this.syncLinkedRegs(other, tDst, linked);
      }
    }
    if (!jmp32 && srcIsFake && insn.imm === 0 && (op === 'eq' || op === 'ne') && dstReg.maybeNull) {
      const id = dstReg.id;
      const refObjId = dstReg.refObjId;
      markPtrOrNullRegs(this.cur, id, refObjId, op === 'ne');
      markPtrOrNullRegs(other, id, refObjId, op === 'eq');
    } else if (!this.tryMatchPktPointers(insn, op, dstReg, srcIsFake ? undefined : srcReg, other)) {
      // Privileged: other pointer comparisons are allowed.
    }
    if (this.log.enabled) this.printInsnState();
    return this.pc + 1;
  }

  private isBranchTaken(r1: RegState, r2: RegState, op: Cond, jmp32: boolean, same: boolean): 0 | 1 | -1 {
    if (isPktAny(r1) && isPktAny(r2) && !jmp32) return pktPtrBranchTaken(r1, r2, op);
    const ptr1 = r1.type !== 'SCALAR_VALUE';
    const ptr2 = r2.type !== 'SCALAR_VALUE';
    if (ptr1 || ptr2) {
      let a = r1;
      let b = r2;
      let o = op;
      if (!(b.type === 'SCALAR_VALUE' && isConst(b, jmp32))) {
        o = FLIP_COND[o];
        a = r2;
        b = r1;
      }
      if (!(b.type === 'SCALAR_VALUE' && isConst(b, jmp32))) return -1;
      // reg_not_null: only these pointer types are known non-null (not the stack, ctx or packet pointers).
      if (a.type === 'SCALAR_VALUE' || a.maybeNull || (a.type !== 'PTR_TO_MAP_VALUE' && a.type !== 'CONST_PTR_TO_MAP' && a.type !== 'PTR_TO_MEM' && a.type !== 'PTR_TO_MAP_KEY' && a.type !== 'PTR_TO_SOCK_COMMON')) return -1;
      if (constValue(b, jmp32) !== 0n) return -1;
      return o === 'eq' ? 0 : o === 'ne' ? 1 : -1;
    }
    void same; // 6.18 has no rule for comparing a register with itself: both branches are explored.
    return scalarBranchTaken(r1, r2, op, jmp32);
  }

  /** sync_linked_regs: registers sharing the scalar id of `known` learn its new bounds. */
  private syncLinkedRegs(st: VerifierState, known: RegState, linked: ReadonlyArray<{ frameno: number; regno?: number; spi?: number }>): void {
    const all: RegState[] = [];
    for (const e of linked) {
      const fr = st.frames[e.frameno];
      if (e.regno !== undefined) all.push(fr.regs[e.regno]);
      else if (fr.stack[e.spi!].types[7] === 'SPILL') all.push(fr.stack[e.spi!].spilled);
    }
    for (const reg of all) {
      if (reg.type !== 'SCALAR_VALUE' || reg === known || reg.id !== known.id) continue;
      // A 32-bit link (w = w + K) is not a 64-bit delta; leave it alone rather than guess the kernel's rule.
      if (reg.addConst32 || known.addConst32) continue;
      if ((!reg.addConst && !known.addConst) || reg.off === known.off) {
        Object.assign(reg, cloneReg(known));
      } else {
        // reg = known + (reg.off - known.off), keeping reg's own id, offset and add-const link.
        const { off: savedOff, id: savedId, addConst: savedAdd, addConst32: savedAdd32 } = reg;
        const delta = scalarConst(BigInt((savedOff | 0) - (known.off | 0)));
        Object.assign(reg, cloneReg(known));
        reg.off = savedOff;
        reg.id = savedId;
        reg.addConst = savedAdd;
        reg.addConst32 = savedAdd32;
        scalarAddNoSync(reg, delta);
      }
    }
  }

  private tryMatchPktPointers(insn: Insn, op: Cond, dst: RegState, src: RegState | undefined, other: VerifierState): boolean {
    if (!src || insn.form.width === 32) return false;
    const isPkt = (r: RegState): boolean => r.type === 'PTR_TO_PACKET';
    const isEnd = (r: RegState): boolean => r.type === 'PTR_TO_PACKET_END';
    const initPkt = (r: RegState): boolean => r.type === 'PTR_TO_PACKET' && r.off === 0 && tnumIsConst(r.varOff) && r.varOff.value === 0n;
    const fwd = (isPkt(dst) && isEnd(src)) || (dst.type === 'PTR_TO_PACKET_META' && initPkt(src));
    const rev = (isEnd(dst) && isPkt(src)) || (initPkt(dst) && src.type === 'PTR_TO_PACKET_META');
    if (!fwd && !rev) return false;
    const dstNo = insn.dst;
    const srcNo = insn.src;
    const self = this.cur;
    const good = (st: VerifierState, regno: number, open: boolean): void => findGoodPktPointers(st, st.frames[st.curframe].regs[regno], open);
    const end = (st: VerifierState, regno: number, open: boolean): void => {
      const r = st.frames[st.curframe].regs[regno];
      // BEYOND_PKT_END = -2 (pkt > pkt_end), AT_PKT_END = -1 (pkt >= pkt_end).
      if (r.type === 'PTR_TO_PACKET') r.range = open ? -2 : -1;
    };
    switch (op) {
      case 'gt':
        if (fwd) { good(self, dstNo, false); end(other, dstNo, true); } else { good(other, srcNo, true); end(self, srcNo, false); }
        return true;
      case 'lt':
        if (fwd) { good(other, dstNo, true); end(self, dstNo, false); } else { good(self, srcNo, false); end(other, srcNo, true); }
        return true;
      case 'ge':
        if (fwd) { good(self, dstNo, true); end(other, dstNo, false); } else { good(other, srcNo, false); end(self, srcNo, true); }
        return true;
      case 'le':
        if (fwd) { good(other, dstNo, false); end(self, dstNo, true); } else { good(self, srcNo, true); end(other, srcNo, false); }
        return true;
      default:
        return false;
    }
  }

  // ---- helper calls (check_helper_call) ----

  private checkHelperCall(insn: Insn): void {
    const id = insn.imm;
    // func_id 0 (BPF_FUNC_unspec) is in range: it fails as a helper no program type may use.
    const name = id === 0 ? 'bpf_unspec' : helperKernelName(id);
    if (name === 'unknown') this.reject(`invalid func ${name}#${id}`, 'helper.invalid');
    if (!this.opts.progType.helpers.has(id)) this.reject(`program of this type cannot use helper ${name}#${id}`, 'helper.not-allowed');
    const fn = HELPER_PROTOS.get(id);
    if (!fn) this.reject(`${name}#${id} has no modelled prototype in this verifier yet`, 'unsupported.helper');
    if (!this.opts.gpl && fn.gplOnly) this.reject('cannot call GPL-restricted function from non-GPL compatible program', 'helper.gpl');
    if (!this.opts.sleepable && fn.mightSleep) this.reject('helper call might sleep in a non-sleepable prog', 'helper.sleep');
    const meta: CallMeta = { rawRegno: -1, accessSize: 0, memSize: 0, releaseRegno: 0, refObjId: 0, msizeMax: 0n };
    for (let i = 0; i < 5; i++) this.checkFuncArg(fn, i, meta);
    if (meta.rawRegno >= 0) {
      const r = this.regs()[meta.rawRegno];
      if (r.type === 'PTR_TO_STACK') {
        for (let i = 0; i < meta.accessSize; i++) this.checkMemAccess(meta.rawRegno, i, 1, 'write', -1, false);
      }
    }
    // record_func_key: the tail call's map must be a prog_array (the kernel prints this one without a newline).
    if (fn.name === 'tail_call') {
      if (meta.map?.type !== 'prog_array') this.reject('expected prog array map for tail call', 'helper.tail-call-map', false);
      // A constant in-range key is recorded for the JIT's direct tail call, so it must be exact.
      const key = this.regs()[3];
      if (key.type === 'SCALAR_VALUE' && tnumIsConst(key.varOff) && key.varOff.value < BigInt(meta.map.maxEntries)) this.markPrecise(3);
    }
    if (meta.releaseRegno) {
      const ref = this.regs()[meta.releaseRegno].refObjId;
      this.releaseReference(ref);
    }
    // A failed tail call continues with the next instruction; a taken one must not leave references behind.
    if (fn.name === 'tail_call') this.checkResourceLeak('tail_call');
    const regs = this.regs();
    for (let r = 0; r <= 5; r++) {
      regs[r] = notInitReg();
      this.scratchReg(r);
    }
    switch (fn.ret.kind) {
      case 'RET_INTEGER':
        regs[0] = scalarUnknown();
        this.refineRetvalRange(regs[0], fn, meta);
        break;
      case 'RET_VOID':
        regs[0] = notInitReg();
        break;
      case 'RET_PTR_TO_MAP_VALUE': {
        // Array lookups with a constant in-range key cannot fail (can_elide_value_nullness, 6.13+).
        const elide = fn.name === 'map_lookup_elem' && meta.constKey !== undefined && meta.constKey >= 0n && meta.constKey < BigInt(meta.map!.maxEntries);
        regs[0] = pointerReg('PTR_TO_MAP_VALUE', { map: meta.map, maybeNull: fn.ret.flags.includes('PTR_MAYBE_NULL') && !elide });
        break;
      }
      case 'RET_PTR_TO_MEM':
        regs[0] = pointerReg('PTR_TO_MEM', {
          memSize: meta.memSize, maybeNull: fn.ret.flags.includes('PTR_MAYBE_NULL'), ringbuf: fn.ret.flags.includes('MEM_RINGBUF'),
        });
        break;
      default:
        this.reject(`${fn.ret.kind} results are not supported by this verifier yet`, 'unsupported.ret');
    }
    if (CHANGES_PKT_DATA.has(fn.name)) clearAllPktPointers(this.cur);
    if (meta.map && !mapFuncCompatible(meta.map.type, fn.name)) {
      this.reject(`cannot pass map_type ${MAP_TYPE_IDS[meta.map.type] ?? 0} into func ${name}#${id}`, 'helper.map-type');
    }
    if (regs[0].maybeNull) regs[0].id = ++this.idGen;
    if (fn.name === 'ringbuf_reserve') {
      const ref = ++this.idGen;
      this.cur.refs.push(ref);
      regs[0].id = ref;
      regs[0].refObjId = ref;
      this.refInsn.set(ref, this.pc);
    }
  }

  private readonly refInsn = new Map<number, number>();

  /** do_refine_retval_range: helpers whose integer result has a known range. */
  private refineRetvalRange(r: RegState, fn: HelperProto, meta: CallMeta): void {
    const MAX_ERRNO = 4095n;
    if (['get_stack', 'get_task_stack', 'probe_read_str', 'probe_read_kernel_str', 'probe_read_user_str'].includes(fn.name)) {
      r.smax = meta.msizeMax;
      r.s32max = BigInt.asIntN(32, meta.msizeMax);
      r.smin = -MAX_ERRNO;
      r.s32min = -MAX_ERRNO;
      boundsSync(r);
    } else if (fn.name === 'get_smp_processor_id' && this.opts.nrCpuIds !== undefined) {
      const max = BigInt(this.opts.nrCpuIds - 1);
      r.umax = r.u32max = r.smax = r.s32max = max;
      r.umin = r.u32min = r.smin = r.s32min = 0n;
      boundsSync(r);
    }
  }

  private releaseReference(ref: number): void {
    const i = this.cur.refs.indexOf(ref);
    if (i < 0) this.reject(`invalid reference ${ref}`, 'ref.invalid');
    this.cur.refs.splice(i, 1);
    for (const fr of this.cur.frames) {
      for (let r = 0; r < 11; r++) if (fr.regs[r].refObjId === ref) fr.regs[r] = scalarUnknown();
      for (const sl of fr.stack) if (sl.types[7] === 'SPILL' && sl.spilled.refObjId === ref) sl.spilled = scalarUnknown();
    }
  }

  private checkFuncArg(fn: HelperProto, i: number, meta: CallMeta): void {
    const arg: ArgType | undefined = fn.args[i];
    if (!arg || arg.kind === 'ARG_DONTCARE') return;
    const regno = i + 1;
    const reg = this.checkSrc(regno);
    if (arg.kind === 'ARG_ANYTHING') return;
    const isNull = reg.type === 'SCALAR_VALUE' && tnumIsConst(reg.varOff) && reg.varOff.value === 0n;
    const argMaybeNull = arg.flags.includes('PTR_MAYBE_NULL');
    if (!(isNull && argMaybeNull)) this.checkRegType(regno, reg, arg);
    if (arg.flags.includes('OBJ_RELEASE')) {
      if (!reg.refObjId && !isNull) this.reject(`R${regno} must be referenced when passed to release function`, 'ref.release');
      meta.releaseRegno = regno;
    }
    switch (arg.kind) {
      case 'ARG_CONST_MAP_PTR':
        meta.map = reg.map;
        break;
      case 'ARG_PTR_TO_MAP_KEY':
        if (!meta.map) this.reject('invalid map_ptr to access map->key', 'helper.map-key');
        this.checkHelperMemAccess(regno, meta.map.keySize, 'read', false, undefined);
        if (meta.map.type === 'array' || meta.map.type === 'percpu_array') meta.constKey = this.constantMapKey(reg, meta.map.keySize);
        break;
      case 'ARG_PTR_TO_MAP_VALUE':
        if (argMaybeNull && isNull) return;
        if (!meta.map) this.reject('invalid map_ptr to access map->value', 'helper.map-value');
        this.checkHelperMemAccess(regno, meta.map.valueSize, arg.flags.includes('MEM_WRITE') ? 'write' : 'read', false, arg.flags.includes('MEM_UNINIT') ? meta : undefined);
        break;
      case 'ARG_PTR_TO_MEM':
        if (arg.flags.includes('MEM_FIXED_SIZE') && arg.size) {
          this.checkHelperMemAccess(regno, arg.size, arg.flags.includes('MEM_WRITE') ? 'write' : 'read', false, undefined);
        }
        break;
      case 'ARG_CONST_SIZE':
      case 'ARG_CONST_SIZE_OR_ZERO': {
        const prev = fn.args[i - 1];
        const zeroOk = arg.kind === 'ARG_CONST_SIZE_OR_ZERO';
        const raw = prev?.flags.includes('MEM_UNINIT') && tnumIsConst(reg.varOff) ? meta : undefined;
        meta.msizeMax = reg.umax;
        if (reg.smin < 0n) this.reject(`R${regno} min value is negative, either use unsigned or 'var &= const'`, 'helper.size-negative');
        if (reg.umin === 0n && !zeroOk) this.reject(`R${regno} invalid zero-sized read: u64=[${reg.umin},${reg.umax}]`, 'helper.size-zero');
        if (reg.umax >= BigInt(BPF_MAX_VAR_SIZ)) this.reject(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`, 'helper.size-unbounded');
        const prevReg = this.regs()[regno - 1];
        if (zeroOk && reg.umax === 0n && prevReg.type === 'SCALAR_VALUE' && tnumIsConst(prevReg.varOff) && prevReg.varOff.value === 0n) {
          // A NULL buffer of size 0: both the NULL and the zero size must be exact.
          this.markPrecise(regno - 1);
          this.markPrecise(regno);
          break;
        }
        this.checkHelperMemAccess(regno - 1, Number(reg.umax), prev?.flags.includes('MEM_WRITE') ? 'write' : 'read', zeroOk, raw);
        this.markPrecise(regno);
        break;
      }
      case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
        if (!tnumIsConst(reg.varOff)) this.reject(`R${regno} is not a known constant'`, 'helper.alloc-size');
        meta.memSize = Number(reg.varOff.value);
        this.markPrecise(regno);
        break;
      default:
        break;
    }
  }

  /** get_constant_map_key: the key's value when the stack holds a known constant of exactly key_size bytes. */
  private constantMapKey(key: RegState, keySize: number): bigint | undefined {
    if (key.type !== 'PTR_TO_STACK' || !tnumIsConst(key.varOff)) return undefined;
    const stackOff = key.off + Number(s64(key.varOff.value));
    const slot = -stackOff - 1;
    const st = this.stackFrame(key).stack[Math.floor(slot / 8)];
    const o = slot % 8;
    let zero = 0;
    for (let i = o; i >= 0 && st.types[i] === 'ZERO'; i--) zero++;
    if (zero >= keySize) return 0n;
    if (st.types[7] !== 'SPILL' || st.spilled.type !== 'SCALAR_VALUE') return undefined;
    let spill = 0;
    for (let i = o; i >= 0 && st.types[i] === 'SPILL'; i--) spill++;
    if (spill !== keySize || !tnumIsConst(st.spilled.varOff)) return undefined;
    const frameno = key.frameno;
    const spi = Math.floor(slot / 8);
    this.markPrecise(-1, (bt) => bt.setSlot(spi, frameno));
    return st.spilled.varOff.value;
  }

  private checkRegType(regno: number, reg: RegState, arg: ArgType): void {
    const t = reg.type;
    const flagsOk = (!reg.maybeNull || arg.flags.includes('PTR_MAYBE_NULL'));
    let ok: boolean;
    let expected: string;
    switch (arg.kind) {
      case 'ARG_PTR_TO_MAP_KEY': case 'ARG_PTR_TO_MAP_VALUE': case 'ARG_PTR_TO_MEM':
        ok = flagsOk && ['PTR_TO_STACK', 'PTR_TO_PACKET', 'PTR_TO_PACKET_META', 'PTR_TO_MAP_KEY', 'PTR_TO_MAP_VALUE', 'PTR_TO_MEM'].includes(t) &&
          (!reg.rdonly || arg.flags.includes('MEM_RDONLY'));
        expected = MEM_TYPES;
        break;
      case 'ARG_CONST_SIZE': case 'ARG_CONST_SIZE_OR_ZERO': case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
        ok = t === 'SCALAR_VALUE';
        expected = 'scalar';
        break;
      case 'ARG_CONST_MAP_PTR':
        ok = t === 'CONST_PTR_TO_MAP';
        expected = 'map_ptr';
        break;
      case 'ARG_PTR_TO_CTX':
        ok = t === 'PTR_TO_CTX' && flagsOk;
        expected = 'ctx';
        break;
      case 'ARG_PTR_TO_RINGBUF_MEM':
        ok = t === 'PTR_TO_MEM' && reg.ringbuf && !reg.maybeNull;
        expected = 'ringbuf_mem';
        break;
      case 'ARG_PTR_TO_STACK':
        ok = t === 'PTR_TO_STACK' && flagsOk;
        expected = 'fp';
        break;
      case 'ARG_PTR_TO_FUNC':
        ok = t === 'PTR_TO_FUNC';
        expected = 'func';
        break;
      case 'ARG_PTR_TO_CONST_STR':
        ok = t === 'PTR_TO_MAP_VALUE' && flagsOk;
        expected = 'map_value';
        break;
      default:
        this.reject(`${arg.kind} arguments are not supported by this verifier yet`, 'unsupported.arg');
    }
    if (!ok) this.reject(`R${regno} type=${regTypeStr(reg)} expected=${expected}`, 'helper.arg-type');
    // check_func_arg_reg_off: a released pointer must be unmodified; only memory-like pointers may carry offsets.
    if (arg.flags.includes('OBJ_RELEASE')) {
      if (reg.off) this.reject(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`, 'helper.arg-off');
      this.checkPtrOffReg(regno, reg);
    } else if (t !== 'SCALAR_VALUE' && t !== 'PTR_TO_STACK' && t !== 'PTR_TO_MAP_VALUE' && t !== 'PTR_TO_PACKET' && t !== 'PTR_TO_PACKET_META' && t !== 'PTR_TO_MEM' && t !== 'PTR_TO_MAP_KEY') {
      if (reg.off) this.reject(`dereference of modified ${regTypeStr(reg)} ptr R${regno} off=${reg.off} disallowed`, 'helper.arg-off');
      this.checkPtrOffReg(regno, reg);
    }
  }

  /** __check_ptr_off_reg's variable-offset part: the pointer's var_off must be the constant 0. */
  private checkPtrOffReg(regno: number, reg: RegState): void {
    if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
      this.reject(`variable ${regTypeStr(reg)} access var_off=${tnumPrint(reg.varOff)} disallowed`, 'helper.arg-var-off');
    }
    void regno;
  }

  /** check_helper_mem_access (+ check_stack_range_initialized for the stack, privileged). */
  private checkHelperMemAccess(regno: number, size: number, access: 'read' | 'write', zeroOk: boolean, raw: CallMeta | undefined): void {
    const reg = this.regs()[regno];
    switch (reg.type) {
      case 'PTR_TO_PACKET': case 'PTR_TO_PACKET_META':
        this.checkPacketAccess(regno, reg, reg.off, size);
        return;
      case 'PTR_TO_MAP_KEY':
        if (access === 'write') this.reject(`R${regno} cannot write into ${regTypeStr(reg)}`, 'mem.rdonly');
        this.checkMemRegionAccess(regno, reg, reg.off, size, reg.map!.keySize, false);
        return;
      case 'PTR_TO_MAP_VALUE':
        this.checkMemRegionAccess(regno, reg, reg.off, size, reg.map!.valueSize, zeroOk);
        return;
      case 'PTR_TO_MEM':
        if (reg.rdonly && access === 'write') this.reject(`R${regno} cannot write into ${regTypeStr(reg)}`, 'mem.rdonly');
        this.checkMemRegionAccess(regno, reg, reg.off, size, reg.memSize, zeroOk);
        return;
      case 'PTR_TO_STACK': {
        if (size === 0 && !zeroOk) this.reject('invalid zero-sized read', 'stack.zero-size');
        this.checkStackAccessWithinBounds(regno, reg, reg.off, size, access === 'write' ? ' write to' : ' read from');
        if (raw && tnumIsConst(reg.varOff)) {
          raw.rawRegno = regno;
          raw.accessSize = size;
          return;
        }
        // check_stack_range_initialized (raw mode is off for a variable offset): every slot in reach counts as
        // read, written or not.
        const konst = tnumIsConst(reg.varOff);
        const lo = (konst ? Number(s64(reg.varOff.value)) : Number(reg.smin)) + reg.off;
        const hi = (konst ? Number(s64(reg.varOff.value)) : Number(reg.smax)) + reg.off + size;
        this.markStackRangeRead(this.stackFrame(reg), lo, hi);
        if (access === 'write') {
          // check_stack_range_initialized with clobber: every byte the helper may write becomes MISC, over the
          // whole range a variable offset can reach; a spilled register there is scrubbed (scrub_spilled_slot).
          const fr = this.stackFrame(reg);
          const konst = tnumIsConst(reg.varOff);
          const min = (konst ? Number(s64(reg.varOff.value)) : Number(reg.smin)) + reg.off;
          const max = (konst ? Number(s64(reg.varOff.value)) : Number(reg.smax)) + reg.off + size;
          for (let i = min; i < max; i++) {
            const slot = -i - 1;
            const st = writableSlot(fr, Math.floor(slot / 8));
            if (st.types[slot % 8] !== 'MISC' && st.types[slot % 8] !== 'ZERO' && st.types[slot % 8] !== 'INVALID' && st.types[7] === 'SPILL') {
              st.spilled = scalarUnknown();
              st.types = st.types.map((x) => (x === 'INVALID' ? x : 'MISC'));
            }
            st.types[slot % 8] = 'MISC';
          }
        }
        return;
      }
      default:
        if (zeroOk && size === 0 && reg.type === 'SCALAR_VALUE' && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) return;
        this.reject(`R${regno} type=${regTypeStr(reg)} expected=fp`, 'helper.mem-type');
    }
  }

  // ---- legacy packet loads (check_ld_abs) ----

  private checkLdAbs(insn: Insn): void {
    if (!['socket_filter', 'sched_cls', 'sched_act'].includes(this.opts.progType.name)) {
      this.reject('BPF_LD_[ABS|IND] instructions not allowed for this program type', 'ldabs.type');
    }
    const ctx = this.checkSrc(6);
    this.checkResourceLeak('BPF_LD_[ABS|IND]');
    if (ctx.type !== 'PTR_TO_CTX') this.reject('at the time of BPF_LD_ABS|IND R6 != pointer to skb', 'ldabs.r6');
    if (insn.form.kind === 'ld_ind') this.checkSrc(insn.src);
    if (ctx.off) this.reject(`dereference of modified ctx ptr R6 off=${ctx.off} disallowed`, 'ctx.modified');
    const regs = this.regs();
    for (let r = 0; r <= 5; r++) {
      regs[r] = notInitReg();
      this.scratchReg(r);
    }
    regs[0] = scalarUnknown();
  }

  // ---- bpf-to-bpf calls (check_func_call, prepare_func_exit) ----

  /** Set when the next instruction should get a "from X to Y:" line at level 2 (after returning from a callee). */
  private printFromNext = false;

  private checkFuncCall(insn: Insn): number {
    const st = this.cur;
    if (st.curframe + 1 >= MAX_CALL_FRAMES) this.reject(`the call stack of ${st.curframe + 2} frames is too deep`, 'call.depth');
    const target = this.pc + 1 + insn.imm;
    const caller = this.frame();
    const callee = newFrame(st.curframe + 1, this.pc, target);
    // set_callee_state: the callee receives r1-r5; r0 and r6-r9 start unreadable.
    for (let r = 1; r <= 5; r++) callee.regs[r] = cloneReg(caller.regs[r]);
    for (let r = 0; r <= 5; r++) {
      caller.regs[r] = notInitReg();
      this.scratchReg(r);
    }
    st.frames.push(callee);
    st.curframe++;
    this.stackLive.resetCallchain();
    if (this.log.enabled) {
      this.log.write(`caller:\n${printFrame(caller, 'all', st.refs)}\ncallee:\n${printFrame(callee, 'all', st.refs)}\n`);
    }
    this.scratch = 'all';
    return target;
  }

  private prepareFuncExit(): number {
    const st = this.cur;
    const callee = this.frame();
    const r0 = callee.regs[0];
    if (r0.type === 'PTR_TO_STACK') this.reject('cannot return stack pointer to the caller', 'call.ret-stack');
    const caller = st.frames[st.curframe - 1];
    caller.regs[0] = cloneReg(r0);
    const ret = callee.callsite + 1;
    if (this.log.enabled) {
      this.log.write(`returning from callee:\n${printFrame(callee, 'all', st.refs)}\nto caller at ${ret}:\n${printFrame(caller, 'all', st.refs)}\n`);
    }
    st.frames.pop();
    st.curframe--;
    this.printFromNext = true;
    return ret;
  }

  /** Per subprogram start: the deepest stack use seen (subprog_info.stack_depth). */
  readonly maxStack = new Map<number, number>();

  /** Records the stack depth of every live frame (called on each stack access). */
  private noteStackDepth(frame: FrameState, minOff: number): void {
    const size = Math.ceil(-minOff / 8) * 8;
    if ((this.maxStack.get(frame.subprogStart) ?? 0) < size) this.maxStack.set(frame.subprogStart, size);
  }

  // ---- exit ----

  private checkExit(): void {
    this.checkResourceLeak('BPF_EXIT instruction in main prog');
    const r0 = this.checkSrc(0);
    const range = this.opts.progType.retRange;
    if (!range) return;
    if (r0.type !== 'SCALAR_VALUE') this.reject(`At program exit the register R0 is not a known value (${regTypeStr(r0)})`, 'ret.type');
    this.markPrecise(0);
    if (!(BigInt(range[0]) <= r0.smin && r0.smax <= BigInt(range[1]))) {
      let s = 'At program exit the register R0 has';
      let unknown = true;
      if (r0.smin > S64_MIN) { s += ` smin=${r0.smin}`; unknown = false; }
      if (r0.smax < S64_MAX) { s += ` smax=${r0.smax}`; unknown = false; }
      if (unknown) s += ' unknown scalar value';
      this.reject(`${s} should have been in [${range[0]}, ${range[1]}]`, 'ret.range');
    }
  }
}

interface CallMeta {
  map?: MapInfo;
  constKey?: bigint;
  /** msize_max_value: the umax of the last size argument. */
  msizeMax: bigint;
  rawRegno: number;
  accessSize: number;
  memSize: number;
  releaseRegno: number;
  refObjId: number;
}

function bitWidth(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** save_register_state: spill `reg` into the low `size` bytes of the slot. */
function saveRegisterState(st: { types: string[]; spilled: RegState }, reg: RegState, size: number): void {
  st.spilled = cloneReg(reg);
  for (let i = 8; i > 8 - size; i--) st.types[i - 1] = 'SPILL';
  for (let i = 8 - size; i > 0; i--) {
    if (st.types[i - 1] !== 'ZERO' && st.types[i - 1] !== 'INVALID') st.types[i - 1] = 'MISC';
  }
}

/** scalar32_min_max_add + scalar_min_max_add + tnum_add without the final sync (sync_linked_regs). */
function scalarAddNoSync(d: RegState, s: RegState): void {
  const id = d.id;
  const addConst = d.addConst;
  const off = d.off;
  scalarAlu(d, s, 'add', false);
  d.id = id;
  d.addConst = addConst;
  d.off = off;
}

/** coerce_reg_to_size_sx: sign-extending truncation (ldsx, movsx). */
function coerceToSizeSx(b: RegState, size: number): void {
  const bits = BigInt(size * 8);
  if (tnumIsConst(b.varOff)) {
    markKnown(b, BigInt.asIntN(Number(bits), b.varOff.value));
    return;
  }
  const lo = -(1n << (bits - 1n));
  const hi = (1n << (bits - 1n)) - 1n;
  // Every value already fits the narrower signed range: sign extension changes nothing (6.18 keeps the bounds).
  if (b.smin >= lo && b.smax <= hi) return;
  const smin = BigInt.asIntN(Number(bits), b.smin);
  const smax = BigInt.asIntN(Number(bits), b.smax);
  const sameUpper = (b.smin >> bits) === (b.smax >> bits) && smin <= smax;
  markUnbounded(b);
  if (sameUpper) {
    b.smin = smin;
    b.smax = smax;
  } else {
    b.smin = lo;
    b.smax = hi;
  }
  b.umin = 0n;
  b.umax = u64(-1n);
  boundsSync(b);
}

/**
 * coerce_subreg_to_size_sx: W = (s8, s16)W works on the 32-bit bounds only, and unlike the 64-bit form it keeps no
 * range that merely fits: unless the upper bits of s32_min and s32_max agree and both ends sign-extend to the same
 * sign, the result is the whole s8/s16 range.
 */
function coerceSubregToSizeSx(b: RegState, size: number): void {
  const bits = size * 8;
  const sx = (v: bigint): bigint => BigInt.asIntN(bits, v);
  if (tnumIsConst(b.varOff)) {
    const v = sx(b.varOff.value);
    b.varOff = tnumConst(BigInt.asUintN(64, v));
    b.s32min = b.s32max = BigInt.asIntN(32, v);
    b.u32min = b.u32max = BigInt.asUintN(32, v);
    return;
  }
  const top = (v: bigint): bigint => (BigInt.asUintN(32, v) >> BigInt(bits)) << BigInt(bits);
  if (top(b.s32max) === top(b.s32min)) {
    const a = sx(b.s32max);
    const c = sx(b.s32min);
    const hi = a > c ? a : c;
    const lo = a > c ? c : a;
    if ((lo >= 0n) === (hi >= 0n)) {
      b.s32min = lo;
      b.s32max = hi;
      b.u32min = BigInt.asUintN(32, lo);
      b.u32max = BigInt.asUintN(32, hi);
      b.varOff = tnumSubreg(tnumRange(BigInt.asUintN(64, lo), BigInt.asUintN(64, hi)));
      return;
    }
  }
  b.s32min = -(1n << BigInt(bits - 1));
  b.s32max = (1n << BigInt(bits - 1)) - 1n;
  b.u32min = 0n;
  b.u32max = (1n << 32n) - 1n;
  b.varOff = tnumSubreg(tnumUnknown);
}

/** mark_ptr_or_null_regs over every register and spilled register of a state. */
function markPtrOrNullRegs(st: VerifierState, id: number, refObjId: number, isNull: boolean): void {
  if (refObjId && refObjId === id && isNull) {
    const i = st.refs.indexOf(id);
    if (i >= 0) st.refs.splice(i, 1);
  }
  const fix = (r: RegState): RegState => {
    if (!r.maybeNull || r.id !== id) return r;
    if (isNull) return scalarConst(0n);
    const n = cloneReg(r);
    n.maybeNull = false;
    n.id = 0;
    return n;
  };
  for (const fr of st.frames) {
    for (let i = 0; i < 11; i++) fr.regs[i] = fix(fr.regs[i]);
    for (const sl of fr.stack) if (sl.types[7] === 'SPILL') sl.spilled = fix(sl.spilled);
  }
}

/** find_good_pkt_pointers: every packet pointer with the same id gets the proven range. */
function findGoodPktPointers(st: VerifierState, dst: RegState, rightOpen: boolean): void {
  if (dst.off < 0 || (dst.off === 0 && rightOpen)) return;
  if (dst.umax > BigInt(MAX_PACKET_OFF) || dst.umax + BigInt(dst.off) > BigInt(MAX_PACKET_OFF)) return;
  // pkt' > pkt_end fails, so pkt' <= pkt_end: off bytes are there; right-open (pkt' < pkt_end): one more.
  const newRange = rightOpen ? dst.off + 1 : dst.off;
  const type = dst.type;
  const id = dst.id;
  for (const fr of st.frames) {
    for (const r of fr.regs) if (r.type === type && r.id === id) r.range = Math.max(r.range, newRange);
    for (const sl of fr.stack) if (sl.types[7] === 'SPILL' && sl.spilled.type === type && sl.spilled.id === id) sl.spilled.range = Math.max(sl.spilled.range, newRange);
  }
}

/**
 * scalar_byte_swap (6.18): a byte swap (bswap, or be* on this little-endian host) swaps the tnum and re-derives
 * the bounds from it; le* on little-endian is a truncation; 16- and 32-bit forms zero-extend.
 */
function scalarByteSwap(d: RegState, swap: boolean, bytes: number): void {
  if (swap) {
    const sw = (v: bigint): bigint => {
      let out = 0n;
      for (let i = 0; i < bytes; i++) out |= ((v >> BigInt(8 * i)) & 0xffn) << BigInt(8 * (bytes - 1 - i));
      return out;
    };
    const varOff = { value: sw(d.varOff.value), mask: sw(d.varOff.mask) };
    markUnbounded(d);
    d.varOff = varOff;
  }
  if (bytes < 8) coerceToSize(d, bytes);
  boundsSync(d);
}

/** is_pkt_ptr_branch_taken: a packet pointer known to be at or beyond pkt_end decides some comparisons. */
function pktPtrBranchTaken(dst: RegState, src: RegState, op: Cond): 0 | 1 | -1 {
  let pkt: RegState;
  let o = op;
  if (src.type === 'PTR_TO_PACKET_END') pkt = dst;
  else if (dst.type === 'PTR_TO_PACKET_END') {
    pkt = src;
    o = FLIP_COND[o];
  } else return -1;
  if (pkt.range >= 0) return -1;
  // BEYOND_PKT_END = -2, AT_PKT_END = -1.
  switch (o) {
    case 'le': case 'gt':
      if (pkt.range === -2) return o === 'gt' ? 1 : 0;
      break;
    case 'lt': case 'ge':
      if (pkt.range === -2 || pkt.range === -1) return o === 'ge' ? 1 : 0;
      break;
    default:
      break;
  }
  return -1;
}

/** bpf_helper_changes_pkt_data (net/core/filter.c): helpers after which every packet pointer is stale. */
const CHANGES_PKT_DATA: ReadonlySet<string> = new Set([
  'clone_redirect', 'l3_csum_replace', 'l4_csum_replace', 'lwt_push_encap', 'lwt_seg6_action', 'lwt_seg6_adjust_srh',
  'lwt_seg6_store_bytes', 'msg_pop_data', 'msg_pull_data', 'msg_push_data', 'skb_adjust_room', 'skb_change_head',
  'skb_change_proto', 'skb_change_tail', 'skb_pull_data', 'skb_store_bytes', 'skb_vlan_pop', 'skb_vlan_push',
  'store_hdr_opt', 'xdp_adjust_head', 'xdp_adjust_meta', 'xdp_adjust_tail',
]);

/** clear_all_pkt_pointers: mark_reg_invalid on every packet pointer (privileged: it becomes an unknown scalar). */
function clearAllPktPointers(st: VerifierState): void {
  const stale = (r: RegState): boolean => r.type === 'PTR_TO_PACKET' || r.type === 'PTR_TO_PACKET_META' || r.type === 'PTR_TO_PACKET_END';
  for (const fr of st.frames) {
    for (let i = 0; i < 11; i++) if (stale(fr.regs[i])) fr.regs[i] = scalarUnknown();
    for (const sl of fr.stack) if (sl.types[7] === 'SPILL' && stale(sl.spilled)) sl.spilled = scalarUnknown();
  }
}

function isPktAny(r: RegState): boolean {
  return r.type === 'PTR_TO_PACKET' || r.type === 'PTR_TO_PACKET_META' || r.type === 'PTR_TO_PACKET_END';
}

/** same_callsites: both states are in the same call chain. */
function sameCallsites(a: VerifierState, b: VerifierState): boolean {
  if (a.curframe !== b.curframe) return false;
  for (let f = a.curframe; f >= 0; f--) if (a.frames[f].callsite !== b.frames[f].callsite) return false;
  return true;
}

/** add_subprog: the main program and every bpf-to-bpf call or callback target, ascending. */
function subprogStarts(prog: Program): number[] {
  const starts = new Set<number>([0]);
  prog.insns.forEach((insn, i) => {
    if (insn.form.id === 'call_local' || insn.form.id === 'lddw_func') starts.add(prog.pcOf[i] + 1 + insn.imm);
  });
  return [...starts].sort((a, b) => a - b);
}

const slotBit = (spi: number): bigint => 1n << BigInt(spi);

/**
 * scrub_special_slot (6.18 stable): a plain write into a slot holding a spilled register forgets the register and
 * turns every initialised byte of the slot into MISC, so no half-spill is left behind.
 */
function scrubSpecialSlot(st: StackSlot): void {
  st.spilled = notInitReg();
  if (st.types[7] === 'SPILL') for (let i = 0; i < 8; i++) if (st.types[i] !== 'INVALID') st.types[i] = 'MISC';
}

/** maybe_widen_reg over every register and spilled register: imprecise scalars that changed become unknown. */
function widenImpreciseScalars(old: VerifierState, cur: VerifierState): void {
  const ids = new IdMap(1 << 30);
  const widen = (o: RegState, c: RegState): RegState => {
    if (o.type !== 'SCALAR_VALUE' || c.type !== 'SCALAR_VALUE') return c;
    if (o.precise || c.precise || regSafe(o, c, ids, 'EXACT')) return c;
    return scalarUnknown();
  };
  for (let fr = old.curframe; fr >= 0; fr--) {
    const fo = old.frames[fr];
    const fc = cur.frames[fr];
    for (let i = 0; i < 11; i++) fc.regs[i] = widen(fo.regs[i], fc.regs[i]);
    const slots = Math.min(fo.allocatedStack, fc.allocatedStack) / 8;
    for (let spi = 0; spi < slots; spi++) {
      if (fo.stack[spi].types[7] !== 'SPILL' || fc.stack[spi].types[7] !== 'SPILL') continue;
      const w = widen(fo.stack[spi].spilled, fc.stack[spi].spilled);
      if (w !== fc.stack[spi].spilled) writableSlot(fc, spi).spilled = w;
    }
  }
}

/** Precise marks on a backedge's path (to see whether propagation changed anything). */
function countPrecise(node: PrecisionNode): number {
  let n = 0;
  for (let p = node.parent; p; p = p.parent) {
    for (const f of p.state.frames) {
      for (const r of f.regs) if (r.precise) n++;
      for (const sl of f.stack) if (sl.spilled.precise) n++;
    }
  }
  return n;
}

/** mark_all_scalars_precise on a backedge's path. */
function markAllPrecise(node: PrecisionNode): void {
  for (let p = node.parent; p; p = p.parent) {
    for (const f of p.state.frames) {
      for (const r of f.regs) if (r.type === 'SCALAR_VALUE') r.precise = true;
      for (const sl of f.stack) if (sl.types[7] === 'SPILL' && sl.spilled.type === 'SCALAR_VALUE') sl.spilled.precise = true;
    }
  }
}
