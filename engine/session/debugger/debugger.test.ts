// Tests of the debugger core over the real interpreter: stepping into/over/out of bpf-to-bpf calls, breakpoints, watchpoints, and exact step-back.
import { describe, expect, it } from 'vitest';
import { parse, slotPcs } from '../../asm';
import type { LineTable } from './breakpoints';
import { Debugger, type SlotOrigin } from './debugger';
import { describeOrigin, framesView, registersView } from './views';
import { parseExpr, type Expr } from './expr';
import { launchTarget } from './launch';
import type { MachineTarget } from './machine-target';

/** Assembles llvm-syntax text and opens a debugger on it, with the text's lines as the line table. */
function open(src: string, opts: { historyLimit?: number; mem?: Uint8Array } = {}): { dbg: Debugger; target: MachineTarget } {
  const p = parse(src, { file: 'prog.s' });
  expect(p.diagnostics).toEqual([]);
  const text = src.split('\n');
  const pcs = slotPcs(p.insns);
  const lines: LineTable = new Map(p.insns.map((_, i) => [pcs[i], { file: 'prog.s', line: p.lineOfInsn[i], text: text[p.lineOfInsn[i] - 1] }]));
  const { target } = launchTarget({ insns: p.insns, ...(opts.mem ? { mem: opts.mem } : {}) });
  if (!target) throw new Error('launch failed');
  return { dbg: new Debugger(target, { lines, ...(opts.historyLimit !== undefined ? { historyLimit: opts.historyLimit } : {}) }), target };
}

// pc: 0..6 main, 7..9 the subprogram `add`.
const CALLS = `r1 = 5
*(u64 *)(r10 - 8) = r1
r2 = 3
call add
r0 += 1
*(u32 *)(r10 - 16) = r0
exit
add:
r0 = r1
r0 += r2
exit
`;

// A loop over r1 = 0..9 summing into r2, spilled to fp-8 each time.
const LOOP = `r1 = 0
r2 = 0
loop:
r2 += r1
r1 += 1
*(u64 *)(r10 - 8) = r2
if r1 < 10 goto loop
r0 = r2
exit
`;

/** Every bit of machine state: registers, pc, frames, status, every region's bytes, console. */
function snapshot(t: MachineTarget): string {
  const m = t.machine;
  const regions = m.kernel.space.regions().map((r) => `${r.name}:${Buffer.from(r.bytes).toString('hex')}`);
  return JSON.stringify({
    pc: m.pc, regs: m.regs().map(String), depth: m.frames.length, exited: m.exited, fault: m.fault?.message ?? null,
    frames: t.frames().map((f) => ({ ...f, fp: String(f.fp) })), console: m.kernel.console, regions,
  });
}

describe('stepping over bpf-to-bpf calls', () => {
  it('stepi enters the subprogram; frames show the call site and return pc', () => {
    const { dbg } = open(CALLS);
    const pcs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = dbg.stepInstruction();
      expect(s.reason).toBe('step');
      pcs.push(dbg.target.pc());
    }
    expect(pcs).toEqual([1, 2, 3, 7, 8]);
    const frames = dbg.frames();
    expect(frames.map((f) => [f.pc, f.returnPc, f.entry])).toEqual([[8, 4, 7], [3, undefined, 0]]);
    expect(frames[0].fp).not.toBe(frames[1].fp);
  });

  it('nexti runs a call_local to its return; a helper call is one step', () => {
    const { dbg } = open(CALLS);
    for (let i = 0; i < 3; i++) dbg.nextInstruction();
    expect(dbg.target.pc()).toBe(3);
    const s = dbg.nextInstruction();
    expect(s).toMatchObject({ reason: 'step', steps: 4 });
    expect(dbg.target.pc()).toBe(4);
    expect(dbg.target.reg(0)).toBe(8n);
    expect(dbg.frames().length).toBe(1);
  });

  it('next (line) steps over the call, step (line) goes into it', () => {
    const { dbg } = open(CALLS);
    for (let i = 0; i < 3; i++) dbg.nextLine();
    expect(dbg.lineOf(dbg.target.pc())?.line).toBe(4);
    dbg.stepLine();
    expect(dbg.target.pc()).toBe(7);
    expect(dbg.lineOf(7)?.line).toBe(9);
  });

  it('reverse-step after the exit goes back to the exit instruction, not to the line before', () => {
    const { dbg } = open(CALLS);
    expect(dbg.continue().reason).toBe('exited');
    expect(dbg.reverseStepLine()).toMatchObject({ reason: 'step', steps: 1, pc: 6 });
    expect(dbg.target.status()).toEqual({ state: 'ready' });
    expect(dbg.reverseNextLine()).toMatchObject({ reason: 'step', pc: 5 });
  });

  it('finish runs until the current frame returns; refuses in the outermost frame', () => {
    const { dbg } = open(CALLS);
    expect(dbg.finish()).toMatchObject({ reason: 'not-running', message: '"finish" not meaningful in the outermost frame.' });
    for (let i = 0; i < 5; i++) dbg.stepInstruction();
    expect(dbg.target.pc()).toBe(8);
    const s = dbg.finish();
    expect(s).toMatchObject({ reason: 'step', steps: 2 });
    expect(dbg.target.pc()).toBe(4);
    expect(dbg.target.reg(0)).toBe(8n);
  });

  it('continue runs to exit; afterwards commands say the program is not running', () => {
    const { dbg } = open(CALLS);
    const s = dbg.continue();
    expect(s.reason).toBe('exited');
    expect(s.status).toEqual({ state: 'exited', r0: 9n });
    expect(s.message).toBe('program exited with r0 = 9 (0x9)');
    expect(dbg.stepInstruction().reason).toBe('not-running');
  });

  it('stops at a breakpoint inside a subprogram while stepping over the call', () => {
    const { dbg } = open(CALLS);
    dbg.points.addBreakpoint(8, '*8');
    for (let i = 0; i < 3; i++) dbg.nextInstruction();
    const s = dbg.nextInstruction();
    expect(s.reason).toBe('breakpoint');
    expect(dbg.target.pc()).toBe(8);
    expect(dbg.frames().length).toBe(2);
  });

  it('reverse-finish goes back to the call instruction', () => {
    const { dbg } = open(CALLS);
    for (let i = 0; i < 5; i++) dbg.stepInstruction();
    const s = dbg.reverseFinish();
    expect(s.reason).toBe('step');
    expect(dbg.target.pc()).toBe(3);
    expect(dbg.frames().length).toBe(1);
  });
});

describe('faults and views', () => {
  it('stops at a fault with the interpreter message; stepping back makes the program runnable again', () => {
    const { dbg, target } = open('r1 = 0x1000\nr0 = *(u64 *)(r1 + 0)\nexit\n');
    dbg.stepInstruction();
    const before = snapshot(target);
    const s = dbg.continue();
    expect(s.reason).toBe('fault');
    expect(s.pc).toBe(1);
    expect(s.message).toMatch(/^program faulted at pc 1: .*0x0*1000/);
    expect(dbg.stepInstruction().reason).toBe('not-running');
    expect(dbg.reverseStepInstruction().reason).toBe('step');
    expect(dbg.target.status()).toEqual({ state: 'ready' });
    expect(snapshot(target)).toBe(before);
    expect(dbg.assign('r1 = r10 - 8').ok).toBe(true);
    expect(dbg.continue()).toMatchObject({ reason: 'exited', status: { r0: 0n } });
  });

  it('shows each frame with its stack slots, what was stored there, and the call chain', () => {
    const src = `r1 = 7
*(u64 *)(r10 - 8) = r1
*(u32 *)(r10 - 16) = 9
call f
exit
f:
*(u64 *)(r10 - 24) = r1
exit
`;
    const { dbg } = open(src);
    for (let i = 0; i < 5; i++) dbg.stepInstruction();
    const frames = framesView(dbg, { functions: new Map([[0, 'main'], [5, 'f']]) });
    expect(frames.map((f) => [f.index, f.pc, f.function, f.returnPc, f.source?.line])).toEqual([[0, 6, 'f', 4, 8], [1, 3, 'main', undefined, 4]]);
    const used = (i: number) => frames[i].slots.filter((x) => x.origin.kind !== 'uninit').map((x) => [x.name, x.value, x.origin]);
    expect(used(0)).toEqual([['fp-24', 7n, { kind: 'spill', reg: 1, pc: 5 }]]);
    expect(used(1)).toEqual([['fp-8', 7n, { kind: 'spill', reg: 1, pc: 1 }], ['fp-16', 9n, { kind: 'store', pc: 2, size: 4 }]]);
    expect(frames[0].slots.length).toBe(64);
    expect(frames[1].fp - frames[0].fp).not.toBe(0n);
    const regs = registersView(dbg);
    expect(regs[10].pointsTo).toBe('stack frame 1 +512 (end)');
    expect(regs[1]).toEqual({ name: 'r1', value: 7n });
    expect(describeOrigin(used(1)[1][2] as SlotOrigin)).toBe('4-byte immediate store at pc 2');
  });
});

describe('breakpoints with conditions and counts', () => {
  it('a conditional breakpoint in a loop stops only when the condition holds, counting hits', () => {
    const { dbg } = open(LOOP);
    const r = dbg.resolveLine('prog.s', 5);
    expect(r.ok && r.value.pc).toBe(3);
    const bp = dbg.points.addBreakpoint(3, 'prog.s:5');
    const c = dbg.assign('r9 = 0'); // an unrelated edit before starting does not matter
    expect(c.ok).toBe(true);
    bp.condition = { text: 'r2 > 20', expr: parseCond('r2 > 20') };
    const s = dbg.continue();
    expect(s.reason).toBe('breakpoint');
    expect(dbg.target.reg(2)).toBe(21n); // 0+1+...+6
    expect(bp.hits).toBe(1);
    bp.ignore = 1;
    expect(dbg.continue().reason).toBe('breakpoint');
    expect(dbg.target.reg(2)).toBe(36n); // skipped 28
    expect(bp.hits).toBe(3);
  });

  it('a condition that faults is reported and treated as false', () => {
    const { dbg } = open(LOOP);
    dbg.points.addBreakpoint(3, '*3', { condition: { text: '*(u8 *)r2 == 1', expr: parseCond('*(u8 *)r2 == 1') } });
    const s = dbg.continue();
    expect(s.reason).toBe('exited');
    expect(s.conditionFaults.length).toBe(10);
    expect(s.conditionFaults[0].fault).toMatch(/cannot read 1 byte at 0x0/);
  });

  it('a temporary breakpoint stops once', () => {
    const { dbg } = open(LOOP);
    dbg.points.addBreakpoint(2, '*2', { temporary: true });
    expect(dbg.continue().reason).toBe('breakpoint');
    expect(dbg.continue().reason).toBe('exited');
  });
});

describe('watchpoints', () => {
  it('stops after the step that changes the watched stack slot, going forward and back', () => {
    const { dbg } = open(LOOP);
    const fp = dbg.target.reg(10);
    const w = dbg.points.addWatchpoint('*(u64 *)(r10 - 8)', { kind: 'memory', addr: fp - 8n, size: 8, type: 'u64' }, dbg.state);
    // r2 is 0 after the first iteration: the slot's bytes do not change, so no stop.
    let s = dbg.continue();
    expect(s.reason).toBe('watchpoint');
    expect(dbg.target.pc()).toBe(5);
    expect(s.watch?.[0].watch.id).toBe(w.id);
    expect([...s.watch![0].new!]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.message).toContain('Old value = 0x0\nNew value = 0x1');
    s = dbg.continue();
    expect([...s.watch![0].new!]).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    // Backwards, the slot changes from 3 back to 1 when the store at pc 4 is undone.
    s = dbg.reverseContinue();
    expect(s.reason).toBe('watchpoint');
    expect(dbg.target.pc()).toBe(4);
    expect([...s.watch![0].new!]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(dbg.slotOrigin(fp - 8n)).toEqual({ kind: 'spill', reg: 2, pc: 4 });
  });
});

describe('step back', () => {
  it('restores the exact state of every point when stepping back over a whole run, calls and printk included', () => {
    const src = `r1 = 5
*(u64 *)(r10 - 8) = r1
*(u32 *)(r10 - 16) = 0x0a6968
r1 = r10
r1 += -16
r2 = 4
call 6
r1 = 7
r2 = 3
call add
*(u32 *)(r10 - 32) = r0
r0 = *(u64 *)(r10 - 8)
exit
add:
*(u64 *)(r10 - 24) = r1
r0 = r1
r0 *= r2
exit
`;
    const { dbg, target } = open(src);
    const states = [snapshot(target)];
    for (;;) {
      const s = dbg.stepInstruction();
      if (s.reason === 'exited') {
        states.push(snapshot(target));
        break;
      }
      expect(s.reason).toBe('step');
      states.push(snapshot(target));
    }
    expect(target.machine.kernel.console).toBe('hi\n');
    expect(target.machine.reg(0)).toBe(5n);
    const n = states.length - 1;
    expect(dbg.stepCount).toBe(n);
    for (let i = n - 1; i >= 0; i--) {
      const s = dbg.reverseStepInstruction();
      expect(s.reason, `step back to ${i}`).toBe('step');
      expect(snapshot(target), `state after stepping back to step ${i}`).toBe(states[i]);
    }
    expect(dbg.reverseStepInstruction()).toMatchObject({ reason: 'history-start', message: expect.stringMatching(/No more reverse-execution history/) });
    // Forward again: the same states.
    for (let i = 1; i <= n; i++) {
      dbg.stepInstruction();
      expect(snapshot(target), `replay step ${i}`).toBe(states[i]);
    }
  });

  it('undoes edits made while paused together with the step before them', () => {
    const { dbg, target } = open(LOOP);
    dbg.stepInstruction();
    dbg.stepInstruction();
    const before = snapshot(target);
    dbg.stepInstruction();
    expect(dbg.assign('r1 = 7')).toMatchObject({ ok: true });
    expect(dbg.assign('*(u32 *)(r10 - 8) = 0x1234')).toMatchObject({ ok: true });
    expect(dbg.slotOrigin(dbg.target.reg(10) - 8n)).toEqual({ kind: 'edit' });
    const s = dbg.reverseStepInstruction();
    expect(s.message).toBe('(undid edits: *(u32 *)0xffffc90000100000 = 0x1234; r1 = 0x7)'.replace('0xffffc90000100000', `0x${(dbg.target.reg(10) - 8n).toString(16)}`));
    expect(snapshot(target)).toBe(before);
    expect(dbg.slotOrigin(dbg.target.reg(10) - 8n)).toEqual({ kind: 'uninit' });
  });

  it('keeps a bounded history and says when it is exhausted', () => {
    const { dbg } = open(LOOP, { historyLimit: 5 });
    for (let i = 0; i < 12; i++) dbg.stepInstruction();
    let s = dbg.reverseContinue();
    expect(s.reason).toBe('history-exhausted');
    expect(s.steps).toBe(5);
    expect(s.message).toMatch(/older history was dropped \(the limit is 5 steps, 7 dropped/);
    s = dbg.reverseStepInstruction();
    expect(s.reason).toBe('history-exhausted');
    expect(s.steps).toBe(0);
  });

  it('keeps the newest steps when the limit shrinks, and wraps the ring correctly after reverse steps', () => {
    const { dbg, target } = open(LOOP, { historyLimit: 4 });
    const states: string[] = [snapshot(target)];
    for (let i = 0; i < 11; i++) {
      dbg.stepInstruction();
      states.push(snapshot(target));
    }
    dbg.reverseStepInstruction();
    dbg.reverseStepInstruction();
    expect(snapshot(target)).toBe(states[9]);
    dbg.stepInstruction(); // refills the ring across its wrap point
    dbg.stepInstruction();
    expect(snapshot(target)).toBe(states[11]);
    expect(dbg.historySteps()).toBe(4);
    for (let i = 1; i <= 4; i++) {
      dbg.reverseStepInstruction();
      expect(snapshot(target), `back to ${11 - i}`).toBe(states[11 - i]);
    }
    expect(dbg.reverseStepInstruction().reason).toBe('history-exhausted');
    dbg.historyLimit = 100;
    for (let i = 0; i < 6; i++) dbg.stepInstruction();
    dbg.historyLimit = 3;
    expect(dbg.historySteps()).toBe(3);
    expect(dbg.reverseContinue()).toMatchObject({ reason: 'history-exhausted', steps: 3 });
  });

  it('without history runs on the fast path: same stops, no reverse execution', () => {
    const { dbg } = open(LOOP, { historyLimit: 0 });
    const bp = dbg.points.addBreakpoint(3, '*3', { condition: { text: 'r2 > 20', expr: parseCond('r2 > 20') } });
    let s = dbg.continue();
    // pc 0, 1, six whole iterations of pcs 2-5, then pc 2 of the seventh (r2 = 0+1+...+6 = 21).
    expect(s).toMatchObject({ reason: 'breakpoint', steps: 2 + 6 * 4 + 1 });
    expect(dbg.target.reg(2)).toBe(21n);
    expect(bp.hits).toBe(1);
    expect(dbg.stepCount).toBe(s.steps);
    s = dbg.reverseStepInstruction();
    expect(s).toMatchObject({ reason: 'history-exhausted', message: expect.stringMatching(/Reverse execution is off/) });
    dbg.points.delete(bp.id);
    expect(dbg.runTo(6)).toMatchObject({ reason: 'step', pc: 6 });
    expect(dbg.continue()).toMatchObject({ reason: 'exited', status: { state: 'exited', r0: 45n } });
    const calls = open(CALLS, { historyLimit: 0 }).dbg;
    for (let i = 0; i < 3; i++) calls.nextInstruction();
    expect(calls.nextInstruction()).toMatchObject({ reason: 'step', steps: 4 });
    expect(calls.target.reg(0)).toBe(8n);
    const again = open(CALLS, { historyLimit: 0 }).dbg;
    expect(again.runTo(7)).toMatchObject({ reason: 'step', steps: 4, pc: 7 });
    expect(again.finish()).toMatchObject({ reason: 'step', steps: 3, pc: 4 });
  });

  it('stops a long run with cancelled when shouldCancel says so, on both paths', () => {
    const long = LOOP.replace('r1 < 10', 'r1 < 3000000');
    for (const historyLimit of [0, 100]) {
      const p = parse(long);
      const { target } = launchTarget({ insns: p.insns });
      let polls = 0;
      const dbg = new Debugger(target!, { historyLimit, shouldCancel: () => ++polls >= 2 });
      const s = dbg.continue();
      expect(s.reason, `history ${historyLimit}`).toBe('cancelled');
      // The second poll says yes: after two 1M-instruction chunks unrecorded, two 4096-step blocks recorded.
      expect(s.steps).toBe(historyLimit === 0 ? 2 * (1 << 20) : 2 * 4096);
      expect(dbg.target.status()).toEqual({ state: 'ready' });
    }
  });

  it('refuses to assign to r10 and reports unwritable memory', () => {
    const { dbg } = open(LOOP);
    expect(dbg.assign('r10 = 1')).toMatchObject({ ok: false, message: 'r10 is the read-only frame pointer' });
    expect(dbg.assign('*(u64 *)(r1 + 8) = 1')).toMatchObject({ ok: false, message: expect.stringMatching(/cannot write 8 bytes at 0x8/) });
  });
});

function parseCond(text: string): Expr {
  const p = parseExpr(text);
  if (!p.ok) throw new Error(p.diagnostic.message);
  return p.expr;
}
