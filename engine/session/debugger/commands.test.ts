// Tests of the gdb-like command interpreter over a real interpreter session (asm text in, console text and structured results out).
import { describe, expect, it } from 'vitest';
import { parse, slotPcs } from '../../asm';
import type { LineTable } from './breakpoints';
import type { DebugConsole } from './commands';
import { createDebugSession } from './launch';

const PROG = `r1 = 5
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

function session(src = PROG): DebugConsole {
  const p = parse(src, { file: 'prog.s' });
  const pcs = slotPcs(p.insns);
  const lines: LineTable = new Map(p.insns.map((_, i) => [pcs[i], { file: 'prog.s', line: p.lineOfInsn[i] }]));
  const sources = new Map([['prog.s', src.split('\n').slice(0, -1)]]);
  const s = createDebugSession({ insns: p.insns }, { lines, sources, functions: new Map([[0, 'main'], [7, 'add']]) });
  if (!('console' in s)) throw new Error('launch failed');
  return s.console;
}

describe('DebugConsole', () => {
  it('sets line and pc breakpoints, runs to them, and lists them with hit counts', () => {
    const c = session();
    expect(c.execute('break 5').text).toBe('Breakpoint 1 at pc 4: file prog.s, line 5.\n');
    expect(c.execute('tbreak *8').text).toBe('Temporary breakpoint 2 at pc 8: file prog.s, line 10.\n');
    expect(c.execute('b prog.s:8').text).toBe('(line 8 has no code; using line 9)\nBreakpoint 3 at pc 7: file prog.s, line 9.\n');
    const r = c.execute('run');
    expect(r.stop?.reason).toBe('breakpoint');
    expect(r.text).toBe('Breakpoint 3, pc 7 at prog.s:9\n=> 7: r0 = r1    ; prog.s:9\n');
    expect(c.execute('c').text).toBe('Temporary breakpoint 2, pc 8 at prog.s:10\n=> 8: r0 += r2    ; prog.s:10\n');
    expect(c.execute('c').stop?.pc).toBe(4);
    const info = c.execute('info breakpoints').text;
    expect(info).toBe([
      'Num  Type        Disp  Enb  Where',
      '1    breakpoint  keep  y    pc 4 (prog.s:5)',
      '\tbreakpoint already hit 1 time',
      '3    breakpoint  keep  y    pc 7 (prog.s:9)',
      '\tbreakpoint already hit 1 time',
      '',
    ].join('\n'));
    expect(c.execute('continue').text).toBe('program exited with r0 = 9 (0x9)\n');
    expect(c.execute('next')).toMatchObject({ ok: false, stop: { reason: 'not-running' } });
  });

  it('accepts conditions with if, reports their errors at the right column', () => {
    const c = session();
    const bad = c.execute('break 9 if r1 == ');
    expect(bad.ok).toBe(false);
    expect(bad.text).toBe('bad condition: expected an expression, found the end\n');
    expect(bad.column).toBe(17); // the end of 'break 9 if r1 =='
    expect(c.execute('break 9 if r1 == 4').ok).toBe(true);
    expect(c.execute('run').stop?.reason).toBe('exited');
    expect(c.execute('condition 1 r1 == 5')).toMatchObject({ ok: true, text: 'Breakpoint 1 condition: r1 == 5\n' });
    expect(c.execute('run')).toMatchObject({ stop: { reason: 'breakpoint', pc: 7 }, text: expect.stringContaining('Starting over from the beginning.') });
  });

  it('steps with step/next/finish and their reverse forms', () => {
    const c = session();
    expect(c.execute('start').text).toBe('=> 0: r1 = 5    ; prog.s:1\n');
    c.execute('next');
    c.execute('n');
    expect(c.execute('n').text).toBe('=> 3: call add    ; prog.s:4\n');
    expect(c.execute('step').text).toBe('=> 7: r0 = r1    ; prog.s:9\n');
    expect(c.execute('backtrace').text).toBe('#0  pc 7 in add at prog.s:9\n#1  pc 3 in main at prog.s:4\n');
    expect(c.execute('finish').text).toBe('=> 4: r0 += 1    ; prog.s:5\n');
    expect(c.execute('p r0').text).toBe('$1 = 8\n');
    expect(c.execute('reverse-step').text).toBe('=> 9: exit    ; prog.s:11\n');
    expect(c.execute('reverse-finish').text).toBe('=> 3: call add    ; prog.s:4\n');
    expect(c.execute('reverse-next').text).toBe('=> 2: r2 = 3    ; prog.s:3\n');
    expect(c.execute('rc').text).toBe('No more reverse-execution history: at the start of the program.\n=> 0: r1 = 5    ; prog.s:1\n');
    expect(c.execute('stepi 4').stop?.pc).toBe(7);
    expect(c.execute('').stop?.pc).toBe(5); // an empty line repeats the last stepping command, count included: 8, 9, 4, 5
  });

  it('shows registers, the frame, stack slots and memory', () => {
    const c = session();
    c.execute('start');
    c.execute('stepi 2');
    const regs = c.execute('info registers').text.split('\n');
    expect(regs[1]).toBe('r1   0x5                 5');
    expect(regs[10]).toMatch(/^r10 {2}0xffffc900[0-9a-f]{8} {2}<stack frame 0 \+512 \(end\)>$/);
    expect(regs[11]).toBe('pc   2');
    expect(c.execute('info registers r1 r2').text).toBe('r1   0x5                 5\nr2   0x0                 0\n');
    expect(c.execute('info stack').text).toMatch(/^fp-8 {4}0xffffc9[0-9a-f]+ +0x0000000000000005 +spilled r1 at pc 1\n$/);
    expect(c.execute('info frame').text).toContain('outermost frame\n stack slots written: fp-8');
    expect(c.execute('x/2gx r10-16').text).toMatch(/^0xffffc9[0-9a-f]+:\t0x0000000000000000\t0x0000000000000005\n$/);
    expect(c.execute('x/4xb r10-8').text).toMatch(/:\t0x05\t0x00\t0x00\t0x00\n$/);
    expect(c.execute('x/2dw r10-8').text).toMatch(/:\t5\t0\n$/);
    expect(c.execute('x/3i 2').text).toBe('=> 2: r2 = 3\n   3: call add\n   4: r0 += 1\n');
    expect(c.execute('x').text).toBe('   5: *(u32 *)(r10 - 16) = r0\n'); // continues after the last x, keeping its format; the count is 1 again
    expect(c.execute('x/1gx 0')).toMatchObject({ ok: false, text: expect.stringContaining('Cannot access memory at address 0x0') });
    expect(c.execute('x/8z r10')).toMatchObject({ ok: false, text: 'bad format letter "z": F in x d u i, U in b h w g\n' });
  });

  it('prints expressions in several formats and assigns registers and memory', () => {
    const c = session();
    c.execute('start');
    c.execute('stepi 2');
    expect(c.execute('print r1 * 3 + 1').text).toBe('$1 = 16 (0x10)\n');
    expect(c.execute('p/x r1').text).toBe('$2 = 0x5\n');
    expect(c.execute('p (s32)0xfffffffe').text).toBe('$3 = -2 (0xfffffffffffffffe)\n');
    expect(c.execute('p/t 5').text).toBe('$4 = 101\n');
    expect(c.execute('p *(u32 *)(r10 - 8)').text).toBe('$5 = 5\n');
    expect(c.execute('p r1 +').column).toBe(7);
    expect(c.execute('set r1 = 0x10').text).toBe('r1 = 16 (0x10)\n');
    expect(c.execute('set *(u32*)(r10-4) = 7').text).toMatch(/^\*\(u32 \*\)0xffffc9[0-9a-f]+ = 7 \(0x7\)\n$/);
    expect(c.execute('p *(u64 *)(r10 - 8)').text).toBe('$6 = 30064771077 (0x700000005)\n');
    expect(c.execute('reverse-stepi').text).toMatch(/^\(undid edits: \*\(u32 \*\)0x[0-9a-f]+ = 0x7; r1 = 0x10\)\n=> 1: /);
    expect(c.execute('p r1').text).toBe('$7 = 5\n');
    expect(c.execute('set history-limit 10').text).toBe('History limit set to 10 steps.\n');
    expect(c.execute('info history').text).toBe('1 steps recorded for reverse execution (limit 10); 1 instructions executed\n');
  });

  it('watches a stack slot with watch, deletes, disables and enables points', () => {
    const c = session();
    c.execute('start');
    expect(c.execute('watch *(u64*)(r10-8)').text).toMatch(/^Watchpoint 1: \*\(u64\*\)\(r10-8\) \(8 bytes at 0xffffc9[0-9a-f]+\)\n$/);
    const r = c.execute('continue');
    expect(r.text).toBe('Watchpoint 1: *(u64*)(r10-8)\n\nOld value = 0x0\nNew value = 0x5\n=> 2: r2 = 3    ; prog.s:3\n');
    expect(c.execute('disable 1').text).toBe('Disabled 1.\n');
    expect(c.execute('enable').text).toBe('Enabled 1.\n');
    expect(c.execute('delete 9')).toMatchObject({ ok: false, text: 'No breakpoint number 9.\n' });
    expect(c.execute('delete').text).toBe('Deleted 1.\n');
    expect(c.execute('info b').text).toBe('No breakpoints or watchpoints.\n');
    expect(c.execute('watch r1 + 1')).toMatchObject({ ok: false, text: 'can only watch a register or memory (*(T *)addr)\n' });
    // A 16-byte range below fp: the store of r6 (fp-8) and of r0 (fp-16) both change it.
    expect(c.execute('watch *(u8 *)(r10 - 16) @ 16').text).toMatch(/^Watchpoint 2: \*\(u8 \*\)\(r10 - 16\) @ 16 \(16 bytes at 0x[0-9a-f]+\)\n$/);
    const w = c.execute('c');
    expect(w.stop?.reason).toBe('watchpoint');
    expect(w.stop?.pc).toBe(6);
    expect(w.text).toContain('Old value = 00 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00\nNew value = 09 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00\n');
    expect(c.execute('watch r1 @ 2')).toMatchObject({ ok: false, text: '@ LEN needs a memory expression: watch *(u8 *)addr @ 16\n' });
  });

  it('lists source lines around the pc, a line or a function, continuing on repeat', () => {
    const c = session();
    expect(c.execute('list').text).toBe('1\tr1 = 5\n2\t*(u64 *)(r10 - 8) = r1\n3\tr2 = 3\n4\tcall add\n5\tr0 += 1\n6\t*(u32 *)(r10 - 16) = r0\n7\texit\n8\tadd:\n9\tr0 = r1\n10\tr0 += r2\n');
    expect(c.execute('list').text).toBe('11\texit\n');
    // An empty line repeats list, which has reached the end of the file.
    expect(c.execute('')).toMatchObject({ ok: false, text: 'Line number 12 out of range; "prog.s" has 11 lines.\n' });
    expect(c.execute('list add').text.split('\n')[0]).toBe('4\tcall add');
  });

  it('runs to a location with until/advance', () => {
    const c = session();
    c.execute('start');
    expect(c.execute('advance 10').text).toBe('=> 8: r0 += r2    ; prog.s:10\n');
    expect(c.execute('until *5').text).toBe('=> 5: *(u32 *)(r10 - 16) = r0    ; prog.s:6\n');
    expect(c.execute('until add').stop?.reason).toBe('exited');
  });

  it('answers unknown commands and help without throwing', () => {
    const c = session();
    expect(c.execute('frobnicate')).toMatchObject({ ok: false, text: 'undefined command: "frobnicate". Try "help".\n' });
    expect(c.execute('help').text).toContain('reverse-step / reverse-next');
    expect(c.execute('info nonsense').ok).toBe(false);
    expect(c.execute('break nowhere.c:3').text).toMatch(/no source file named nowhere.c/);
    expect(c.execute('break *99').text).toBe('no instruction at pc 99\n');
    expect(c.execute('quit').quit).toBe(true);
  });

  it('survives random command lines without throwing (seeded)', () => {
    const words = ['break', 'tbreak', 'watch', 'delete', 'disable', 'enable', 'condition', 'ignore', 'step', 'next', 'stepi', 'nexti', 'finish',
      'continue', 'until', 'advance', 'reverse-step', 'reverse-next', 'reverse-stepi', 'reverse-nexti', 'reverse-continue', 'reverse-finish',
      'info', 'registers', 'frame', 'stack', 'maps', 'backtrace', 'x/4gx', 'x/3i', 'x/z', 'print', 'p/x', 'set', 'run', 'start', 'list', 'help',
      'r1', 'w2', 'r10', '-8', '*', '(u32 *)', '(s8)', '+', '==', 's<', '&&', '||', '=', 'if', '@', '16', '0', '3', '99', '*7', 'prog.s:5', 'add',
      '(', ')', '/', '%', '>>', '~', '!', 'fp', 'pc', '0xffffffffffffffff', 'history-limit', ''];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const c = session();
    for (let i = 0; i < 2000; i++) {
      const n = 1 + rand(5);
      const line = Array.from({ length: n }, () => words[rand(words.length)]).join(' ');
      if (/history-limit/.test(line)) continue; // a huge or zero limit is legal but would change the run's speed profile
      const r = c.execute(line);
      expect(typeof r.text, line).toBe('string');
      expect(r.text === '' || r.text.endsWith('\n'), line).toBe(true);
    }
  });

  it('names the map a relocated lddw loads, and the offset into a map value', () => {
    const src = 'ld_pseudo r1, 1, 0\nld_pseudo r2, 2, 0x800000001\nr0 = 0\nexit\n';
    const p = parse(src, { file: 'm.s' });
    expect(p.diagnostics).toEqual([]);
    const maps = [
      { def: { type: 1, keySize: 4, valueSize: 8, maxEntries: 4, name: 'counts' } },
      { def: { type: 2, keySize: 4, valueSize: 16, maxEntries: 1, name: '.data' } },
    ];
    const s = createDebugSession({ insns: p.insns, maps });
    if (!('console' in s)) throw new Error('launch failed');
    expect(s.console.execute('start').text).toContain('; map counts');
    expect(s.console.execute('stepi').text).toContain('; map .data value +8');
  });
});
