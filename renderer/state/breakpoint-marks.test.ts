// Gutter marks from the engine's breakpoint list: keyed by program and pc, one mark for several breakpoints at an instruction.
import { describe, expect, it } from 'vitest';
import { gutterMarks, markKey } from './breakpoint-marks';

describe('gutter marks', () => {
  it('keys by program (breakpoints naming none are in the session program) and tells on, conditional and disabled apart', () => {
    const marks = gutterMarks([
      { id: 1, pc: 4, enabled: true },
      { id: 2, pc: 4, enabled: true, program: 2 },
      { id: 3, pc: 7, enabled: true, condition: 'r1 == 0', program: 0 },
      { id: 4, pc: 9, enabled: false, condition: 'r2 > 1' },
    ], 0);
    expect([...marks.keys()]).toEqual([markKey(0, 4), markKey(2, 4), markKey(0, 7), markKey(0, 9)]);
    expect(marks.get('0:4')?.kind).toBe('on');
    expect(marks.get('2:4')?.ids).toEqual([2]);
    expect(marks.get('0:7')).toMatchObject({ kind: 'cond', title: 'Breakpoint 3 if r1 == 0\nClick to remove (F9).' });
    expect(marks.get('0:9')).toMatchObject({ kind: 'off', disabledIds: [4], title: 'Breakpoint 4 if r2 > 1 (disabled)\nClick to enable (F9 too); delete it in the Breakpoints tab.' });
  });

  it('several at one instruction: any enabled unconditional one makes it stop always; only disabled ones make it off', () => {
    const both = gutterMarks([{ id: 1, pc: 3, enabled: true, condition: 'r0 == 1' }, { id: 2, pc: 3, enabled: true }], 0).get('0:3');
    expect(both?.kind).toBe('on');
    const conds = gutterMarks([{ id: 1, pc: 3, enabled: true, condition: 'r0 == 1' }, { id: 2, pc: 3, enabled: false }], 0).get('0:3');
    expect(conds).toMatchObject({ kind: 'cond', disabledIds: [2] });
    expect(gutterMarks([{ id: 5, pc: 3, enabled: false }, { id: 6, pc: 3, enabled: false }], 1).get('1:3')).toMatchObject({ kind: 'off', disabledIds: [5, 6] });
  });
});
