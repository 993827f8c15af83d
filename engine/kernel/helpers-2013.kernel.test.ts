// Kernel oracle for the 2013 helper set where today's kernel has the same thing: filter_ex2 transcoded
// to modern helpers (probe_read + map_lookup/update_elem + atomic add) runs in the running kernel
// through BPF_PROG_TEST_RUN, and its hash map must end up as the table of our 2013-helper run (and of
// our modern-helper run) after the same events. The skb pointers are addresses neither kernel can read,
// so bpf_load_pointer's NULL-on-fault path decides the key, exactly as probe_read's failure does there.
// The program is loaded as BPF_PROG_TYPE_SYSCALL (sleepable), whose ctx is a plain buffer: offset 104
// is pt_regs->si in both.
import { describe, expect, it } from 'vitest';
import { bpfAvailability, closeFd, mapCreate, mapGetNextKey, mapLookup, progLoad, progTestRun } from '../host/bpf';
import { withBuffers } from '../host/bpf/syscall';
import { prepareRun } from '../interp';
import { encode } from '../isa';
import { transcodeProgram } from '../isa/ebpf2013';
import { loadImage2013 } from '../obj/image-2013';
import { exampleBytes } from '../../tests/support/examples';
import { Kernel, prepare2013, type BpfMap } from './index';

const avail = bpfAvailability();
const skipReason = avail.ok ? '' : ` (skipped: ${avail.reason})`;
const BPF_F_SLEEPABLE = 1 << 4;
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function regs(si: bigint): Uint8Array {
  const b = new Uint8Array(168);
  new DataView(b.buffer).setBigUint64(104, si, true);
  return b;
}

/** Our run: the same events on one simulated kernel; the table as hex key -> hex value. */
function ours(helpers: '2013' | 'modern', events: bigint[], memory: Array<{ address: bigint; bytes: Uint8Array }> = []): Record<string, string> {
  const k = new Kernel();
  for (const m of memory) k.mapKernelMemory('skb', m.bytes, { address: m.address });
  const prep = prepare2013(k, loadImage2013(exampleBytes('2013/filter_ex2.bpf')).image!, { helpers });
  if ('error' in prep) throw new Error(prep.error);
  const maps: BpfMap[] = prep.maps.map((d) => k.createMap(d) as BpfMap);
  for (const si of events) {
    const p = prepareRun(prep.insns, { type: 'kprobe', kernel: k, ctx: regs(si), maps });
    if (!('machine' in p)) throw new Error(p.message);
    p.machine.run({ budget: 10_000 });
    expect(p.machine.fault).toBeUndefined();
    p.machine.dispose();
  }
  const table = helpers === '2013' ? prep.binding!.tables[0] : maps[0];
  return Object.fromEntries(table.entries().map((e) => [hex(e.key), hex(e.value)]));
}

describe(`2013 tables and bpf_load_pointer against the running kernel${skipReason}`, () => {
  it.skipIf(!avail.ok)('filter_ex2: the kernel map after N test runs equals our table', (ctx) => {
    const t = transcodeProgram(loadImage2013(exampleBytes('2013/filter_ex2.bpf')).image!);
    expect(t.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const m = t.maps[0];
    const map = mapCreate({ mapType: 'hash', keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries });
    expect(map.ok).toBe(true);
    if (!map.ok) return;
    const prog = progLoad({ progType: 'syscall', insns: encode(t.insns), license: 'GPL', fdArray: [map.fd], progFlags: BPF_F_SLEEPABLE, logLevel: 1 });
    if (!prog.ok && /GPL|license/i.test(`${prog.message} ${prog.log}`)) {
      closeFd(map.fd);
      ctx.skip(`the kernel refused the gpl_only probe_read: ${prog.message}`);
    }
    expect(prog.ok, `${prog.message}\n${prog.log}`).toBe(true);
    // Unreadable skb pointers: NULL, a user-space page nobody mapped, and a non-canonical address.
    const events = [0n, 0n, 0x1000n, 0xdead000000000000n, 0n];
    try {
      for (const si of events) {
        const r = progTestRun(prog.fd!, { ctxIn: regs(si) });
        expect(r.ok, r.message).toBe(true);
      }
      const kernel: Record<string, string> = {};
      let key: Uint8Array | undefined;
      for (;;) {
        const next = mapGetNextKey(map.fd, key, m.keySize);
        if (!next.ok) break;
        key = next.value;
        const v = mapLookup(map.fd, key, m.valueSize);
        expect(v.ok).toBe(true);
        if (v.ok) kernel[hex(key)] = hex(v.value);
      }
      // Every pointer faulted, so every event counted under the NULL dev: insert 0, then +1 four times.
      expect(kernel).toEqual({ '0000000000000000': '0400000000000000' });
      expect(ours('2013', events)).toEqual(kernel);
      expect(ours('modern', events)).toEqual(kernel);

      // A readable "skb": native memory of this process. probe_read of a user address reads user memory
      // on x86-64 (bpf_probe_read_compat), so skb->dev (offset 32) becomes the key in both kernels.
      withBuffers((alloc) => {
        const skbBytes = new Uint8Array(40);
        new DataView(skbBytes.buffer).setBigUint64(32, 0xffff888200002000n, true);
        const skb = alloc(40, skbBytes);
        const more = [skb.address, skb.address, 0n];
        for (const si of more) expect(progTestRun(prog.fd!, { ctxIn: regs(si) }).ok).toBe(true);
        const dev = mapLookup(map.fd, Uint8Array.of(0x00, 0x20, 0, 0, 0x82, 0x88, 0xff, 0xff), m.valueSize);
        expect(dev.ok && hex(dev.value)).toBe('0100000000000000');
        const mem = [{ address: skb.address, bytes: skbBytes }];
        const all = { '0000000000000000': '0500000000000000', '002000008288ffff': '0100000000000000' };
        expect(ours('2013', [...events, ...more], mem)).toEqual(all);
        expect(ours('modern', [...events, ...more], mem)).toEqual(all);
      });
    } finally {
      closeFd(prog.fd!);
      closeFd(map.fd);
    }
  });
});
