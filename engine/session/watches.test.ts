// Watch expressions answer one by one in a paused program: values as the console's `print` computes them, errors in place.
import { describe, expect, it } from 'vitest';
import { parse } from '../asm';
import { DebugConsole } from './debugger/commands';
import { Debugger } from './debugger/debugger';
import { launchTarget } from './debugger/launch';
import { evaluateWatch, evaluateWatches } from './watches';

function paused(src: string, steps: number): { dbg: Debugger; console: DebugConsole } {
  const p = parse(src, { syntax: 'llvm' });
  expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const t = launchTarget({ insns: p.insns, name: 'w', type: 'raw' });
  if (!t.target) throw new Error(JSON.stringify(t.diagnostics));
  const dbg = new Debugger(t.target);
  for (let i = 0; i < steps; i++) dbg.stepInstruction();
  return { dbg, console: new DebugConsole(dbg) };
}

const SRC = ['r1 = -2', 'r2 = 7', '*(u32 *)(r10 - 8) = r2', 'r0 = 0', 'exit', ''].join('\n');

describe('evaluateWatch', () => {
  it('computes what the console prints for the same expression', () => {
    const { dbg, console } = paused(SRC, 4);
    for (const e of ['r1', 'r2 + 1', '*(u32 *)(r10 - 8)', '(s64)r1', 'w1', 'r1 == 0 && *(u32 *)(r10 - 8) > 3', 'r2 * 3 - 1']) {
      const w = evaluateWatch(e, dbg.state);
      if (!('value' in w)) throw new Error(`${e}: ${w.error}`);
      // `print/x` prints the same bits in hex; the console is the debugger's own evaluator front end.
      expect(console.execute(`print/x ${e}`).text.trim(), e).toMatch(new RegExp(`= ${w.value}$`));
    }
    expect(evaluateWatch('(s64)r1', dbg.state)).toEqual({ value: '0xfffffffffffffffe', signed: true });
    expect(evaluateWatch('r1', dbg.state)).toMatchObject({ signed: false });
  });

  it('answers a parse error or a fault in place of the value, and the other expressions still answer', () => {
    const { dbg } = paused(SRC, 4);
    const [bad, fault, zero, ok, empty] = evaluateWatches(['r1 +', '*(u64 *)(0)', 'r2 / (r0)', 'r2', '  '], dbg.state);
    expect(bad).toMatchObject({ error: expect.any(String), column: expect.any(Number) });
    expect(fault).toMatchObject({ error: expect.stringContaining('cannot read 8 bytes at 0x0') });
    expect(zero).toMatchObject({ error: 'division by zero' });
    expect(ok).toEqual({ value: '0x7', signed: false });
    expect(empty).toEqual({ error: 'empty expression' });
  });
});
