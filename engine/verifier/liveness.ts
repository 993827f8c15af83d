// Register liveness before every instruction and loop (SCC) numbering: the kernel's compute_live_registers and
// compute_scc, which 6.18 prints at log level 2 ("Live regs before insn:") and uses to clean stored states.
import { insnSlots, type Insn } from '../isa';
import type { Program } from './cfg';

const ALL_CALLER_SAVED = 0b111111; // r0-r5
const bit = (r: number): number => 1 << r;

/** compute_insn_live_regs: registers an instruction reads (use) and writes (def). */
/** `helperParams(id)`: the parameter count of a helper the program type may call, else undefined. */
export function useDef(insn: Insn, helperParams: (id: number) => number | undefined): { use: number; def: number } {
  const f = insn.form;
  const src = bit(insn.src);
  const dst = bit(insn.dst);
  switch (f.kind) {
    case 'lddw': return { use: 0, def: dst };
    case 'ld_abs': case 'ld_ind': return { use: 0xffff, def: 0 };
    case 'ldx': case 'ldsx': return { use: src, def: dst };
    case 'st': return { use: dst, def: 0 };
    case 'stx': return { use: dst | src, def: 0 };
    case 'atomic':
      if (f.atomicOp === 'cmpxchg') return { use: 1 | dst | src, def: 1 };
      return { use: dst | src, def: f.fetch ? src : 0 };
    case 'end': case 'bswap': return { use: dst, def: dst };
    case 'mov': case 'movsx': case 'addr_space_cast': return { use: f.source === 'imm' ? 0 : src, def: dst };
    case 'alu': case 'neg': return { use: f.source === 'reg' ? dst | src : dst, def: dst };
    case 'ja': case 'may_goto': return { use: 0, def: 0 };
    case 'exit': return { use: 1, def: 0 };
    case 'call': case 'callx': {
      const def = ALL_CALLER_SAVED;
      const params = f.id === 'call' ? helperParams(insn.imm) : undefined;
      // get_call_summary: a helper the program may call reads exactly its parameters.
      if (params !== undefined) return { use: ((1 << (params + 1)) - 1) & ~1, def };
      return { use: def & ~1, def };
    }
    case 'jcond': return { use: f.source === 'reg' ? dst | src : dst, def: 0 };
    default: return { use: 0xffff, def: 0 };
  }
}

/** insn_successors by slot. */
export function successors(p: Program, pc: number): number[] {
  const idx = p.insnAt[pc];
  if (idx < 0) return [pc + 1];
  const insn = p.insns[idx];
  const next = pc + insnSlots(insn);
  switch (insn.form.kind) {
    case 'exit': return [];
    case 'ja': return [pc + 1 + (insn.form.id === 'gotol' ? insn.imm : insn.off)];
    case 'jcond': case 'may_goto': {
      const t = pc + 1 + insn.off;
      return t === next ? [next] : [next, t];
    }
    default: return [next];
  }
}

export interface Liveness {
  /** Bit r set: register r is live before the instruction at this slot (r0-r9). */
  readonly liveBefore: readonly number[];
  /** SCC id of each slot (0 outside loops). */
  readonly scc: readonly number[];
}

export function computeLiveness(p: Program, helperParams: (id: number) => number | undefined): Liveness {
  const n = p.slotCount;
  const use = new Array<number>(n).fill(0);
  const def = new Array<number>(n).fill(0);
  for (let pc = 0; pc < n; pc++) {
    const idx = p.insnAt[pc];
    if (idx < 0) continue;
    const ud = useDef(p.insns[idx], helperParams);
    use[pc] = ud.use;
    def[pc] = ud.def;
  }
  const liveIn = new Array<number>(n).fill(0);
  const liveOut = new Array<number>(n).fill(0);
  for (let changed = true; changed;) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      if (p.insnAt[pc] < 0) continue;
      let out = 0;
      for (const s of successors(p, pc)) if (s < n) out |= liveIn[s];
      const inn = ((out & ~def[pc]) | use[pc]) & 0xffff;
      if (out !== liveOut[pc] || inn !== liveIn[pc]) {
        liveIn[pc] = inn;
        liveOut[pc] = out;
        changed = true;
      }
    }
  }
  return { liveBefore: liveIn, scc: computeScc(p) };
}

/** compute_scc: Tarjan's algorithm over slots; only loops (more than one insn, or a self-loop) get an id. */
function computeScc(p: Program): number[] {
  const n = p.slotCount;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const scc = new Array<number>(n).fill(0);
  const stack: number[] = [];
  let counter = 0;
  let nextScc = 1;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0 || p.insnAt[root] < 0) continue;
    const work: Array<{ v: number; succ: number[]; i: number }> = [];
    const visit = (v: number): void => {
      index[v] = low[v] = counter++;
      stack.push(v);
      onStack[v] = true;
      work.push({ v, succ: successors(p, v).filter((s) => s < n), i: 0 });
    };
    visit(root);
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++];
        if (index[w] < 0) visit(w);
        else if (onStack[w]) low[top.v] = Math.min(low[top.v], index[w]);
        continue;
      }
      work.pop();
      if (work.length) low[work[work.length - 1].v] = Math.min(low[work[work.length - 1].v], low[top.v]);
      if (low[top.v] === index[top.v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          members.push(w);
        } while (w !== top.v);
        const selfLoop = members.length === 1 && successors(p, top.v).includes(top.v);
        if (members.length > 1 || selfLoop) {
          for (const m of members) scc[m] = nextScc;
          nextScc++;
        }
      }
    }
  }
  return scc;
}

/** The level-2 "Live regs before insn:" section. */
export function printLiveRegs(p: Program, l: Liveness, printInsn: (insn: Insn) => string): string {
  let s = 'Live regs before insn:\n';
  for (let pc = 0; pc < p.slotCount; pc++) {
    const idx = p.insnAt[pc];
    if (idx < 0) continue;
    s += l.scc[pc] ? `${String(l.scc[pc]).padStart(3)} ` : '    ';
    s += `${String(pc).padStart(3)}: `;
    for (let r = 0; r < 10; r++) s += l.liveBefore[pc] & bit(r) ? String(r) : '.';
    s += ` ${printInsn(p.insns[idx])}\n`;
  }
  return s;
}
