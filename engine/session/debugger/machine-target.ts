// Adapts engine/interp's Machine to the debugger's DebugTarget: one recorded step at a time, exact undo, frames innermost first.
import type { Insn } from '../../isa';
import { joinAddress } from '../../kernel';
import type { Machine, Program, StepRecord } from '../../interp';
import type { DebugTarget, FrameInfo, StepChange, TargetStatus } from './target';

interface Token {
  readonly rec: StepRecord;
  /** Subprogram entry pcs per frame before the step, when the step changed them. */
  readonly entries?: readonly number[];
}

export class MachineTarget implements DebugTarget {
  /** Entry pc of each frame's subprogram, outermost first (the Machine's frames do not keep it). */
  private entries: number[] = [0];
  private last: StepRecord | undefined;

  constructor(readonly machine: Machine) {
    machine.onStep((rec) => {
      this.last = rec;
    });
  }

  pc(): number {
    return this.machine.pc;
  }

  status(): TargetStatus {
    const m = this.machine;
    if (m.fault) return { state: 'fault', message: m.fault.message, code: m.fault.code };
    if (m.exited) return { state: 'exited', r0: m.reg(0) };
    return { state: 'ready' };
  }

  reg(n: number): bigint {
    return this.machine.reg(n);
  }

  setReg(n: number, value: bigint): void {
    this.machine.setReg(n, BigInt.asUintN(64, value));
  }

  read(addr: bigint, size: number): Uint8Array | { readonly fault: string } {
    const b = this.machine.readMemory(BigInt.asUintN(64, addr), size);
    if (b) return b;
    // The address space knows why; ask it for the message.
    const r = this.machine.kernel.space.resolve(Number(BigInt.asUintN(64, addr) >> 32n) | 0, Number(addr & 0xffffffffn), size, false);
    return { fault: 'code' in r ? r.message.replace(/^.*?: /, '') : 'unreadable' };
  }

  write(addr: bigint, bytes: Uint8Array): string | undefined {
    return this.machine.writeMemory(BigInt.asUintN(64, addr), bytes);
  }

  describeAddress(addr: bigint): string | undefined {
    const a = BigInt.asUintN(64, addr);
    const hi = Number(a >> 32n) | 0;
    const lo = Number(a & 0xffffffffn);
    const r = this.machine.kernel.space.find(hi, lo);
    if (r) return `${r.name} +${lo - r.lo}`;
    // One past the end is what r10 and packet data_end hold.
    const before = lo > 0 ? this.machine.kernel.space.find(hi, lo - 1) : undefined;
    return before ? `${before.name} +${lo - before.lo} (end)` : undefined;
  }

  frames(): readonly FrameInfo[] {
    const m = this.machine;
    const out: FrameInfo[] = [];
    for (let i = m.frames.length - 1; i >= 0; i--) {
      const f = m.frames[i];
      const inner = m.frames[i + 1];
      out.push({
        // A caller sits at its call instruction: one slot before where its callee returns to.
        pc: inner ? inner.retPc - 1 : m.pc,
        ...(i > 0 ? { returnPc: f.retPc } : {}),
        fp: joinAddress(f.stack.hi, f.stack.lo) + BigInt(f.stack.size),
        stackSize: f.stack.size,
        entry: f.loop ? f.loop.entry : (this.entries[i] ?? 0),
      });
    }
    return out;
  }

  insnAt(pc: number): Insn | undefined {
    return insnAtSlot(this.machine.prog, pc);
  }

  step(): StepChange | undefined {
    const m = this.machine;
    if (m.exited || m.fault) return undefined;
    const depthBefore = m.frames.length;
    const progBefore = m.prog;
    this.last = undefined;
    m.step();
    const rec = this.last as StepRecord | undefined;
    if (!rec) return undefined;
    const depthAfter = m.frames.length;
    let entries: number[] | undefined;
    if (depthAfter !== depthBefore || m.prog !== progBefore) {
      entries = this.entries.slice();
      if (depthAfter > depthBefore) this.entries.push(m.pc);
      else if (depthAfter < depthBefore) this.entries.length = depthAfter;
      // A tail call replaces the program of the current frame: it starts at its pc 0.
      else this.entries[depthAfter - 1] = 0;
    }
    const regs = [];
    for (let n = 0; n <= 10; n++) if (rec.regsBefore[n] !== rec.regsAfter[n]) regs.push({ reg: n, before: rec.regsBefore[n], after: rec.regsAfter[n] });
    const token: Token = { rec, ...(entries ? { entries } : {}) };
    return {
      pc: rec.pc, regs, depthBefore, depthAfter, token,
      mem: rec.mem.filter((x) => !sameBytes(x.before, x.after)).map((x) => ({ addr: x.address, before: x.before, after: x.after })),
    };
  }

  undo(change: StepChange): void {
    const t = change.token as Token;
    t.rec.undo();
    if (t.entries) this.entries = t.entries.slice();
  }

  output(): readonly string[] {
    const c = this.machine.kernel.console;
    if (!c) return [];
    const lines = c.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}

/** The instruction at a slot of a predecoded program (undefined for lddw second halves and past the end). */
export function insnAtSlot(prog: Program, pc: number): Insn | undefined {
  if (!Number.isInteger(pc) || pc < 0 || pc >= prog.n) return undefined;
  const i = prog.slotInsn[pc];
  return i >= 0 ? prog.insns[i] : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
