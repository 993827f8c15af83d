// bpfdbg debug --tail in-process: prog_array slots filled from the command line, a tail call stepped into, the console's tail/info tails, and usage errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIR, frame, lineOf } from '../../../tests/fixtures/tail-calls/fixture';
import type { CliIO } from '../io';
import { main } from '../main';

const OBJECT = new Uint8Array(readFileSync(join(DIR, 'tail_calls.o')));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function debug(args: string[], stdin: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: (p) => {
      if (p === 'tail_calls.o') return OBJECT;
      throw new Error(`ENOENT: no such file '${p}'`);
    },
    writeFile: () => undefined,
    readStdin: () => new TextEncoder().encode(stdin),
  };
  const code = await main(['debug', 'tail_calls.o', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

describe('bpfdbg debug --tail', () => {
  it('fills slots, steps into the tail-called program, and shows and changes slots from the console', async () => {
    const r = await debug(
      ['--tail', 'jmp_table:0=parse_ipv4,jmp_table:1=parse_ipv6', '--packet', hex(frame(0x86dd)), '--echo'],
      `break ${lineOf('bpf_tail_call(ctx, &jmp_table, slot)')}\nrun\nstep\nbt\ninfo tails\ntail jmp_table 1\nrun\n`,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Other programs (tail call targets): parse_ipv4, parse_ipv6, again, via_subprog; slots filled: jmp_table[0] = parse_ipv4, jmp_table[1] = parse_ipv6.');
    expect(r.out).toContain('tail call jmp_table[1] at pc 30: dispatch -> parse_ipv6 (tail call 1 of at most 33)\n=> 0 in parse_ipv6: w1 = 2');
    expect(r.out).toMatch(/\(bpfdbg\) bt\n#0 {2}pc 0 in parse_ipv6 at .*tail_calls\.c:\d+\n/);
    expect(r.out).toContain('jmp_table: prog_array, max_entries 4; [0] = parse_ipv4, [1] = parse_ipv6\nPrograms: dispatch, parse_ipv4, parse_ipv6, again, via_subprog; executing parse_ipv6.\nTail calls made in this run: 1 of 33');
    // Emptied slot: the next run's tail call falls through (and the breakpoint in dispatch still stops first).
    expect(r.out).toContain('jmp_table[1] emptied (was parse_ipv6)\n(bpfdbg) run\nStarting over from the beginning.\nBreakpoint 1, pc 28 in dispatch');
  });

  it('refuses bad --tail values with exit 2 or 1 and the reason', async () => {
    expect(await debug(['--tail', 'jmp_table=parse_ipv4'], '')).toMatchObject({ code: 2, err: expect.stringContaining('--tail: "jmp_table=parse_ipv4" is not MAP:INDEX=PROGRAM[@TYPE]') });
    expect(await debug(['--tail', 'jmp_table:0=nosuch'], '')).toMatchObject({ code: 1, err: expect.stringContaining('--tail jmp_table:0=nosuch: no program named nosuch (programs: dispatch, parse_ipv4, parse_ipv6, again, via_subprog)') });
    expect(await debug(['--tail', 'counts:0=parse_ipv4'], '')).toMatchObject({ code: 1, err: expect.stringContaining('counts is an array map, not a prog_array') });
    expect(await debug(['--tail', 'jmp_table:4=parse_ipv4'], '')).toMatchObject({ code: 1, err: expect.stringContaining('index 4 is out of range (max_entries 4): E2BIG') });
  });
});
