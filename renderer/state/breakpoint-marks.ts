// What the listing gutter shows for each instruction with breakpoints: on, conditional or disabled, and a tooltip that says which and what a click does.
//
// Breakpoints belong to a program of the file (a tail call target has its own pcs), so marks are
// keyed by program and pc. Several breakpoints at one instruction (the console can make them) make
// one mark: it stops unconditionally if any enabled one has no condition, conditionally if every
// enabled one has a condition, and is disabled when none is enabled.
import type { BreakpointInfo } from '../../engine/protocol';

export type MarkKind = 'on' | 'cond' | 'off';

export interface GutterMark {
  readonly kind: MarkKind;
  /** Ids of the breakpoints at this instruction. */
  readonly ids: readonly number[];
  /** Ids of the disabled ones (what a click enables when none is enabled). */
  readonly disabledIds: readonly number[];
  readonly title: string;
}

export function markKey(program: number, pc: number): string {
  return `${program}:${pc}`;
}

/** Marks by markKey; `ownProgram` is the program of breakpoints that name none (the session's). */
export function gutterMarks(list: readonly BreakpointInfo[], ownProgram: number): ReadonlyMap<string, GutterMark> {
  const at = new Map<string, BreakpointInfo[]>();
  for (const b of list) {
    const k = markKey(b.program ?? ownProgram, b.pc);
    const here = at.get(k);
    if (here) here.push(b);
    else at.set(k, [b]);
  }
  const marks = new Map<string, GutterMark>();
  for (const [k, bs] of at) {
    const enabled = bs.filter((b) => b.enabled);
    const kind: MarkKind = !enabled.length ? 'off' : enabled.every((b) => b.condition) ? 'cond' : 'on';
    const lines = bs.map((b) => `Breakpoint ${b.id}${b.condition ? ` if ${b.condition}` : ''}${b.enabled ? '' : ' (disabled)'}`);
    lines.push(kind === 'off' ? 'Click to enable (F9 too); delete it in the Breakpoints tab.' : 'Click to remove (F9).');
    marks.set(k, { kind, ids: bs.map((b) => b.id), disabledIds: bs.filter((b) => !b.enabled).map((b) => b.id), title: lines.join('\n') });
  }
  return marks;
}
