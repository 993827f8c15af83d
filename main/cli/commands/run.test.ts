// bpfdbg run through an in-memory CliIO: r0 output, --json shape, faults, raw bytecode, ELF objects (when clang is present).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  return main(['run', ...argv], io).then((code) => ({ code, out, err }));
}

const CLANG = '/usr/bin/clang-19';

describe('bpfdbg run', () => {
  it('prints r0 of an assembly program', async () => {
    const r = await run({ 'p.s': 'r0 = 7\nr0 *= 6\nexit\n' }, ['p.s']);
    expect(r).toMatchObject({ code: 0, out: '0x2a\n' });
  });

  it('runs a tracepoint program over its event record and a raw tracepoint over its u64 args, by the ELF section', async () => {
    const obj = readFileSync(join(__dirname, '../../../resources/examples/tp_counter.o'));
    // struct sys_enter_write_args: common header, syscall_nr, pad, fd = 3, buf, count = 0x20.
    const record = '00'.repeat(16) + '0300000000000000' + '00'.repeat(8) + '2000000000000000';
    const write = await run({ 'tp.o': obj }, ['tp.o', '--program', 'count_write', '--ctx', record, '--maps', '--json']);
    expect(write.code, write.err).toBe(0);
    const out = JSON.parse(write.out) as { fault: unknown; maps: Array<{ name: string; entries: Array<{ key: string; value: string }> }> };
    expect(out.fault).toBeNull();
    expect(out.maps.find((m) => m.name === 'writes_per_cpu')?.entries[0]).toEqual({ key: '00000000', value: '0100000000000000' });
    // A record cut before `count` faults on the read of args->count, naming the tracepoint's ctx.
    const short = await run({ 'tp.o': obj }, ['tp.o', '--program', 'count_write', '--ctx', record.slice(0, 48), '--json']);
    expect(JSON.parse(short.out).fault.message).toMatch(/trace event record/);
    const sys = await run({ 'tp.o': obj }, ['tp.o', '--program', 'count_syscalls', '--ctx', '00'.repeat(16), '--maps', '--json']);
    expect(sys.code, sys.err).toBe(0);
    expect((JSON.parse(sys.out) as typeof out).maps.find((m) => m.name === 'syscalls_seen')?.entries[0].value).toBe('0100000000000000');
  });

  it('passes --mem as r1/r2 and reports JSON', async () => {
    const r = await run({ 'p.s': 'r0 = *(u32 *)(r1 + 0)\nr0 += r2\nexit\n' }, ['p.s', '--mem', '01000000', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ r0: '5', executed: 3, console: '', fault: null });
  });

  it('reports a fault with exit 1', async () => {
    const r = await run({ 'p.s': 'r0 = *(u64 *)(r1 + 0)\nexit\n' }, ['p.s', '--mem', '0102', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).fault).toMatchObject({ code: 'mem_out_of_bounds', pc: 0, size: 8, region: 'mem' });
  });

  it('runs raw bytecode and stops at the budget', async () => {
    // r0 += 1 (07 00 .. 01 00 00 00); goto -2 (05 00 fe ff ..)
    const raw = Uint8Array.of(0x07, 0, 0, 0, 1, 0, 0, 0, 0x05, 0, 0xfe, 0xff, 0, 0, 0, 0);
    const r = await run({ 'p.bin': raw }, ['p.bin', '--budget', '100', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ r0: '50', executed: 100, fault: { code: 'budget_exhausted' } });
  });

  it('rejects bad hex with a usage error', async () => {
    expect((await run({ 'p.s': 'exit\n' }, ['p.s', '--mem', 'xyz'])).code).toBe(2);
  });

  it.skipIf(!existsSync(CLANG))(`runs an ELF xdp program with a hash map and trace_printk${existsSync(CLANG) ? '' : ' (skipped: clang-19 not installed)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-run-'));
    writeFileSync(join(dir, 'p.c'), `
      #define SEC(x) __attribute__((section(x), used))
      typedef unsigned int u32; typedef unsigned long long u64;
      struct xdp_md { u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
      static long (*trace_printk)(const char *fmt, u32 size, ...) = (void *)6;
      static void *(*lookup)(void *map, const void *key) = (void *)1;
      static long (*update)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
      struct { int (*type)[1]; int (*max_entries)[16]; u32 *key; u64 *value; } counts SEC(".maps");
      SEC("xdp") int count_len(struct xdp_md *ctx) {
        void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
        u32 len = end - data;
        u64 one = 1, *v = lookup(&counts, &len);
        if (v) __sync_fetch_and_add(v, 1); else update(&counts, &len, &one, 0);
        char fmt[] = "len %u first %x\\n";
        if (data + 1 <= end) trace_printk(fmt, sizeof(fmt), len, *(unsigned char *)data);
        return len > 10 ? 2 : 1;
      }
      char _license[] SEC("license") = "GPL";
    `);
    execFileSync(CLANG, ['-O2', '-g', '-target', 'bpf', '-c', join(dir, 'p.c'), '-o', join(dir, 'p.o')]);
    const obj = new Uint8Array(readFileSync(join(dir, 'p.o')));
    const r = await run({ 'p.o': obj }, ['p.o', '--packet', '0a0b0c0d0e0f101112131415', '--json']);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ r0: '2', console: 'len 12 first a\n', fault: null });
  });

  describe('2013 images (seed 003) and kprobes (seed 004)', () => {
    const image = (name: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '..', '..', '..', 'resources', 'examples', '2013', name)));
    // A struct sk_buff whose dev (offset 32) points at a net_device named "lo".
    const SKB = `0xffff888200001000=${'00'.repeat(32)}002000008288ffff`;
    const DEV = `0xffff888200002000=${Buffer.from('lo'.padEnd(16, '\0')).toString('hex')}`;

    it('runs filter_ex1 with pt_regs, kernel memory and the traced function', async () => {
      const r = await run({ 'ex1.bpf': image('filter_ex1.bpf') }, ['ex1.bpf', '--regs', 'si=0xffff888200001000', '--kmem', `${SKB},${DEV}`, '--probe', '__netif_receive_skb_core']);
      expect(r).toMatchObject({ code: 0, err: '', out: '__netif_receive_skb_core: skb ffff888200001000 dev ffff888200002000 \n0x0\n' });
    });

    it('runs filter_ex2 repeatedly on one kernel and shows its table, with 2013 and with modern helpers', async () => {
      for (const helpers of ['2013', 'modern']) {
        const r = await run({ 'ex2.bpf': image('filter_ex2.bpf') }, ['ex2.bpf', '--regs', 'si=0xffff888200001000', '--kmem', SKB, '--repeat', '3', '--maps', '--json', '--helpers', helpers]);
        expect(r.code, r.err).toBe(0);
        expect(JSON.parse(r.out)).toMatchObject({ r0: '0', runs: 3, fault: null, maps: [{ type: 'hash', entries: [{ key: '002000008288ffff', value: '0200000000000000' }] }] });
      }
    });

    it('--kprobe: a program attached to the helper it calls is not re-entered; --nmi skips it', async () => {
      const src = '*(u32 *)(r10 - 4) = 0x000a6968\nr1 = r10\nr1 += -4\nr2 = 4\ncall 6\nr0 = 1\nexit\n';
      const r = await run({ 'p.s': src }, ['p.s', '--kprobe', 'bpf_trace_printk']);
      expect(r).toMatchObject({ code: 0, out: 'hi\nkprobe bpf_trace_printk: event stored (trace_call_bpf returned 1); runs 1, stored 1, filtered 0, recursion drops 1, nmi bypass 0\n0x1\n' });
      const n = await run({ 'p.s': src }, ['p.s', '--kprobe', 'bpf_trace_printk', '--nmi', '--json']);
      expect(JSON.parse(n.out)).toMatchObject({ console: '', kprobe: { ret: '1', runs: 0, nmiBypass: 1, events: [{ outcome: 'nmi_bypass' }] } });
    });
  });

  it.skipIf(!existsSync(CLANG))(`--tail: a kprobe program tail-calls a DTrace program that writes a record (seed 002)${existsSync(CLANG) ? '' : ' (skipped: clang-19 not installed)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-run-'));
    writeFileSync(join(dir, 'd.c'), DTRACE_C);
    execFileSync(CLANG, ['-O2', '-g', '-target', 'bpf', '-c', join(dir, 'd.c'), '-o', join(dir, 'd.o')]);
    const obj = new Uint8Array(readFileSync(join(dir, 'd.o')));
    const r = await run({ 'd.o': obj }, ['d.o', '--program', 'probe', '--tail', 'dt_progs:0=action@dtrace', '--regs', 'di=0xffffff9c,si=0x7ffd00001000', '--json']);
    expect(r.code, r.err).toBe(0);
    // probe id 42 from the per-CPU map (finalize_context), then argv[0] = di and argv[1] = si of the converted ctx.
    expect(JSON.parse(r.out)).toMatchObject({ r0: '1', fault: null, dtrace: [{ cpu: 0, offset: 0, data: '2a000000000000009cffffff0000000000100000fd7f0000' }] });
    const bad = await run({ 'd.o': obj }, ['d.o', '--program', 'probe', '--tail', 'dt_progs:0=action@dtrace', '--type', 'socket_filter']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bpf_check_tail_call: a socket_filter program cannot use dt_progs, which holds dtrace programs \(-EINVAL\)/);
  });
});

const DTRACE_C = `// Seed 002 flow: a kprobe program passes a probe id through a per-CPU map and tail-calls a DTrace program.
#define SEC(x) __attribute__((section(x), used))
typedef unsigned int u32; typedef unsigned long long u64;
struct pt_regs { u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss; };
struct dtrace_bpf_ctx { u32 probe_id, cpu, pid, tid; u64 timestamp; u64 argv[6]; u64 ip; u64 buf, buf_end; };
static long (*update)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (*tail_call)(void *ctx, void *map, u32 index) = (void *)12;
/* ids of \`bpfdbg run --dtrace\`'s kernel (not upstream ids) */
static long (*finalize_context)(void *ctx, void *map) = (void *)4096;
static long (*buffer_reserve)(void *ctx, u32 buf_id, u32 size) = (void *)4097;
static long (*buffer_commit)(void *ctx, u32 buf_id) = (void *)4098;
struct { int (*type)[6]; int (*max_entries)[1]; u32 *key; u64 *value; } dt_finalize SEC(".maps");
struct { int (*type)[3]; int (*max_entries)[4]; int (*key_size)[4]; int (*value_size)[4]; } dt_progs SEC(".maps");

SEC("kprobe/do_sys_openat2") int probe(struct pt_regs *regs) {
  u32 key = 0;
  u64 id = 42;
  update(&dt_finalize, &key, &id, 0);
  tail_call(regs, &dt_progs, 0);
  return 0; /* only when the tail call falls through */
}

SEC("dtrace") int action(struct dtrace_bpf_ctx *ctx) {
  if (finalize_context(ctx, &dt_finalize)) return 0;
  if (buffer_reserve(ctx, __builtin_offsetof(struct dtrace_bpf_ctx, buf), 24)) return 0;
  u64 *buf = (u64 *)ctx->buf, *end = (u64 *)ctx->buf_end;
  if (buf + 3 > end) return 0;
  buf[0] = ctx->probe_id;
  buf[1] = ctx->argv[0];
  buf[2] = ctx->argv[1];
  buffer_commit(ctx, __builtin_offsetof(struct dtrace_bpf_ctx, buf));
  return 1;
}
char _license[] SEC("license") = "GPL";
`;
