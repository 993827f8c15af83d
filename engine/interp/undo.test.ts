// Step-back exactness: random programs stepped forward with recording, then back to the start; every state must match the one seen going forward.
import { describe, expect, it } from 'vitest';
import { generateProgram } from '../../tests/kernel/gen/program-gen';
import { prepareRun, type Machine } from './index';
import { UndoRecord, UndoRing } from './undo';

function snapshot(m: Machine): string {
  const mem = m.kernel.space.regions().map((r) => `${r.name}:${Buffer.from(r.bytes).toString('hex')}`).join('|');
  return JSON.stringify({
    regs: m.regs().map(String), pc: m.pc, executed: m.executed, fault: m.fault?.code, exited: m.exited,
    frames: m.frames.map((f) => [f.retPc, f.mayGoto]), mem,
  });
}

function check(seed: number, historyLimit: number, asSubprog: boolean): void {
  const p = generateProgram(seed, { asSubprog });
  const prep = prepareRun(p.insns, { type: 'syscall', ctx: p.ctxIn });
  if (!('machine' in prep)) throw new Error(prep.message);
  const m = prep.machine;
  m.historyLimit = historyLimit;
  const states: string[] = [];
  for (let i = 0; i < 5000 && !m.exited && !m.fault; i++) {
    states.push(snapshot(m));
    m.step();
  }
  const end = snapshot(m);
  let back = 0;
  while (m.stepBack()) {
    back++;
    expect(snapshot(m), `seed ${seed}: after ${back} steps back`).toBe(states[states.length - back]);
  }
  expect(back).toBe(Math.min(states.length, historyLimit));
  // Forward again from there reaches the same end state.
  m.historyLimit = 0;
  while (!m.exited && !m.fault && m.run({ budget: 5000 }) === 'budget');
  expect(snapshot(m)).toBe(end);
}

describe('step back restores every earlier state exactly', () => {
  it('random syscall programs, full history', () => {
    for (let seed = 1; seed <= 80; seed++) check(seed, 1_000_000, false);
  });
  it('random programs as bpf-to-bpf subprograms (frames, calls, exits)', () => {
    for (let seed = 500; seed <= 560; seed++) check(seed, 1_000_000, true);
  });
  it('a history limit keeps only the newest steps (ring wrap-around)', () => {
    for (let seed = 900; seed <= 930; seed++) check(seed, 7, seed % 2 === 0);
  });
  it('changing the limit keeps the newest records and never more than the new limit', () => {
    const p = generateProgram(7);
    const prep = prepareRun([...p.insns.slice(0, -1), ...p.insns.slice(0, -1), ...p.insns.slice(-1)], { type: 'syscall', ctx: p.ctxIn });
    if (!('machine' in prep)) throw new Error(prep.message);
    const m = prep.machine;
    m.historyLimit = 3000;
    const states: string[] = [];
    for (let i = 0; i < 40 && !m.exited && !m.fault; i++) {
      states.push(snapshot(m));
      m.step();
    }
    m.historyLimit = 5;
    for (let i = 0; i < 10 && !m.exited && !m.fault; i++) {
      states.push(snapshot(m));
      m.step();
    }
    let back = 0;
    while (m.stepBack()) {
      back++;
      expect(snapshot(m)).toBe(states[states.length - back]);
    }
    expect(back).toBe(5);
    m.historyLimit = 10;
    expect(m.stepBack()).toBe(false);
  });
});

describe('UndoRing', () => {
  it('keeps instruction counts exactly around 2^31 and up to 2^53 (stored as two int32 words)', () => {
    const counts = [0, 1, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 2 ** 40 + 5, 2 ** 53 - 1];
    const ring = new UndoRing(counts.length);
    const r = new UndoRecord();
    for (const n of counts) {
      r.executed = n;
      ring.push(r);
    }
    const back: number[] = [];
    while (ring.pop(r)) back.push(r.executed);
    expect(back).toEqual(counts.slice().reverse());
  });
});
