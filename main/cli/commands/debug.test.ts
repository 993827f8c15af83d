// bpfdbg debug run in-process through main() with an in-memory CliIO: a full stepping transcript, a clang-built object, and input errors.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../io';
import { main } from '../main';

function fakeIO(files: Record<string, string | Uint8Array>, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file '${p}'`);
      const f = files[p];
      return typeof f === 'string' ? new TextEncoder().encode(f) : f;
    },
    writeFile: () => undefined,
    readStdin: () => new TextEncoder().encode(stdin),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

/** Stack addresses depend on where the simulated kernel maps frames; the transcript is about everything else. */
const normalize = (t: string): string => t.replace(/0xffffc9[0-9a-f]{10}/g, '0xSTACK');

// Sum of squares 1..4 through a bpf-to-bpf call, with a spill to fp-8 on each iteration.
const SQUARES = `r6 = 0
r7 = 1
loop:
r1 = r7
call square
r6 += r0
*(u64 *)(r10 - 8) = r6
r7 += 1
if r7 <= 4 goto loop
r0 = r6
exit
square:
r0 = r1
r0 *= r1
exit
`;

const COMMANDS = [
  'break 5 if r7 == 3', 'run', 'print r7', 'step', 'bt', 'next', 'finish', 'p r0', 'watch *(u64 *)(r10 - 8)', 'continue',
  'info stack', 'reverse-step', 'x/1gx r10-8', 'reverse-continue', 'info breakpoints', 'delete', 'continue', 'reverse-stepi',
  'info registers r0 r6 r7',
];

const EXPECTED = `Loaded squares.s from squares.s: 13 instructions (13 slots), type raw, line info for 13 instructions.
Type "help" for commands, "run" to start.
(bpfdbg) break 5 if r7 == 3
Breakpoint 1 at pc 3: file squares.s, line 5. Condition: r7 == 3
(bpfdbg) run
Breakpoint 1, pc 3 at squares.s:5
=> 3: call square    ; squares.s:5
(bpfdbg) print r7
$1 = 3
(bpfdbg) step
=> 10: r0 = r1    ; squares.s:13
(bpfdbg) bt
#0  pc 10 in square at squares.s:13
#1  pc 3 in squares at squares.s:5
(bpfdbg) next
=> 11: r0 *= r1    ; squares.s:14
(bpfdbg) finish
=> 4: r6 += r0    ; squares.s:6
(bpfdbg) p r0
$2 = 9
(bpfdbg) watch *(u64 *)(r10 - 8)
Watchpoint 2: *(u64 *)(r10 - 8) (8 bytes at 0xSTACK)
(bpfdbg) continue
Watchpoint 2: *(u64 *)(r10 - 8)

Old value = 0x5
New value = 0xe
=> 6: r7 += 1    ; squares.s:8
(bpfdbg) info stack
fp-8    0xSTACK  0x000000000000000e  spilled r6 at pc 5
(bpfdbg) reverse-step
Watchpoint 2: *(u64 *)(r10 - 8)

Old value = 0xe
New value = 0x5
=> 5: *(u64 *)(r10 - 8) = r6    ; squares.s:7
(bpfdbg) x/1gx r10-8
0xSTACK:\t0x0000000000000005
(bpfdbg) reverse-continue
Breakpoint 1, pc 3 at squares.s:5
=> 3: call square    ; squares.s:5
(bpfdbg) info breakpoints
Num  Type        Disp  Enb  Where
1    breakpoint  keep  y    pc 3 (squares.s:5)
\tstop only if r7 == 3
\tbreakpoint already hit 2 times
2    watchpoint  keep  y    *(u64 *)(r10 - 8) (8 bytes at 0xSTACK)
\twatchpoint already hit 2 times
(bpfdbg) delete
Deleted 1, 2.
(bpfdbg) continue
program exited with r0 = 30 (0x1e)
(bpfdbg) reverse-stepi
=> 9: exit    ; squares.s:11
(bpfdbg) info registers r0 r6 r7
r0   0x1e                30
r6   0x1e                30
r7   0x5                 5
`;

describe('bpfdbg debug', () => {
  it('steps, watches and reverses through an assembly program (transcript)', async () => {
    const f = fakeIO({ 'squares.s': SQUARES }, COMMANDS.join('\n') + '\n');
    expect(await main(['debug', 'squares.s', '--echo'], f.io)).toBe(0);
    expect(f.err()).toBe('');
    // The lead quotes this transcript; print it so the test log shows it.
    console.log(`$ printf '${COMMANDS.join('\\n')}\\n' | bpfdbg debug squares.s --echo\n${f.out()}`);
    expect(normalize(f.out())).toBe(EXPECTED);
  });

  it('prints no prompt without --echo and stops at quit', async () => {
    const f = fakeIO({ 'squares.s': SQUARES }, 'break 13\nrun\nquit\ninfo registers\n');
    expect(await main(['debug', 'squares.s'], f.io)).toBe(0);
    const lines = f.out().split('\n');
    expect(lines.slice(2)).toEqual(['Breakpoint 1 at pc 10: file squares.s, line 13.', 'Breakpoint 1, pc 10 at squares.s:13', '=> 10: r0 = r1    ; squares.s:13', '']);
  });

  it('passes --mem to a raw program (r1 = its address, r2 = its length)', async () => {
    const src = 'r0 = *(u32 *)(r1 + 4)\nr0 += r2\nexit\n';
    const f = fakeIO({ 'm.s': src }, 'stepi\np/x r0\nc\n');
    expect(await main(['debug', 'm.s', '--mem', '01000000 2a000000'], f.io)).toBe(0);
    expect(f.out()).toContain('$1 = 0x2a\n');
    expect(f.out()).toContain('program exited with r0 = 50 (0x32)\n');
  });

  it('debugs 2013 images (seed 003) with the 2013 helper set, the faithful RFC runtime, or refuses modern where no helper exists', async () => {
    const ex2 = new Uint8Array(readFileSync(join(__dirname, '../../../resources/examples/2013/filter_ex2.bpf')));
    const ex1 = new Uint8Array(readFileSync(join(__dirname, '../../../resources/examples/2013/filter_ex1.bpf')));
    // skb (pt_regs.si) unreadable: bpf_load_pointer gives NULL, so the table gets key 0 with a count of 0 (the seed's first-packet insert).
    const seeded = fakeIO({ 'f2.bpf': ex2 }, 'run\ninfo maps\n');
    expect(await main(['debug', 'f2.bpf'], seeded.io)).toBe(0);
    expect(seeded.out()).toContain('type kprobe');
    expect(seeded.out()).toContain('program exited with r0 = 0 (0x0)');
    expect(seeded.out()).toContain('table0: hash, key 8 bytes, value 8 bytes, max_entries 4096');
    expect(seeded.out()).toContain('[00 00 00 00 00 00 00 00] = 00 00 00 00 00 00 00 00');
    const faithful = fakeIO({ 'f2.bpf': ex2 }, 'run\ninfo maps\ninfo output\n');
    expect(await main(['debug', 'f2.bpf', '--helpers', '2013-faithful'], faithful.io)).toBe(0);
    expect(faithful.out()).toMatch(/table0: hash.*0 entries/);
    const modern = fakeIO({ 'f1.bpf': ex1 }, 'run\n');
    expect(await main(['debug', 'f1.bpf', '--helpers', 'modern'], modern.io)).toBe(1);
    expect(modern.err()).toContain('bpf_memcmp');
  });

  it('reports unreadable files, bad programs and bad options with the documented exit codes', async () => {
    const missing = fakeIO({});
    expect(await main(['debug', 'nope.s'], missing.io)).toBe(1);
    expect(missing.err()).toMatch(/cannot read nope.s/);
    const bad = fakeIO({ 'bad.s': 'r1 = \n' });
    expect(await main(['debug', 'bad.s'], bad.io)).toBe(1);
    expect(bad.err()).toMatch(/^bad.s:1:\d+: error: /);
    const hex = fakeIO({ 'squares.s': SQUARES });
    expect(await main(['debug', 'squares.s', '--mem', 'xyz'], hex.io)).toBe(2);
    expect(hex.err()).toMatch(/--mem wants hex bytes/);
    const type = fakeIO({ 'squares.s': SQUARES });
    expect(await main(['debug', 'squares.s', '--type', 'nonsense'], type.io)).toBe(2);
  });

  const clang = '/usr/bin/clang-19';
  it.skipIf(!existsSync(clang))('debugs a clang-built object with C line info, a subprogram and a global (needs clang-19)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-debug-'));
    try {
      const csrc = `#define SEC(n) __attribute__((section(n), used))

unsigned long counter;

static __attribute__((noinline)) int scale(int a, int b)
{
	int r = a * b;
	return r + 1;
}

SEC("syscall")
int sum(void *ctx)
{
	int s = 0;
	for (int i = 0; i < 4; i++)
		s += scale(i, 3);
	counter += s;
	return s;
}

char LICENSE[] SEC("license") = "GPL";
`;
      writeFileSync(join(dir, 'prog.c'), csrc);
      execFileSync(clang, ['-target', 'bpf', '-O2', '-g', '-c', 'prog.c', '-o', 'prog.o'], { cwd: dir });
      const obj = new Uint8Array(readFileSync(join(dir, 'prog.o')));
      // The source file is read by the name the line info gives, as gdb does, for `list`.
      const f = fakeIO({ 'prog.o': obj, [join(dir, 'prog.c')]: csrc }, ['break scale', 'run', 'bt', 'finish', 'p r0', 'delete', 'next', 'p r0', 'next', 'x/1gx r2', 'reverse-next', 'list', 'c'].join('\n') + '\n');
      expect(await main(['debug', 'prog.o', '--program', 'sum', '--echo'], f.io)).toBe(0);
      const out = f.out();
      expect(f.err()).toBe('');
      expect(out).toMatch(/^Loaded sum from prog.o: \d+ instructions \(\d+ slots\), type syscall, line info for \d+ instructions\./);
      // The subprogram's first instruction carries the line of its declaration in BTF line info.
      expect(out).toMatch(/Breakpoint 1, pc (\d+) at \S*prog.c:5\n=> \1: r0 = r1 {4}; \S*prog.c:5 {2}static __attribute__\(\(noinline\)\) int scale\(int a, int b\)\n/);
      expect(out).toMatch(/#0 {2}pc \d+ in scale at \S*prog.c:5\n#1 {2}pc 1 in sum at \S*prog.c:16\n/);
      // finish returns after the first call: scale(0, 3) = 1.
      expect(out).toMatch(/\(bpfdbg\) finish\n=> 2: r6 = r0 {4}; \S*prog.c:16 {2}s \+= scale\(i, 3\);\n\(bpfdbg\) p r0\n\$1 = 1\n/);
      // next steps over the remaining calls to line 17: 1 + 4 + 7 + 10 = 22.
      expect(out).toMatch(/\(bpfdbg\) next\n=> 14: r1 = r0 {4}; \S*prog.c:17 {2}counter \+= s;\n\(bpfdbg\) p r0\n\$2 = 22 \(0x16\)\n/);
      // After line 17, `counter` (the .bss map value r2 points at) holds 22.
      expect(out).toMatch(/\(bpfdbg\) x\/1gx r2\n0xffff8881[0-9a-f]{8}:\t0x0000000000000016\n/);
      expect(out).toMatch(/\(bpfdbg\) reverse-next\n=> 14: /);
      // Lines 12-13 carry no code (no line info): their text comes from the file.
      expect(out).toContain('(bpfdbg) list\n12\tint sum(void *ctx)\n13\t{\n14\t\tint s = 0;\n15\t\tfor (int i = 0; i < 4; i++)\n16\t\t\ts += scale(i, 3);\n17\t\tcounter += s;\n18\t\treturn s;\n19\t}\n20\n21\tchar LICENSE[] SEC("license") = "GPL";\n');
      expect(out).toMatch(/\(bpfdbg\) c\nprogram exited with r0 = 22 \(0x16\)\n$/);
      console.log(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(clang))('reverse execution undoes helper writes to a hash map exactly (needs clang-19)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-debug-'));
    try {
      writeFileSync(join(dir, 'maps.c'), `#define SEC(n) __attribute__((section(n), used))
typedef unsigned int __u32;
typedef unsigned long long __u64;

struct {
	int (*type)[1];
	int (*max_entries)[16];
	__u32 *key;
	__u64 *value;
} counts SEC(".maps");

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;

SEC("syscall")
int count(void *ctx)
{
	for (__u32 k = 0; k < 3; k++) {
		__u64 *v = bpf_map_lookup_elem(&counts, &k);
		if (v) {
			*v += 10;
		} else {
			__u64 one = 1;
			bpf_map_update_elem(&counts, &k, &one, 0);
		}
	}
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	return v ? *v : -1;
}

char LICENSE[] SEC("license") = "GPL";
`);
      execFileSync(clang, ['-target', 'bpf', '-O2', '-g', '-c', 'maps.c', '-o', 'maps.o'], { cwd: dir });
      const obj = new Uint8Array(readFileSync(join(dir, 'maps.o')));
      // Run twice in one timeline: if reverse-continue left the inserted elements behind, the second
      // pass would find them and add 10 (r0 = 11).
      const f = fakeIO({ 'maps.o': obj }, ['run', 'info maps', 'reverse-continue', 'info maps', 'continue', 'info maps counts'].join('\n') + '\n');
      expect(await main(['debug', 'maps.o', '--echo'], f.io)).toBe(0);
      expect(f.err()).toBe('');
      const entries = '  [00 00 00 00] = 01 00 00 00 00 00 00 00\n  [01 00 00 00] = 01 00 00 00 00 00 00 00\n  [02 00 00 00] = 01 00 00 00 00 00 00 00\n';
      const head = (n: number): RegExp => new RegExp(`counts: hash, key 4 bytes, value 8 bytes, max_entries 16, at 0x[0-9a-f]+; ${n} entr`);
      const out = f.out();
      const parts = out.split('(bpfdbg) ');
      expect(parts[1]).toBe('run\nprogram exited with r0 = 1 (0x1)\n');
      expect(parts[2]).toMatch(head(3));
      expect(parts[2].endsWith(entries)).toBe(true);
      expect(parts[3]).toMatch(/^reverse-continue\nNo more reverse-execution history: at the start of the program.\n/);
      expect(parts[4]).toMatch(head(0));
      expect(parts[5]).toBe('continue\nprogram exited with r0 = 1 (0x1)\n');
      expect(parts[6].endsWith(entries)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
