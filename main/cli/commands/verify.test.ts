// bpfdbg verify through an in-memory CliIO: exit codes, --json shape, and the log text.
import { describe, expect, it } from 'vitest';
import { main } from '../main';
import type { CliIO } from '../io';

function run(files: Record<string, string | Uint8Array>, argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw new Error(`ENOENT: ${p}`);
      return typeof f === 'string' ? new TextEncoder().encode(f) : f;
    },
    writeFile: () => undefined,
    readStdin: () => new Uint8Array(),
  };
  return main(['verify', ...argv], io).then((code) => ({ code, out, err }));
}

describe('bpfdbg verify', () => {
  it('accepts a valid program with exit 0 and prints the kernel statistics line', async () => {
    const r = await run({ 'ok.s': 'r0 = 0\nexit\n' }, ['ok.s']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n');
  });

  it('rejects with exit 1 and the kernel message as JSON', async () => {
    const r = await run({ 'bad.s': 'r1 = r2\nexit\n' }, ['bad.s', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toEqual({ verdict: 'reject', error: { insn: 0, message: 'R2 !read_ok' }, processed: 1, log: expect.stringContaining('0: (bf) r1 = r2\nR2 !read_ok\n') });
  });

  it('reads raw bytecode', async () => {
    // r0 = *(u32 *)(r1 + 0); exit — a socket filter may read skb->len.
    const raw = Uint8Array.of(0x61, 0x10, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
    expect((await run({ 'p.bin': raw }, ['p.bin', '--json'])).code).toBe(0);
    const x = await run({ 'p.bin': raw }, ['p.bin', '--type', 'xdp', '--log-level', '2']);
    expect(x.code).toBe(0);
    expect(x.out).toContain('R0=pkt(r=0)');
  });

  it('reports unreadable files and bad flags', async () => {
    expect((await run({}, ['missing.s'])).code).toBe(1);
    expect((await run({ 'a.s': 'exit' }, ['a.s', '--log-level', '3'])).code).toBe(2);
  });
});
