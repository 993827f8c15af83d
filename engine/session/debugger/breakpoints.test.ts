// Tests of the breakpoint table: line resolution, conditions, hit and ignore counts, temporary breakpoints, watchpoint change detection.
import { describe, expect, it } from 'vitest';
import { parseCondition, PointTable, resolveLine, watchTargetOf, type LineTable } from './breakpoints';
import { parseExpr, type EvalState } from './expr';

const lines: LineTable = new Map([
  [0, { file: 'src/prog.c', line: 10 }],
  [2, { file: 'src/prog.c', line: 12 }],
  [3, { file: 'src/prog.c', line: 12 }],
  [5, { file: 'src/prog.c', line: 14 }],
  [1, { file: 'src/prog.c', line: 12 }],
  [8, { file: 'src/other.h', line: 3 }],
]);

function regs(values: Record<number, bigint>, mem = new Map<bigint, number>()): EvalState {
  return {
    reg: (n) => values[n] ?? 0n,
    read: (addr, size) => {
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        const b = mem.get(addr + BigInt(i));
        if (b === undefined) return { fault: 'not mapped' };
        out[i] = b;
      }
      return out;
    },
  };
}

describe('resolveLine', () => {
  it('maps file:line to the lowest pc of that line, matching by suffix or basename', () => {
    const r = resolveLine(lines, 'prog.c', 12);
    expect(r).toMatchObject({ ok: true, value: { pc: 1, source: { line: 12 } } });
    expect(resolveLine(lines, 'src/prog.c', 10)).toMatchObject({ ok: true, value: { pc: 0 } });
    expect(resolveLine(lines, 'other.h', 3)).toMatchObject({ ok: true, value: { pc: 8 } });
  });

  it('moves a line without code to the next line with code, and says so', () => {
    const r = resolveLine(lines, 'prog.c', 13);
    expect(r.ok && r.value.pc).toBe(5);
    expect(r.ok && r.note).toBe('line 13 has no code; using line 14');
  });

  it('defaults to the first file and reports unknown files and lines past the end', () => {
    expect(resolveLine(lines, undefined, 11)).toMatchObject({ ok: true, value: { pc: 1 } });
    const f = resolveLine(lines, 'nope.c', 1);
    expect(!f.ok && f.diagnostic.code).toBe('debug.no-such-file');
    const l = resolveLine(lines, 'prog.c', 99);
    expect(!l.ok && l.diagnostic.message).toMatch(/no code at or after line 99/);
    const none = resolveLine(new Map(), undefined, 1);
    expect(!none.ok && none.diagnostic.message).toMatch(/no source line information/);
  });
});

describe('PointTable breakpoints', () => {
  it('stops only when the condition holds and counts hits', () => {
    const t = new PointTable();
    const c = parseCondition('r1 == 0');
    if (!c.ok) throw new Error('parse');
    const bp = t.addBreakpoint(4, '*4', { condition: c.value });
    expect(t.checkBreakpoints(4, regs({ 1: 1n })).stop).toBeUndefined();
    expect(bp.hits).toBe(0);
    expect(t.checkBreakpoints(4, regs({ 1: 0n })).stop?.id).toBe(bp.id);
    expect(bp.hits).toBe(1);
    expect(t.checkBreakpoints(5, regs({ 1: 0n })).stop).toBeUndefined();
  });

  it('passes over ignored hits, still counting them', () => {
    const t = new PointTable();
    const bp = t.addBreakpoint(2, '*2');
    bp.ignore = 2;
    const st = regs({});
    expect(t.checkBreakpoints(2, st).stop).toBeUndefined();
    expect(t.checkBreakpoints(2, st).stop).toBeUndefined();
    expect(t.checkBreakpoints(2, st).stop?.id).toBe(bp.id);
    expect(bp.hits).toBe(3);
    expect(bp.ignore).toBe(0);
  });

  it('skips disabled breakpoints, deletes temporary ones after they stop', () => {
    const t = new PointTable();
    const a = t.addBreakpoint(7, '*7');
    const b = t.addBreakpoint(7, '*7', { temporary: true });
    a.enabled = false;
    expect(t.checkBreakpoints(7, regs({})).stop?.id).toBe(b.id);
    expect(t.get(b.id)).toBeUndefined();
    expect(t.checkBreakpoints(7, regs({})).stop).toBeUndefined();
    expect(t.hasBreakpointAt(7)).toBe(false);
    a.enabled = true;
    expect(t.hasBreakpointAt(7)).toBe(true);
    expect(t.delete(a.id)).toBe(true);
    expect(t.delete(a.id)).toBe(false);
    expect(t.list()).toEqual([]);
  });

  it('reports a faulting condition as false with the fault text', () => {
    const t = new PointTable();
    const c = parseCondition('*(u32 *)(r1 + 4) == 1');
    if (!c.ok) throw new Error('parse');
    const bp = t.addBreakpoint(0, '*0', { condition: c.value });
    const r = t.checkBreakpoints(0, regs({ 1: 0x40n }));
    expect(r.stop).toBeUndefined();
    expect(r.faults).toEqual([{ id: bp.id, fault: 'cannot read 4 bytes at 0x44: not mapped' }]);
  });

  it('shifts condition diagnostics to the column in the whole command', () => {
    const c = parseCondition('r1 ==', 20);
    expect(!c.ok && c.diagnostic.column).toBe(26);
  });
});

describe('PointTable watchpoints', () => {
  it('fires when the watched bytes change, with old and new bytes', () => {
    const mem = new Map<bigint, number>();
    for (let i = 0; i < 16; i++) mem.set(0x100n + BigInt(i), 0);
    const st = regs({ 10: 0x110n }, mem);
    const e = parseExpr('*(u32 *)(r10 - 8)');
    if (!e.ok) throw new Error('parse');
    const target = watchTargetOf(e.expr, st);
    expect(target).toEqual({ ok: true, value: { kind: 'memory', addr: 0x108n, size: 4, type: 'u32' } });
    if (!target.ok) return;
    const t = new PointTable();
    const w = t.addWatchpoint('*(u32 *)(r10 - 8)', target.value, st);
    expect(t.checkWatchpoints(st).hits).toEqual([]);
    mem.set(0x10cn, 9); // next to the watched bytes: no hit
    expect(t.checkWatchpoints(st).hits).toEqual([]);
    mem.set(0x109n, 1);
    const r = t.checkWatchpoints(st);
    expect(r.hits.map((h) => [h.watch.id, [...h.old!], [...h.new!]])).toEqual([[w.id, [0, 0, 0, 0], [0, 1, 0, 0]]]);
    expect(t.checkWatchpoints(st).hits).toEqual([]);
    expect(w.hits).toBe(1);
  });

  it('watches registers, and refuses targets that are not lvalues', () => {
    const values: Record<number, bigint> = { 3: 5n };
    const st = regs(values);
    const e = parseExpr('w3');
    if (!e.ok) throw new Error('parse');
    const target = watchTargetOf(e.expr, st);
    if (!target.ok) throw new Error('target');
    const t = new PointTable();
    t.addWatchpoint('w3', target.value, st);
    values[3] = 5n | (1n << 40n); // upper half only: w3 unchanged
    expect(t.checkWatchpoints(st).hits).toEqual([]);
    values[3] = 6n;
    expect(t.checkWatchpoints(st).hits.length).toBe(1);
    const bad = parseExpr('r1 + 1');
    if (!bad.ok) throw new Error('parse');
    const r = watchTargetOf(bad.expr, st);
    expect(!r.ok && r.diagnostic.code).toBe('debug.watch-target');
  });
});
