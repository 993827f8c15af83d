// Stack-slot liveness as 6.18 computes it (kernel/bpf/liveness.c): which stack slots an instruction or any of its
// successors may still read, so that pruning can ignore dead slots of a finished state.
//
// The analysis is dynamic and call-chain sensitive. While the walk verifies instructions, every stack read adds
// its slot to the instruction's "may_read" set and every full 8-byte aligned stack write to its "must_write" set
// (intersected over visits), per (call chain, instruction, frame whose stack it is). Whenever a path ends (exit,
// pruned, or a subprogram returns) the instances of the current call chain that changed are solved to a fixed
// point (live_before = (union of successors' live_before - must_write) + may_read), and a callee's entry facts are
// carried to its call site in the caller's instance. Queries (cleaning a finished checkpoint) read live_before at
// the state's instruction, and for caller frames live_before after each call site. Because facts are only the
// ones seen so far, the answers change as verification proceeds, exactly as the kernel's do; that is why this is
// modelled step by step rather than as a static pass. The level-2 log lines ("(0) frame 0 insn 5 +live -8",
// "(0) live stack update done in 2 iterations") are printed as the kernel prints them.
import type { Program } from './cfg';
import { fmtStackMask } from './precision';
import type { VerifierState } from './state';

const MAX_CALL_FRAMES = 8;
const BPF_FUNC_TAIL_CALL = 12;

/** Per instruction of a function instance, for one frame's stack: the four masks of struct per_frame_masks. */
interface FrameMasks {
  mayRead: bigint[];
  mustWrite: bigint[];
  mustWriteAcc: bigint[];
  liveBefore: bigint[];
}

/** struct func_instance: the facts of one subprogram reached through one call chain. */
interface FuncInstance {
  /** Call sites of frames 0..depth-1, then the subprogram's start (struct callchain). */
  readonly callsites: readonly number[];
  readonly depth: number;
  readonly start: number;
  readonly len: number;
  readonly frames: Array<FrameMasks | undefined>;
  readonly mustWriteSet: boolean[];
  updated: boolean;
  mustWriteDropped: boolean;
}

export interface StackLivenessEnv {
  readonly prog: Program;
  /** Subprogram start slots, ascending. */
  readonly subprogStarts: readonly number[];
  /** Prune points (for which instructions the level-2 log reports changes). */
  readonly prunePoints: ReadonlySet<number>;
  readonly log: { readonly level: number; write(s: string): void };
}

export class StackLiveness {
  private readonly instances = new Map<string, FuncInstance>();
  /** cur_instance: the instance of the state being verified, looked up lazily after a call chain change. */
  private cur?: FuncInstance;
  private writeAcc: bigint[] = new Array<bigint>(MAX_CALL_FRAMES).fill(0n);
  /** Whether writeAcc holds a nonzero mask: most instructions write no stack slot, so resetting can be skipped. */
  private writeDirty = false;
  private writeInsn = 0;
  /** Postorder of each subprogram's instructions (compute_postorder), by subprogram start. */
  private readonly postorder = new Map<number, number[]>();
  private query?: { instances: FuncInstance[]; curframe: number; insn: number; callsites: number[] };

  constructor(private readonly env: StackLivenessEnv) {
    for (const start of env.subprogStarts) this.postorder.set(start, this.computePostorder(start));
  }

  /** bpf_insn_successors: fall-through first, then the jump target; exit has none, calls fall through. */
  successors(pc: number): number[] {
    const p = this.env.prog;
    const idx = p.insnAt[pc];
    if (idx < 0) return [pc + 1];
    const insn = p.insns[idx];
    const f = insn.form;
    switch (f.kind) {
      case 'exit': return [];
      case 'ja': return [pc + 1 + (f.id === 'gotol' ? insn.imm : insn.off)];
      case 'jcond': case 'may_goto': return [pc + 1, pc + 1 + insn.off];
      case 'lddw': return [pc + 2];
      case 'call':
        // A tail call may leave the subprogram: its other successor is the subprogram's exit, which writes nothing.
        if (f.id === 'call' && insn.imm === BPF_FUNC_TAIL_CALL) return [pc + 1, this.exitOf(pc)];
        return [pc + 1];
      default: return [pc + 1];
    }
  }

  /** subprog_info.exit_idx: the last exit instruction of the subprogram holding `pc`. */
  private exitOf(pc: number): number {
    const sp = this.subprogOf(pc);
    const p = this.env.prog;
    for (let i = sp.end - 1; i >= sp.start; i--) {
      const idx = p.insnAt[i];
      if (idx >= 0 && p.insns[idx].form.kind === 'exit') return i;
    }
    return sp.end - 1;
  }

  /** compute_postorder: iterative DFS from the subprogram's start, successors pushed in order. */
  private computePostorder(start: number): number[] {
    const state = new Map<number, number>();
    const out: number[] = [];
    const stack = [start];
    const DISCOVERED = 1;
    const EXPLORED = 2;
    while (stack.length) {
      const top = stack[stack.length - 1];
      state.set(top, (state.get(top) ?? 0) | DISCOVERED);
      if ((state.get(top)! & EXPLORED) !== 0) {
        out.push(top);
        stack.pop();
        continue;
      }
      for (const s of this.successors(top)) {
        if (!state.get(s)) {
          stack.push(s);
          state.set(s, DISCOVERED);
        }
      }
      state.set(top, state.get(top)! | EXPLORED);
    }
    return out;
  }

  private subprogOf(pc: number): { start: number; end: number } {
    const starts = this.env.subprogStarts;
    let i = starts.length - 1;
    while (i > 0 && starts[i] > pc) i--;
    return { start: starts[i], end: starts[i + 1] ?? this.env.prog.slotCount };
  }

  /** compute_callchain for frame `frameno` of `st`: call sites leading to it, then its subprogram start. */
  private callchainOf(st: VerifierState, frameno: number): number[] {
    const cs: number[] = [];
    for (let i = 0; i < frameno; i++) cs.push(st.frames[i + 1].callsite);
    cs.push(st.frames[frameno].subprogStart);
    return cs;
  }

  private lookup(callsites: readonly number[]): FuncInstance {
    const key = callsites.join(',');
    let inst = this.instances.get(key);
    if (!inst) {
      const start = callsites[callsites.length - 1];
      const sp = this.subprogOf(start);
      const len = sp.end - sp.start;
      inst = {
        callsites, depth: callsites.length - 1, start: sp.start, len, frames: new Array(callsites.length).fill(undefined),
        mustWriteSet: new Array<boolean>(len).fill(false), updated: false, mustWriteDropped: false,
      };
      this.instances.set(key, inst);
    }
    return inst;
  }

  private instanceOf(st: VerifierState, frameno: number): FuncInstance {
    return this.lookup(this.callchainOf(st, frameno));
  }

  private ensureCur(st: VerifierState): FuncInstance {
    this.cur ??= this.instanceOf(st, st.curframe);
    return this.cur;
  }

  private frameMasks(inst: FuncInstance, frame: number): FrameMasks {
    let m = inst.frames[frame];
    if (!m) {
      const z = (): bigint[] => new Array<bigint>(inst.len).fill(0n);
      m = { mayRead: z(), mustWrite: z(), mustWriteAcc: z(), liveBefore: z() };
      inst.frames[frame] = m;
    }
    return m;
  }

  /** bpf_reset_live_stack_callchain: the state's call chain changed (a call was entered). */
  resetCallchain(): void {
    this.cur = undefined;
  }

  private markReadIn(inst: FuncInstance, frame: number, pc: number, mask: bigint): void {
    const m = this.frameMasks(inst, frame);
    const i = pc - inst.start;
    const nr = m.mayRead[i] | mask;
    if (nr !== m.mayRead[i] && (nr | m.liveBefore[i]) !== m.liveBefore[i]) inst.updated = true;
    m.mayRead[i] = nr;
  }

  /** bpf_mark_stack_read: the instruction at `pc` of the current state may read these slots of frame `frame`. */
  markRead(st: VerifierState, frame: number, pc: number, mask: bigint): void {
    this.markReadIn(this.ensureCur(st), frame, pc, mask);
  }

  /** bpf_reset_stack_write_marks: start collecting the writes of the instruction at `pc`. */
  resetWriteMarks(st: VerifierState, pc: number): void {
    this.ensureCur(st);
    this.resetWrites(pc);
  }

  private resetWrites(pc: number): void {
    this.writeInsn = pc;
    if (this.writeDirty) {
      this.writeAcc.fill(0n);
      this.writeDirty = false;
    }
  }

  /** bpf_mark_stack_write: the current instruction fully writes these slots of frame `frame`. */
  markWrite(frame: number, mask: bigint): void {
    this.writeAcc[frame] |= mask;
    if (mask !== 0n) this.writeDirty = true;
  }

  /** bpf_commit_stack_write_marks: must_write of the instruction is the intersection over its visits. */
  commitWriteMarks(): void {
    if (this.cur) this.commitIn(this.cur);
  }

  private commitIn(inst: FuncInstance): void {
    const i = this.writeInsn - inst.start;
    for (let frame = 0; frame <= inst.depth; frame++) {
      let mask = this.writeAcc[frame];
      if (mask === 0n && !inst.mustWriteSet[i]) continue;
      const m = this.frameMasks(inst, frame);
      const old = m.mustWrite[i];
      // Nothing written and nothing known written: the intersection stays empty (the commonest case by far).
      if (mask === 0n && old === 0n) continue;
      if (inst.mustWriteSet[i]) mask &= old;
      if (old !== mask) {
        m.mustWrite[i] = mask;
        inst.updated = true;
      }
      if ((old & ~mask) !== 0n) inst.mustWriteDropped = true;
    }
    inst.mustWriteSet[i] = true;
    this.writeInsn = 0;
  }

  private fmtChain(inst: FuncInstance): string {
    return `(${inst.callsites.join(',')})`;
  }

  private logChange(inst: FuncInstance, pfx: string, frame: number, pc: number, old: bigint, now: bigint): void {
    const changed = old ^ now;
    if (!changed) return;
    let s = `${this.fmtChain(inst)} frame ${frame} insn ${pc} `;
    const ones = now & changed;
    const zeros = ~now & changed;
    if (ones) s += `+${pfx} ${fmtStackMask(ones)} `;
    if (zeros) s += `-${pfx} ${fmtStackMask(zeros)}`;
    this.env.log.write(`${s}\n`);
  }

  /** update_insn: one step of the backward dataflow for frame `frame` at `pc`; true if something changed. */
  private updateInsn(inst: FuncInstance, frame: number, pc: number): boolean {
    const succ = this.successors(pc);
    if (succ.length === 0) return false;
    const m = inst.frames[frame]!;
    const i = pc - inst.start;
    let after = 0n;
    let acc = (1n << 64n) - 1n;
    for (const s of succ) {
      after |= m.liveBefore[s - inst.start];
      acc &= m.mustWriteAcc[s - inst.start];
    }
    acc |= m.mustWrite[i];
    const before = (after & ~m.mustWrite[i]) | m.mayRead[i];
    const changed = before !== m.liveBefore[i] || acc !== m.mustWriteAcc[i];
    if (this.env.log.level >= 2 && (m.mayRead[i] || m.mustWrite[i] || pc === inst.start || this.env.prunePoints.has(pc))) {
      this.logChange(inst, 'live', frame, pc, m.liveBefore[i], before);
      this.logChange(inst, 'written', frame, pc, m.mustWriteAcc[i], acc);
    }
    m.liveBefore[i] = before;
    m.mustWriteAcc[i] = acc;
    return changed;
  }

  /** update_instance: fixed point over the subprogram's instructions in postorder, then the caller learns the entry. */
  private updateInstance(inst: FuncInstance): void {
    if (inst.mustWriteDropped) {
      for (const m of inst.frames) if (m) m.mustWriteAcc.fill(0n);
    }
    const order = this.postorder.get(inst.start) ?? [];
    let cnt = 0;
    let changed: boolean;
    do {
      cnt++;
      changed = false;
      for (let frame = 0; frame <= inst.depth; frame++) {
        if (!inst.frames[frame]) continue;
        for (const pc of order) changed = this.updateInsn(inst, frame, pc) || changed;
      }
    } while (changed);
    if (this.env.log.level >= 2) this.env.log.write(`${this.fmtChain(inst)} live stack update done in ${cnt} iterations\n`);
    if (inst.depth > 0) this.propagateToOuter(inst);
  }

  /** propagate_to_outer_instance: the callee's entry facts for outer frames become the call site's. */
  private propagateToOuter(inst: FuncInstance): void {
    const outerChain = [...inst.callsites.slice(0, inst.depth - 1), 0];
    // The outer call chain ends with its own subprogram start: the start of the subprogram holding the call site.
    const callsite = inst.callsites[inst.depth - 1];
    outerChain[outerChain.length - 1] = this.subprogOf(callsite).start;
    const outer = this.lookup(outerChain);
    this.resetWrites(callsite);
    for (let frame = 0; frame < inst.depth; frame++) {
      const m = inst.frames[frame];
      if (!m) continue;
      this.markWrite(frame, m.mustWriteAcc[0]);
      this.markReadIn(outer, frame, callsite, m.liveBefore[0]);
    }
    this.commitIn(outer);
  }

  /** bpf_update_live_stack: solve every changed instance of the current call chain, innermost first. */
  update(st: VerifierState): void {
    this.cur = undefined;
    for (let frame = st.curframe; frame >= 0; frame--) {
      const inst = this.instanceOf(st, frame);
      if (inst.updated) {
        this.updateInstance(inst);
        inst.updated = false;
        inst.mustWriteDropped = false;
      }
    }
  }

  /** bpf_live_stack_query_init: answer liveness questions about state `st` at slot `pc` of its current frame. */
  queryInit(st: VerifierState, pc: number): void {
    const instances: FuncInstance[] = [];
    for (let frame = 0; frame <= st.curframe; frame++) instances.push(this.instanceOf(st, frame));
    const callsites: number[] = [];
    for (let i = 0; i < st.curframe; i++) callsites.push(st.frames[i + 1].callsite);
    this.query = { instances, curframe: st.curframe, insn: pc, callsites };
  }

  private liveBefore(inst: FuncInstance, pc: number, frameno: number, spi: number): boolean {
    const m = inst.frames[frameno];
    return !!m && (m.liveBefore[pc - inst.start] & (1n << BigInt(spi))) !== 0n;
  }

  /** bpf_stack_slot_alive: read later in the current function, or after the call site in some caller. */
  slotAlive(frameno: number, spi: number): boolean {
    const q = this.query!;
    if (this.liveBefore(q.instances[q.curframe], q.insn, frameno, spi)) return true;
    for (let i = frameno; i < q.curframe; i++) {
      // No callback-calling call sites are modelled (they need BTF), so the slot is asked about after the call.
      if (this.liveBefore(q.instances[i], q.callsites[i] + 1, frameno, spi)) return true;
    }
    return false;
  }
}
