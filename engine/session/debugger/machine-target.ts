// Adapts engine/interp's Machine to the debugger's DebugTarget: one recorded step at a time, exact undo, frames innermost first.
import type { Insn } from '../../isa';
import { joinAddress, ProgArrayMap } from '../../kernel';
import { MAX_TAIL_CALL_CNT, UndoRecord, type Machine, type Program, type StepRecord } from '../../interp';
import type { ProgramCatalog } from './programs';
import type { DebugTarget, FrameInfo, MapInfo, MemChange, RegChange, StepChange, StopPoint, TailCallNote, TailSlot, TargetStatus } from './target';

// Module-local bindings: transpiled imports are getters, called on every use (this file runs once per recorded step).
const Undo = UndoRecord;
/** The debugger asks for the status after every recorded step; a ready status needs no new object. */
const READY: TargetStatus = Object.freeze({ state: 'ready' });
const joinAddr = joinAddress;

/** How a native run ended. */
export type NativeStop = 'stop-pc' | 'exit' | 'fault' | 'budget' | 'cancelled' | 'predicate';

export class MachineTarget implements DebugTarget {
  /** Slot -> instruction index of programs not loaded into the machine (their listings are still asked for). */
  private readonly slotMaps = new Map<string, Int32Array>();

  /** @param catalog the other programs of the object, for tail calls; without it the target knows one program. */
  constructor(readonly machine: Machine, readonly catalog?: ProgramCatalog) {}

  pc(): number {
    return this.machine.pc;
  }

  program(): string {
    return this.machine.prog.name;
  }

  programs(): readonly string[] {
    return this.catalog ? this.catalog.names() : [this.machine.frames[0].prog.name];
  }

  insnIn(program: string, pc: number): Insn | undefined {
    if (program === this.machine.prog.name) return this.insnAt(pc);
    const loaded = this.catalog?.loadedProgram(program);
    if (loaded) return insnAtSlot(loaded, pc);
    const insns = this.catalog?.insnsOf(program);
    if (!insns || !Number.isInteger(pc) || pc < 0) return undefined;
    let slots = this.slotMaps.get(program);
    if (!slots) {
      const n = insns.reduce((k, i) => k + (i.form.kind === 'lddw' ? 2 : 1), 0);
      slots = new Int32Array(n).fill(-1);
      let at = 0;
      insns.forEach((insn, i) => {
        slots![at] = i;
        at += insn.form.kind === 'lddw' ? 2 : 1;
      });
      this.slotMaps.set(program, slots);
    }
    return pc < slots.length && slots[pc] >= 0 ? insns[slots[pc]] : undefined;
  }

  status(): TargetStatus {
    const m = this.machine;
    if (m.fault) return { state: 'fault', message: m.fault.message, code: m.fault.code };
    if (m.exited) return { state: 'exited', r0: m.reg(0) };
    return READY;
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

  depth(): number {
    return this.machine.frames.length;
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
        // A subprogram frame that made a tail call runs another program from its entry.
        entry: f.loop ? f.loop.entry : i > 0 && f.prog === m.frames[i - 1].prog ? entryOf(m.frames[i - 1].prog, f.retPc) : 0,
        program: f.prog.name,
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
    const program = m.prog.name;
    const r = m.stepRecorded();
    if (!r) return undefined;
    // The machine reuses its record for the next step: the change keeps its own compact copy as the undo token.
    return new MachineStep(m, new Undo().copyFrom(r), depthBefore, m.frames.length, program);
  }

  undo(change: StepChange): void {
    this.machine.undoStep(change.token as UndoRecord);
  }

  /**
   * Runs at full interpreter speed without recording: until a pc in `stopAt` is about to run,
   * exit, fault, `budget` instructions, cancel, or `until` (which makes the run step by step).
   * The instruction at the current pc always runs first, so a run can leave a stop pc.
   */
  runNative(stopAt: readonly StopPoint[], budget: number, until?: () => boolean): { reason: NativeStop; steps: number } {
    const m = this.machine;
    const before = m.executed;
    // Stops are patched into the Program they belong to; one that is not loaded cannot run in this run.
    const patched: Array<readonly [number, Program]> = [];
    for (const s of stopAt) {
      const prog = s.program === undefined || s.program === m.prog.name ? m.prog : this.catalog?.loadedProgram(s.program);
      if (prog) patched.push([s.pc, prog]);
    }
    for (const [pc, prog] of patched) m.setBreakpoint(pc, prog);
    let r;
    try {
      r = m.run({ budget, ignoreBreakpointAtPc: true, ...(until ? { until: () => until() } : {}) });
    } finally {
      for (const [pc, prog] of patched) m.clearBreakpoint(pc, prog);
    }
    const reason: NativeStop = r === 'breakpoint' ? 'stop-pc' : r === 'exit' ? 'exit' : r === 'fault' ? 'fault' : r === 'cancelled' ? 'cancelled' : r === 'predicate' ? 'predicate' : 'budget';
    return { reason, steps: m.executed - before };
  }

  tailSlots(): readonly TailSlot[] {
    const out: TailSlot[] = [];
    for (const map of this.machine.kernel.allMaps()) {
      if (!(map instanceof ProgArrayMap)) continue;
      map.slots.forEach((p, index) => {
        if (p !== undefined) out.push({ map: map.name, index, program: (p as Program).name });
      });
    }
    return out;
  }

  setTailSlot(map: string, index: number, program: string | undefined): { ok: true; message: string; undo: () => void } | { ok: false; message: string } {
    const c = this.catalog;
    if (!c) return { ok: false, message: 'this run has no object programs to put in a prog_array' };
    const array = c.progArray(map);
    if (typeof array === 'string') return { ok: false, message: array };
    if (!Number.isInteger(index) || index < 0 || index >= array.def.maxEntries) return { ok: false, message: `${map}: index ${index} is out of range (max_entries ${array.def.maxEntries}): E2BIG` };
    const old = array.slots[index];
    const owner = array.ownerType;
    const undo = (): void => {
      array.slots[index] = old;
      array.ownerType = owner;
    };
    const was = old === undefined ? 'empty' : (old as Program).name;
    if (program === undefined) {
      array.slots[index] = undefined;
      return { ok: true, message: `${map}[${index}] emptied (was ${was})`, undo };
    }
    const r = c.fill({ map, index, program });
    if ('error' in r) return { ok: false, message: r.error };
    return { ok: true, message: `${map}[${index}] = ${r.program.name} (was ${was})`, undo };
  }

  tailCallCount(): { count: number; limit: number } {
    return { count: this.machine.tailCalls, limit: MAX_TAIL_CALL_CNT };
  }

  tailCallNote(pc: number, from: string): TailCallNote | undefined {
    const m = this.machine;
    const map = m.kernel.mapAt(m.reg(2));
    if (!(map instanceof ProgArrayMap)) return undefined;
    const index = Number(m.reg(3) & 0xffffffffn);
    const common = { pc, from, map: map.name, index, count: m.tailCalls, limit: MAX_TAIL_CALL_CNT };
    // A taken tail call starts the target at slot 0 of its frame; one that falls through continues at pc + 1 (never 0).
    if (m.pc === 0 && !m.exited && !m.fault) return { ...common, to: m.prog.name };
    const why = index >= map.def.maxEntries ? `index ${index} is out of range (max_entries ${map.def.maxEntries})`
      : m.tailCalls >= MAX_TAIL_CALL_CNT ? `the limit of ${MAX_TAIL_CALL_CNT} tail calls was reached`
        : map.program(index) === undefined ? `slot ${index} is empty`
          : 'the target type\'s convert_ctx returned NULL';
    return { ...common, fellThrough: why };
  }

  maps(): readonly MapInfo[] {
    const k = this.machine.kernel;
    return k.allMaps().map((m) => ({
      name: m.name, type: m.type, keySize: m.def.keySize, valueSize: m.def.valueSize, maxEntries: m.def.maxEntries,
      address: m.address, entries: m.entries(k.cpu),
    }));
  }

  output(): readonly string[] {
    const c = this.machine.kernel.console;
    if (!c) return [];
    const lines = c.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}

/** Entry pc of the subprogram a frame runs: the target of the call_local just before its return pc (0 when it was not a call_local). */
function entryOf(caller: Program, retPc: number): number {
  const call = insnAtSlot(caller, retPc - 1);
  return call?.form.id === 'call_local' ? retPc + call.imm : 0;
}

/** The instruction at a slot of a predecoded program (undefined for lddw second halves and past the end). */
export function insnAtSlot(prog: Program, pc: number): Insn | undefined {
  if (!Number.isInteger(pc) || pc < 0 || pc >= prog.n) return undefined;
  const i = prog.slotInsn[pc];
  return i >= 0 ? prog.insns[i] : undefined;
}

const NO_MEM: readonly MemChange[] = [];

/**
 * One step's change, built from its undo record. Registers are compared only when asked (the
 * debugger's loop does not need them); a store's bytes are reported when they changed.
 */
class MachineStep implements StepChange {
  readonly pc: number;
  readonly mem: readonly MemChange[];
  private readonly afterLo: number;
  private readonly afterHi: number;

  constructor(m: Machine, readonly token: UndoRecord, readonly depthBefore: number, readonly depthAfter: number, readonly program: string) {
    this.pc = token.pc;
    const h = token.heavy as StepRecord | undefined;
    if (h) {
      this.afterLo = this.afterHi = 0;
      this.mem = h.mem.filter((x) => !sameBytes(x.before, x.after)).map((x) => ({ addr: x.address, before: x.before, after: x.after }));
      return;
    }
    this.afterLo = token.reg >= 0 ? m.regWord(token.reg) : 0;
    this.afterHi = token.reg >= 0 ? m.regWord(token.reg + 1) : 0;
    this.mem = token.region ? storeChange(token) : NO_MEM;
  }

  get regs(): readonly RegChange[] {
    const t = this.token;
    const h = t.heavy as StepRecord | undefined;
    const out: RegChange[] = [];
    if (h) {
      for (let n = 0; n <= 10; n++) if (h.regsBefore[n] !== h.regsAfter[n]) out.push({ reg: n, before: h.regsBefore[n], after: h.regsAfter[n] });
    } else if (t.reg >= 0 && (t.lo !== this.afterLo || t.hi !== this.afterHi)) {
      out.push({ reg: t.reg >> 1, before: u64(t.lo, t.hi), after: u64(this.afterLo, this.afterHi) });
    }
    return out;
  }
}

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** A store's bytes before and after, or nothing when it wrote what was already there. */
function storeChange(t: UndoRecord): readonly MemChange[] {
  const region = t.region!;
  // Compare as words first: most steps need no byte arrays at all.
  const v = region.view;
  const o = t.off;
  const same = t.size === 8 ? v.getInt32(o, true) === t.mlo && v.getInt32(o + 4, true) === t.mhi
    : t.size === 4 ? v.getInt32(o, true) === t.mlo : t.size === 2 ? v.getUint16(o, true) === t.mlo : v.getUint8(o) === t.mlo;
  if (same) return NO_MEM;
  const after = region.bytes.slice(o, o + t.size);
  const before = new Uint8Array(t.size);
  for (let i = 0; i < t.size; i++) before[i] = (i < 4 ? t.mlo >>> (8 * i) : t.mhi >>> (8 * (i - 4))) & 0xff;
  return [{ addr: joinAddr(region.hi, region.lo) + BigInt(t.off), before, after }];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
