// Control-flow checks before abstract interpretation: the kernel's check_subprogs and check_cfg, over instruction slots.
//
// The kernel indexes instructions by 8-byte slot (an lddw takes two), and so do its messages ("jump out of range
// from insn 1 to 7", "unreachable insn 2"). `Program` keeps the decoded Insn list plus the slot map.
import { insnSlots, type Insn } from '../isa';

export interface Program {
  readonly insns: readonly Insn[];
  /** Slot index of each insn. */
  readonly pcOf: readonly number[];
  /** For every slot: the insn index starting there, or -1 for the second half of an lddw. */
  readonly insnAt: readonly number[];
  readonly slotCount: number;
}

export function makeProgram(insns: readonly Insn[]): Program {
  const pcOf: number[] = [];
  const insnAt: number[] = [];
  for (let i = 0; i < insns.length; i++) {
    pcOf.push(insnAt.length);
    insnAt.push(i);
    if (insnSlots(insns[i]) === 2) insnAt.push(-1);
  }
  return { insns, pcOf, insnAt, slotCount: insnAt.length };
}

export interface Subprog {
  readonly start: number;
}

export interface CfgResult {
  readonly error?: { pc: number; message: string; code: string };
  readonly subprogs: readonly Subprog[];
  /** Slots where the kernel's is_state_visited runs (mark_prune_point). */
  readonly prunePoints: ReadonlySet<number>;
  /** Slots reached non-sequentially, recorded in the jump history (mark_jmp_point). */
  readonly jmpPoints: ReadonlySet<number>;
  /** Prune points where a new state is always recorded (is_force_checkpoint). */
  readonly forcePoints: ReadonlySet<number>;
}

/** Helper ids whose calls invoke a program callback: for_each_map_elem, timer_set_callback, find_vma, loop, user_ringbuf_drain. */
const CALLBACK_HELPERS: ReadonlySet<number> = new Set([164, 170, 180, 181, 209]);

/** Jump target slot of the insn at slot pc, for branches the kernel checks in check_subprogs. */
function branchTarget(insn: Insn, pc: number): number | undefined {
  switch (insn.form.kind) {
    case 'ja':
      return pc + 1 + (insn.form.id === 'gotol' ? insn.imm : insn.off);
    case 'jcond':
    case 'may_goto':
      return pc + 1 + insn.off;
    default:
      return undefined;
  }
}

const isExitOrJa = (insn: Insn): boolean => insn.form.kind === 'exit' || insn.form.kind === 'ja';

/** check_subprogs + check_cfg. */
export function checkCfg(p: Program): CfgResult {
  const prune = new Set<number>();
  const jmp = new Set<number>();
  const force = new Set<number>();
  let found: Subprog[] = [];
  const fail = (pc: number, message: string, code: string): CfgResult => ({ error: { pc, message, code }, subprogs: found, prunePoints: prune, jmpPoints: jmp, forcePoints: force });

  // add_subprog for every bpf-to-bpf call target.
  const starts = new Set<number>([0]);
  for (let i = 0; i < p.insns.length; i++) {
    const insn = p.insns[i];
    if (insn.form.id === 'call_local' || insn.form.id === 'lddw_func') {
      const t = p.pcOf[i] + insn.imm + 1;
      if (t < 0 || t >= p.slotCount) return fail(p.pcOf[i], insn.form.id === 'call_local' ? 'call to invalid destination' : 'invalid subprog', 'cfg.call-range');
      starts.add(t);
    }
  }
  const subprogs = [...starts].sort((a, b) => a - b).map((start) => ({ start }));
  found = subprogs;
  const bounds = [...subprogs.map((s) => s.start), p.slotCount];

  // check_subprogs: jumps stay inside their subprog; each subprog ends in exit or ja.
  let cur = 0;
  for (let pc = 0; pc < p.slotCount; pc++) {
    const idx = p.insnAt[pc];
    const insn = idx >= 0 ? p.insns[idx] : undefined;
    const t = insn ? branchTarget(insn, pc) : undefined;
    if (t !== undefined && (t < bounds[cur] || t >= bounds[cur + 1])) return fail(pc, `jump out of range from insn ${pc} to ${t}`, 'cfg.jump-range');
    if (pc === bounds[cur + 1] - 1) {
      if (!insn || !isExitOrJa(insn)) return fail(pc, 'last insn is not an exit or jmp', 'cfg.last-insn');
      cur++;
    }
  }

  // check_cfg: depth-first walk over slots; every slot must be reached.
  const EXPLORED = 2;
  const state = new Uint8Array(p.slotCount);
  const successors = (pc: number): Array<[number, 'fall' | 'branch']> => {
    const idx = p.insnAt[pc];
    if (idx < 0) return [[pc + 1, 'fall']];
    const insn = p.insns[idx];
    const next = pc + insnSlots(insn);
    switch (insn.form.kind) {
      case 'exit':
        return [];
      case 'ja': {
        const t = branchTarget(insn, pc)!;
        prune.add(t);
        jmp.add(t);
        return [[t, 'fall']];
      }
      case 'jcond':
      case 'may_goto':
        prune.add(pc);
        // A may_goto always records a checkpoint (mark_force_checkpoint): loops through it converge there.
        if (insn.form.kind === 'may_goto') force.add(pc);
        return [[next, 'fall'], [branchTarget(insn, pc)!, 'branch']];
      case 'lddw':
        if (insn.form.id === 'lddw_func') {
          // A callback's address: the callback body is reached from here (visit_insn, bpf_pseudo_func).
          prune.add(next);
          jmp.add(next);
          return [[next, 'fall'], [pc + insn.imm + 1, 'branch']];
        }
        return [[next, 'fall']];
      case 'call':
      case 'callx':
        prune.add(next);
        jmp.add(next);
        // Helpers that call back into the program (bpf_loop, for_each_map_elem, find_vma, timer_set_callback,
        // user_ringbuf_drain) are forced checkpoints (mark_force_checkpoint + mark_prune_point).
        if (insn.form.id === 'call' && CALLBACK_HELPERS.has(insn.imm)) {
          prune.add(pc);
          force.add(pc);
        }
        if (insn.form.id === 'call_local') {
          prune.add(pc);
          return [[next, 'fall'], [pc + insn.imm + 1, 'branch']];
        }
        return [[next, 'fall']];
      default:
        return [[next, 'fall']];
    }
  };
  // The walk starts at insn 0 only: subprograms are reached through their calls.
  for (const sp of subprogs.slice(0, 1)) {
    if (state[sp.start]) continue;
    const stack: Array<{ pc: number; succ: Array<[number, 'fall' | 'branch']>; i: number }> = [];
    state[sp.start] = 1;
    stack.push({ pc: sp.start, succ: successors(sp.start), i: 0 });
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i >= top.succ.length) {
        state[top.pc] = EXPLORED;
        stack.pop();
        continue;
      }
      const [w, kind] = top.succ[top.i++];
      if (w < 0 || w >= p.slotCount) return fail(top.pc, `jump out of range from insn ${top.pc} to ${w}`, 'cfg.jump-range');
      if (kind === 'branch') {
        prune.add(w);
        jmp.add(w);
      }
      // Bounded loops: a privileged program may jump back; the analyzer proves termination.
      if (state[w]) continue;
      state[w] = 1;
      stack.push({ pc: w, succ: successors(w), i: 0 });
    }
  }
  for (let pc = 0; pc < p.slotCount; pc++) {
    if (state[pc] !== EXPLORED) return fail(pc, `unreachable insn ${pc}`, 'cfg.unreachable');
    const idx = p.insnAt[pc];
    if (idx >= 0 && insnSlots(p.insns[idx]) === 2) {
      if (state[pc + 1]) return fail(pc, `jump into the middle of ldimm64 insn ${pc}`, 'cfg.lddw-middle');
      pc++;
    }
  }
  return { subprogs, prunePoints: prune, jmpPoints: jmp, forcePoints: force };
}
