// Tail calls in the debug session, on a clang-19 object whose XDP dispatcher tail-calls per-protocol
// parsers (tests/fixtures/tail-calls/tail_calls.c): stepping into the callee, breakpoints in it,
// reverse execution back across the tail call, the 33-tail-call limit, and empty slots.
import { describe, expect, it } from 'vitest';
import { FIXTURE_TAILS, fixtureInput, frame, lineOf } from '../../../tests/fixtures/tail-calls/fixture';
import { createDebugSession, type DebugSession } from './launch';
import type { TailSpec } from './programs';
import { describeOrigin } from './views';

function session(packet: Uint8Array, tails: readonly TailSpec[] = FIXTURE_TAILS, program?: string): DebugSession {
  const input = fixtureInput(program);
  const s = createDebugSession(
    { insns: input.insns, name: input.name, type: input.type, maps: input.maps, packet, programs: input.programs, tails },
    { lines: input.lines, functions: input.functions, programs: new Map(input.programs.map((p) => [p.name, p] as const)) },
  );
  if (!('console' in s)) throw new Error(s.diagnostics.map((d) => d.message).join('\n'));
  return s;
}

/** counts[] of the fixture as numbers. */
function counts(s: DebugSession): number[] {
  const m = s.debugger.target.maps!().find((x) => x.name === 'counts')!;
  return m.entries.map((e) => Number(new DataView(e.value.buffer, e.value.byteOffset).getBigUint64(0, true)));
}

const TAIL_LINE = lineOf('bpf_tail_call(ctx, &jmp_table, slot)');
const UDP_LINE = lineOf('if (data[23] == 17)');
const BUMP_LINE = lineOf('*v += 1');

describe('tail calls in the debugger', () => {
  it('step and next enter the tail-called program at its first line; frames, bt and the stop name it', () => {
    for (const cmd of ['step', 'next']) {
      const s = session(frame(0x0800));
      const c = s.console;
      expect(c.execute(`break tail_calls.c:${TAIL_LINE}`).text).toMatch(/^Breakpoint 1 at pc \d+ in dispatch: file .*tail_calls\.c, line \d+\.\n$/);
      expect(c.execute('run').stop).toMatchObject({ reason: 'breakpoint', program: 'dispatch' });
      const r = c.execute(cmd);
      expect(r.stop).toMatchObject({ reason: 'step', program: 'parse_ipv4', pc: 0, tailCall: { from: 'dispatch', to: 'parse_ipv4', map: 'jmp_table', index: 0, count: 1, limit: 33 } });
      expect(r.text).toContain('tail call jmp_table[0] at pc 30: dispatch -> parse_ipv4 (tail call 1 of at most 33)');
      expect(r.text).toContain('=> 0 in parse_ipv4: ');
      expect(s.debugger.frames()).toEqual([expect.objectContaining({ pc: 0, program: 'parse_ipv4', entry: 0 })]);
      expect(c.execute('bt').text).toMatch(/^#0 {2}pc 0 in parse_ipv4 at .*tail_calls\.c:\d+\n$/);
      expect(s.debugger.lineOf(0)).toEqual(s.debugger.linesOf('parse_ipv4').get(0));
    }
  });

  it('a breakpoint on a line of the callee stops there; reverse-stepi goes back to the caller\'s call instruction, reverse-step to its line', () => {
    const s = session(frame(0x0800, 17));
    const c = s.console;
    // The line exists only in parse_ipv4, so the breakpoint goes there though dispatch is the debugged program.
    expect(c.execute(`break ${UDP_LINE}`).text).toMatch(/^Breakpoint 1 at pc \d+ in parse_ipv4: file .*, line \d+\.\n$/);
    const hit = c.execute('run');
    expect(hit.stop).toMatchObject({ reason: 'breakpoint', program: 'parse_ipv4' });
    expect(s.debugger.lineOf(hit.stop!.pc)?.line).toBe(UDP_LINE);
    // Back to the first instruction of parse_ipv4, then across the tail call.
    while (s.debugger.target.pc() !== 0) c.execute('reverse-stepi');
    const back = c.execute('reverse-stepi');
    expect(back.stop).toMatchObject({ reason: 'step', program: 'dispatch', pc: 30 });
    expect(s.debugger.insnAt(30)).toMatchObject({ imm: 12, form: { id: 'call' } });
    expect(s.debugger.target.tailCallCount!().count).toBe(0);
    c.execute('stepi');
    expect(s.debugger.programName()).toBe('parse_ipv4');
    const line = c.execute('reverse-step');
    expect(line.stop?.program).toBe('dispatch');
    expect(s.debugger.lineOf(line.stop!.pc)?.line).toBe(TAIL_LINE);
    expect(s.debugger.linesOf('dispatch').has(line.stop!.pc)).toBe(true);
    // Forward again to the end: the same result as a run that never went back.
    c.execute('delete');
    const end = c.execute('continue');
    const fresh = session(frame(0x0800, 17));
    const ref = fresh.console.execute('run');
    expect(end.stop?.status).toEqual(ref.stop?.status);
    expect(end.stop?.status).toMatchObject({ state: 'exited', r0: 1n }); // XDP_DROP for UDP
    expect(counts(s)).toEqual(counts(fresh));
  });

  it('a subprogram linked into every program: a line breakpoint in each, bt names the program, finish returns into the callee', () => {
    const s = session(frame(0x86dd));
    const c = s.console;
    const made = c.execute(`break tail_calls.c:${BUMP_LINE}`);
    expect(made.text.trim().split('\n').map((l) => / in (\w+):/.exec(l)?.[1])).toEqual(['dispatch', 'parse_ipv4', 'parse_ipv6', 'again', 'via_subprog']);
    expect(c.execute('run').stop).toMatchObject({ reason: 'breakpoint', program: 'dispatch' });
    const inCallee = c.execute('continue');
    expect(inCallee.stop).toMatchObject({ reason: 'breakpoint', program: 'parse_ipv6', tailCall: { to: 'parse_ipv6', index: 1 } });
    expect(c.execute('bt').text).toMatch(/^#0 {2}pc \d+ in bump of parse_ipv6 at .*:\d+\n#1 {2}pc 1 in parse_ipv6 at .*\n$/);
    // bump's key store at fp-4 was made by parse_ipv6's copy of bump: the slot says so.
    const [inner] = s.debugger.frames();
    expect(describeOrigin(s.debugger.slotOrigin(inner.fp - 8n))).toMatch(/^4-byte store of r1 at pc \d+ of parse_ipv6$/);
    const fin = c.execute('finish');
    expect(fin.stop).toMatchObject({ reason: 'step', program: 'parse_ipv6', pc: 2 });
    expect(s.debugger.frames()).toHaveLength(1);
    expect(c.execute('continue').stop?.status).toMatchObject({ state: 'exited', r0: 3n }); // XDP_TX
    expect(counts(s).slice(0, 4)).toEqual([1, 0, 1, 0]);
  });

  it('a tail call made in a subprogram: the target runs in that frame from its entry, and finish returns its r0 to the caller', () => {
    const s = session(frame(0x86dd), FIXTURE_TAILS, 'via_subprog');
    const c = s.console;
    expect(c.execute('break tail_from_sub').text).toMatch(/^Breakpoint 1 at pc \d+ in via_subprog: file .*, line \d+\.\n$/);
    expect(c.execute('run').stop).toMatchObject({ reason: 'breakpoint', program: 'via_subprog' });
    expect(s.debugger.frames()).toHaveLength(2);
    let r = c.execute('step');
    while (s.debugger.programName() === 'via_subprog') r = c.execute('step');
    expect(r.stop).toMatchObject({ program: 'parse_ipv6', pc: 0, tailCall: { from: 'via_subprog', to: 'parse_ipv6', index: 1 } });
    expect(s.debugger.frames().map((f) => [f.program, f.entry])).toEqual([['parse_ipv6', 0], ['via_subprog', 0]]);
    expect(c.execute('bt').text).toMatch(/^#0 {2}pc 0 in parse_ipv6 at .*\n#1 {2}pc 0 in via_subprog at .*\n$/);
    const fin = c.execute('finish');
    expect(fin.stop).toMatchObject({ reason: 'step', program: 'via_subprog', pc: 1 });
    expect(s.debugger.target.reg(0)).toBe(3n); // parse_ipv6's XDP_TX came back as tail_from_sub's value
    // One instruction back is parse_ipv6's exit, in its frame; from its entry, one more is the subprogram's tail call.
    expect(c.execute('reverse-stepi').stop).toMatchObject({ program: 'parse_ipv6' });
    expect(s.debugger.frames()).toHaveLength(2);
    while (s.debugger.target.pc() !== 0 || s.debugger.programName() !== 'parse_ipv6') c.execute('reverse-stepi');
    expect(c.execute('reverse-stepi').stop).toMatchObject({ program: 'via_subprog' });
    expect(s.debugger.insnAt(s.debugger.target.pc())).toMatchObject({ imm: 12, form: { id: 'call' } });
    expect(c.execute('continue').stop?.status).toMatchObject({ state: 'exited', r0: 3n });
    expect(counts(s)[6]).toBe(1);
  });

  it('the 33-tail-call limit: the program in slot 3 tail-calls itself, runs 33 times, and the 34th call falls through', () => {
    const s = session(frame(0x88b5));
    const c = s.console;
    expect(c.execute(`break again:${lineOf('bpf_tail_call(ctx, &jmp_table, 3)')}`).ok).toBe(true);
    expect(c.execute('run').stop).toMatchObject({ reason: 'breakpoint', program: 'again' });
    expect(c.execute('info tails').text).toContain('Tail calls made in this run: 1 of 33');
    c.execute('ignore 1 31');
    expect(c.execute('continue').stop).toMatchObject({ reason: 'breakpoint', tailCall: { from: 'again', to: 'again', count: 33 } });
    const last = c.execute('continue');
    expect(last.stop).toMatchObject({ reason: 'exited', tailCall: { from: 'again', fellThrough: 'the limit of 33 tail calls was reached', count: 33 } });
    expect(last.text).toContain('not taken: the limit of 33 tail calls was reached; execution falls through');
    expect(c.execute('info breakpoints').text).toContain('breakpoint already hit 33 times');
    expect(counts(s).slice(0, 5)).toEqual([1, 0, 0, 1, 33]);
    // Going back over the failed call and the last taken one keeps the count exact.
    c.execute('reverse-continue');
    expect(s.debugger.target.tailCallCount!().count).toBe(33);
    c.execute('reverse-continue');
    expect(s.debugger.target.tailCallCount!().count).toBe(32);
  });

  it('an empty slot falls through; tail fills it (the next run keeps it) and reverse execution undoes a slot change', () => {
    const s = session(frame(0x0806));
    const c = s.console;
    const r = c.execute('run');
    expect(r.stop).toMatchObject({ reason: 'exited', status: { r0: 2n }, tailCall: { index: 2, fellThrough: 'slot 2 is empty', count: 0 } });
    expect(counts(s).slice(0, 4)).toEqual([1, 0, 0, 1]);
    expect(c.execute('tail jmp_table 2 parse_ipv6').text).toBe('jmp_table[2] = parse_ipv6 (was empty)\n');
    expect(c.execute('tail jmp_table 9 parse_ipv6')).toMatchObject({ ok: false, text: 'jmp_table: index 9 is out of range (max_entries 4): E2BIG\n' });
    expect(c.execute('tail counts 0 parse_ipv6')).toMatchObject({ ok: false, text: 'counts is an array map, not a prog_array\n' });
    expect(c.execute('tail jmp_table 2 nosuch').text).toMatch(/^no program named nosuch/);
    const again = c.execute('run');
    expect(again.stop).toMatchObject({ reason: 'exited', status: { r0: 3n }, tailCall: { to: 'parse_ipv6', index: 2 } });
    // Empty it while paused, then step back: the slot holds parse_ipv6 again.
    c.execute('start');
    c.execute('stepi');
    expect(c.execute('tail jmp_table 2').text).toBe('jmp_table[2] emptied (was parse_ipv6)\n');
    expect(c.execute('info tails').text).not.toContain('[2] = parse_ipv6');
    expect(c.execute('reverse-stepi').text).toContain('undid edits: jmp_table[2] emptied (was parse_ipv6)');
    expect(c.execute('info tails').text).toContain('[2] = parse_ipv6');
  });

  it('breakpoints belong to a program: pc 0 of dispatch does not stop parse_ipv4, PROGRAM:*PC picks the program', () => {
    const s = session(frame(0x0800));
    const c = s.console;
    expect(c.execute('break parse_ipv4:*5').text).toMatch(/^Breakpoint 1 at pc 5 in parse_ipv4/);
    expect(c.execute('break *5').text).toMatch(/^Breakpoint 2 at pc 5 in dispatch/);
    expect(c.execute('run').stop).toMatchObject({ reason: 'breakpoint', pc: 5, program: 'dispatch', breakpoint: { id: 2 } });
    expect(c.execute('continue').stop).toMatchObject({ reason: 'breakpoint', pc: 5, program: 'parse_ipv4', breakpoint: { id: 1 } });
    expect(c.execute('info breakpoints').text).toContain('pc 5 in parse_ipv4');
    expect(c.execute('break nosuch:*5').ok).toBe(false);
    // until/advance into another program.
    c.execute('run');
    expect(c.execute('advance parse_ipv4:*2').stop).toMatchObject({ program: 'parse_ipv4', pc: 2 });
  });

  it('without history (the native fast path) breakpoints in a tail-called program still stop', () => {
    const input = fixtureInput();
    const s = createDebugSession(
      { insns: input.insns, name: input.name, type: input.type, maps: input.maps, packet: frame(0x0800, 17), programs: input.programs, tails: FIXTURE_TAILS },
      { lines: input.lines, functions: input.functions, programs: new Map(input.programs.map((p) => [p.name, p] as const)), historyLimit: 0 },
    );
    if (!('console' in s)) throw new Error('launch failed');
    s.console.execute(`break ${UDP_LINE}`);
    expect(s.console.execute('run').stop).toMatchObject({ reason: 'breakpoint', program: 'parse_ipv4' });
    expect(s.console.execute('continue').stop?.status).toMatchObject({ state: 'exited', r0: 1n });
  });

  it('launch refuses a slot the kernel would refuse, with the reason', () => {
    const input = fixtureInput();
    const s = createDebugSession(
      { insns: input.insns, name: input.name, type: input.type, maps: input.maps, programs: input.programs, tails: [{ map: 'jmp_table', index: 0, program: 'parse_ipv4', type: 'socket_filter' }] },
      { lines: input.lines },
    );
    expect('diagnostics' in s && s.diagnostics[0].message).toBe('--tail jmp_table:0=parse_ipv4: bpf_check_tail_call: a xdp program cannot use jmp_table, which holds socket_filter programs: EINVAL');
  });
});
