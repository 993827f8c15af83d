// Seed 003's tracing helpers (bpf_trace_callbacks.c) with their 2013 semantics, and the seed's
// filter_ex1 / filter_ex2 images end to end. Expectations come from the seed text [S3:Lnn]; the
// table runtime the RFC lacked (HLP-04) follows today's hash map, checked against the running
// kernel in helpers-2013.kernel.test.ts.
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../interp';
import { loadImage2013 } from '../obj/image-2013';
import { exampleBytes } from '../../tests/support/examples';
import { ctxAccess } from './prog-types';
import { BPF_CONTEXT_2013, bind2013Helpers, HashMap, Kernel, prepare2013, type Binding2013, type HelperDef } from './index';

const neg = (e: number): bigint => BigInt.asUintN(64, BigInt(-e));

function helper(k: Kernel, b: Binding2013, name: string): (...args: bigint[]) => ReturnType<Exclude<HelperDef['fn'], 'machine'>> {
  const h = k.helper(b.idFor(name, 1))!;
  if (h.fn === 'machine') throw new Error('machine helper');
  const fn = h.fn;
  return (...args) => fn({ kernel: k, args: [...args, 0n, 0n, 0n, 0n, 0n].slice(0, 5) });
}

function setup(probe?: string) {
  const k = new Kernel();
  const b = bind2013Helpers(k, [{ type: 1, keySize: 8, elemSize: 8, maxEntries: 2, param1: 0 }], probe ? { probe } : {});
  if (!('idFor' in b)) throw new Error(b.message);
  const mem = (bytes: Uint8Array | string): bigint => {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    const r = k.mapKernelMemory('obj', data, { writable: true });
    return (BigInt(r.hi >>> 0) << 32n) | BigInt(r.lo);
  };
  return { k, b, mem };
}

describe('bpf_load_pointer [S3:L3342-L3348]', () => {
  it('returns the pointer stored at unsafe_ptr, NULL when the read faults', () => {
    const { k, b, mem } = setup();
    const load = helper(k, b, 'bpf_load_pointer');
    const p = mem(Uint8Array.of(0x00, 0x20, 0, 0, 0x82, 0x88, 0xff, 0xff, 1, 2, 3, 4));
    expect(load(p)).toBe(0xffff888200002000n);
    expect(load(p + 8n)).toBe(0n); // only 4 bytes left in the object
    expect(load(0n)).toBe(0n);
    expect(load(0xdeadbeefn)).toBe(0n);
  });
});

describe('bpf_memcmp [S3:L3350-L3362]', () => {
  it('compares size < 64 bytes read from unsafe memory with the program buffer', () => {
    const { k, b, mem } = setup();
    const cmp = helper(k, b, 'bpf_memcmp');
    const lo = mem('lo\0\0'), eth = mem('eth0'), safe = mem('lo');
    expect(cmp(lo, safe, 2n)).toBe(0n);
    expect(cmp(eth, safe, 2n)).toBe(neg(7)); // 'e' - 'l' (lib/string.c memcmp)
    expect(cmp(lo, safe, 0n)).toBe(0n);
  });
  it('returns -1 for size >= 64 and probe_kernel_read\'s -EFAULT for unreadable memory', () => {
    const { k, b, mem } = setup();
    const cmp = helper(k, b, 'bpf_memcmp');
    const buf = mem(new Uint8Array(80));
    expect(cmp(buf, buf, 64n)).toBe(neg(1));
    expect(cmp(buf, buf, 63n)).toBe(0n);
    expect(cmp(0x10n, buf, 2n)).toBe(neg(14));
    expect(cmp(buf, buf, neg(1))).toBe(neg(14)); // hardened: a negative size would overrun buf[64] in the seed
  });
});

describe('bpf_trace_printk HLP-03 [S3:L3373-L3402]', () => {
  const printk = (fmt: string, size = fmt.length, args: bigint[] = [], probe?: string): { r0: unknown; console: string } => {
    const { k, b, mem } = setup(probe);
    const r0 = helper(k, b, 'bpf_trace_printk')(mem(fmt), BigInt(size), ...args);
    return { r0, console: k.console };
  };
  it('prints %p %d %u %x (int-sized %d/%u/%x, 16-digit %p) prefixed by the traced function; returns 0 (void)', () => {
    expect(printk('skb %p dev %p \n\0', undefined, [0xffff888200001000n, 0xffff888200002000n], '__netif_receive_skb_core'))
      .toEqual({ r0: 0n, console: '__netif_receive_skb_core: skb ffff888200001000 dev ffff888200002000 \n' });
    expect(printk('%d %u %x\n\0', undefined, [neg(1), neg(1), 0x1234567890n]).console).toBe('-1 4294967295 34567890\n');
  });
  it('prints nothing for other conversions, more than 3, a missing final NUL, or a % scanned anywhere in fmt_size', () => {
    for (const [fmt, size] of [
      ['%s\n\0', 4], ['100%%\n\0', 7], ['%ld\n\0', 5], ['%d %d %d %d\n\0', 13], ['no nul', 6], ['ab%\0', 4], ['ok\n\0%s\0', 7],
    ] as Array<[string, number]>) {
      expect(printk(fmt, size, [1n, 2n, 3n]), JSON.stringify(fmt)).toEqual({ r0: 0n, console: '' });
    }
    expect(printk('ok\n\0', 0).console).toBe(''); // fmt_size 0 would read fmt[-1] in the seed
  });
});

describe('bpf_dump_stack and unknown names', () => {
  it('dump_stack prints a stack note with the probed function and regs.ip', () => {
    const { k, b, mem } = setup('tcp_v4_rcv');
    const regs = new Uint8Array(168);
    new DataView(regs.buffer).setBigUint64(128, 0xffffffff81234567n, true);
    expect(helper(k, b, 'bpf_dump_stack')(mem(regs))).toBe(0n);
    expect(k.console).toBe(' <stack trace>\n => tcp_v4_rcv\n => (simulated kernel: no call chain beyond the probe; regs ip=0xffffffff81234567 sp=0x0000000000000000)\n');
  });
  it('an unknown name logs once and leaves R0 = 0 [S3:L3461-L3464]', () => {
    const { k, b } = setup();
    const f = helper(k, b, 'bpf_frobnicate');
    expect([f(), f()]).toEqual([0n, 0n]);
    expect(k.console).toBe("kernel: trace cannot execute unknown bpf function 1 'bpf_frobnicate'\n");
  });
});

describe('bpf_table_lookup / bpf_table_update over the image\'s tables (MAP-01..MAP-06)', () => {
  it('lookup gives a writable element or NULL; update inserts or overwrites, -E2BIG when full; a bad table_id faults', () => {
    const { k, b, mem } = setup();
    const lookup = helper(k, b, 'bpf_table_lookup');
    const update = helper(k, b, 'bpf_table_update');
    const key = (n: number): bigint => mem(Uint8Array.of(n, 0, 0, 0, 0, 0, 0, 0));
    const ctx = 0n; // PTR_TO_CTX: unused by the runtime
    expect(lookup(ctx, 0n, key(1))).toBe(0n);
    expect(update(ctx, 0n, key(1), key(5))).toBe(0n);
    const e = lookup(ctx, 0n, key(1)) as bigint;
    expect(k.space.read(e, 8)).toEqual(Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0));
    expect(k.space.write(e, Uint8Array.of(6))).toBeUndefined(); // leaf->packet_cnt++ writes in place
    expect(b.tables[0].get(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0))![0]).toBe(6);
    expect(update(ctx, 0n, key(1), key(9))).toBe(0n); // overwrite
    expect(update(ctx, 0n, key(2), key(9))).toBe(0n);
    expect(update(ctx, 0n, key(3), key(9))).toBe(neg(7)); // max_entries 2 (OQ-03)
    expect(lookup(ctx, 1n, key(1))).toMatchObject({ code: 'helper_arg', message: expect.stringMatching(/table_id 1 is not a table/) });
  });
  it('refuses LPM and zero-sized table definitions', () => {
    expect(bind2013Helpers(new Kernel(), [{ type: 2, keySize: 8, elemSize: 8, maxEntries: 1, param1: 0 }])).toMatchObject({ code: 'table_def' });
    expect(bind2013Helpers(new Kernel(), [{ type: 1, keySize: 0, elemSize: 8, maxEntries: 1, param1: 0 }])).toMatchObject({ code: 'table_def' });
  });
});

// The seed's examples: filter_ex1 prints skb and dev when dev->name is "lo"; filter_ex2 counts packets per dev.
const SKB = 0xffff888200001000n;
const DEV = 0xffff888200002000n;

function imageRun(file: string, devName: string | undefined, runs = 1, seedCount?: bigint, helpers: '2013' | '2013-faithful' = '2013') {
  const k = new Kernel();
  if (devName !== undefined) {
    const skb = new Uint8Array(64);
    new DataView(skb.buffer).setBigUint64(32, DEV, true); // skb->dev
    k.mapKernelMemory('skb', skb, { address: SKB });
    k.mapKernelMemory('net_device', new TextEncoder().encode(devName.padEnd(16, '\0')), { address: DEV });
  }
  const image = loadImage2013(exampleBytes(`2013/${file}`)).image!;
  const prep = prepare2013(k, image, { probe: '__netif_receive_skb_core', helpers });
  if ('error' in prep) throw new Error(prep.error);
  if (seedCount !== undefined) {
    const key = new Uint8Array(8);
    new DataView(key.buffer).setBigUint64(0, DEV, true);
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigUint64(0, seedCount, true);
    (prep.binding!.tables[0] as HashMap).update(key, v, 0, 0);
  }
  const regs = new Uint8Array(168);
  new DataView(regs.buffer).setBigUint64(104, SKB, true); // regs.si: the tracepoint probe's skb argument
  const results = [];
  for (let i = 0; i < runs; i++) {
    const p = prepareRun(prep.insns, { type: 'kprobe', kernel: k, ctx: regs });
    if (!('machine' in p)) throw new Error(p.message);
    p.machine.run({ budget: 10_000 });
    results.push({ r0: p.machine.reg(0), executed: p.machine.executed, fault: p.machine.fault });
    p.machine.dispose();
  }
  return { k, prep, results };
}

describe('the seed\'s images end to end (helpers 2013)', () => {
  it('filter_ex1 prints for the loopback device only, and nothing when skb->dev cannot be read', () => {
    const lo = imageRun('filter_ex1.bpf', 'lo');
    expect(lo.results[0]).toMatchObject({ r0: 0n, fault: undefined });
    expect(lo.k.console).toBe('__netif_receive_skb_core: skb ffff888200001000 dev ffff888200002000 \n');
    const eth = imageRun('filter_ex1.bpf', 'eth0');
    expect(eth.k.console).toBe('');
    const none = imageRun('filter_ex1.bpf', undefined);
    expect(none.results[0].fault).toBeUndefined();
    expect(none.k.console).toBe('');
  });

  it('filter_ex2: the first packet inserts count 0, later ones add 1; every 10000th prints', () => {
    const r = imageRun('filter_ex2.bpf', 'lo', 3);
    expect(r.results.every((x) => x.fault === undefined)).toBe(true);
    const t = r.prep.binding!.tables[0];
    expect(t.entries().map((e) => new DataView(e.value.buffer).getBigUint64(0, true))).toEqual([2n]);
    expect(r.k.console).toBe('');
    const p = imageRun('filter_ex2.bpf', 'lo', 1, 9999n);
    expect(p.k.console).toBe('__netif_receive_skb_core: dev ffff888200002000  pkt_cnt 10000\n');
  });

  it('filter_ex2 under the RFC\'s own runtime (faithful-legacy) does nothing: its table helpers never existed (HLP-04)', () => {
    const r = imageRun('filter_ex2.bpf', 'lo', 3, undefined, '2013-faithful');
    expect(r.results.every((x) => x.fault === undefined && x.r0 === 0n)).toBe(true);
    expect(r.prep.binding!.tables[0].entries()).toEqual([]);
    expect(r.k.console).toBe("kernel: trace cannot execute unknown bpf function 18 'bpf_table_lookup'\nkernel: trace cannot execute unknown bpf function 52 'bpf_table_update'\n");
  });
});

describe('the 2013 tracing filter ctx (PT-01)', () => {
  it('allows only 8-byte reads of regs.di/si/dx/cx, as get_context_access [S3:L3314-L3340]', () => {
    const ok = (off: number, size: number, kind: 'read' | 'write' = 'read'): boolean => ctxAccess(BPF_CONTEXT_2013, off, size, kind).ok;
    expect([112, 104, 96, 88].map((o) => ok(o, 8))).toEqual([true, true, true, true]);
    expect([ok(104, 4), ok(128, 8), ok(0, 8), ok(168, 8), ok(112, 8, 'write')]).toEqual([false, false, false, false, false]);
  });
});
