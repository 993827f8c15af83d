// bpfdbg disasm run in-process on the shipped example objects, raw bytecode and malformed input.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main';
import { memoryIO } from '../memory-io';

const EXAMPLES = join(__dirname, '../../../resources/examples');
const objects = readdirSync(EXAMPLES).filter((f) => f.endsWith('.o'));

interface JsonListing {
  programs: { name: string; section: string; dialect: string; insns: { index: number; bytes: string; text: string; source?: string }[] }[];
}

describe('bpfdbg disasm', () => {
  it.each(objects)('lists %s as JSON with slot indexes, per-instruction bytes and C source lines', async (name) => {
    const bytes = new Uint8Array(readFileSync(join(EXAMPLES, name)));
    const m = memoryIO({ [name]: bytes });
    expect(await main(['disasm', name, '--json'], m.io)).toBe(0);
    expect(m.err()).toBe('');
    const listing = JSON.parse(m.out()) as JsonListing;
    expect(listing.programs.length).toBeGreaterThan(0);
    for (const p of listing.programs) {
      expect(p.dialect).toBe('ebpf');
      let next = 0;
      for (const insn of p.insns) {
        expect(insn.index).toBe(next);
        expect(insn.bytes).toMatch(/^[0-9a-f]+$/);
        // lddw (opcode 0x18) is listed once with both slots' 16 bytes
        expect(insn.bytes.length).toBe(insn.bytes.startsWith('18') ? 32 : 16);
        next += insn.bytes.length / 16;
        expect(insn.text.length).toBeGreaterThan(0);
      }
      // compiled with -g: line info covers the programs' instructions
      expect(p.insns.some((i) => i.source !== undefined)).toBe(true);
    }
  });

  it('prints text with source lines, relocation and helper notes', async () => {
    const m = memoryIO({ 'x.o': new Uint8Array(readFileSync(join(EXAMPLES, 'xdp_parse.o'))) });
    expect(await main(['disasm', 'x.o'], m.io)).toBe(0);
    const text = m.out();
    expect(text).toMatch(/^Disassembly of section xdp </m);
    expect(text).toMatch(/^; .*bpf_map_lookup_elem/m);
    expect(text).toMatch(/call 0x1 {2}; bpf_map_lookup_elem$/m);
    expect(text).toMatch(/; map proto_count$/m);
  });

  it('round-trips raw bytecode through asm and disasm in both syntaxes', async () => {
    const src = 'r1 = 0x1122334455667788 ll\nw2 = -7\nif r1 s> r2 goto +1\nr0 = atomic_fetch_add((u64 *)(r10 - 8), r0)\nexit\n';
    for (const syntax of ['llvm', 'conformance'] as const) {
      const m = memoryIO({ 'p.s': src });
      expect(await main(['asm', 'p.s', '-o', 'p.bin'], m.io)).toBe(0);
      expect(await main(['disasm', 'p.bin', '--syntax', syntax, '--json'], m.io)).toBe(0);
      const listing = JSON.parse(m.out()) as JsonListing;
      const text = listing.programs[0].insns.map((i) => i.text).join('\n');
      const m2 = memoryIO({ 'q.s': text });
      expect(await main(['asm', 'q.s', '--syntax', syntax, '-o', 'q.bin'], m2.io)).toBe(0);
      expect(m2.written.get('q.bin')).toEqual(m.written.get('p.bin'));
    }
  });

  it('lists the 2013 images in their own format, or transcoded to eBPF when a syntax is asked for', async () => {
    const bytes = new Uint8Array(readFileSync(join(EXAMPLES, '2013/filter_ex1.bpf')));
    expect(bytes.length).toBe(254);
    const m = memoryIO({ 'f.bpf': bytes });
    expect(await main(['disasm', 'f.bpf', '--json'], m.io)).toBe(0);
    const listing = JSON.parse(m.out()) as JsonListing;
    expect(listing.programs.map((p) => [p.dialect, p.insns.length])).toEqual([['ebpf-2013', 24]]);
    expect(listing.programs[0].insns[0]).toMatchObject({ index: 0, bytes: 'c20aecff6c6f0000', text: 'code_c2 *(u32 *)(r10 -20) = 28524' });
    const t = memoryIO({ 'f.bpf': bytes });
    expect(await main(['disasm', 'f.bpf'], t.io)).toBe(0);
    expect(t.out()).toMatch(/call 1 {2}; bpf_load_pointer$/m);
    // filter_ex2 transcodes completely; the listing is modern eBPF
    const m2 = memoryIO({ 'g.bpf': new Uint8Array(readFileSync(join(EXAMPLES, '2013/filter_ex2.bpf'))) });
    expect(await main(['disasm', 'g.bpf', '--syntax', 'llvm', '--json'], m2.io)).toBe(0);
    const modern = JSON.parse(m2.out()) as JsonListing;
    expect(modern.programs[0].dialect).toBe('ebpf');
    expect(modern.programs[0].insns.at(-1)!.text).toBe('exit');
  });

  it('diagnoses malformed input with exit 1, naming where', async () => {
    const elf = new Uint8Array(readFileSync(join(EXAMPLES, 'xdp_parse.o'))).slice(0, 200);
    const m = memoryIO({ 'cut.o': elf, 'odd.bin': new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0, 0x07]), 'bad.bin': new Uint8Array([0x8f, 0, 0, 0, 0, 0, 0, 0]) });
    expect(await main(['disasm', 'cut.o'], m.io)).toBe(1);
    expect(m.err()).toMatch(/cut\.o/);
    const m2 = memoryIO({ 'odd.bin': new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0, 0x07]) });
    expect(await main(['disasm', 'odd.bin'], m2.io)).toBe(1);
    expect(m2.err()).toMatch(/odd\.bin:raw\+0x8: error: .*trailing/);
    const m3 = memoryIO({ 'bad.bin': new Uint8Array([0x8f, 0, 0, 0, 0, 0, 0, 0]) });
    expect(await main(['disasm', 'bad.bin', '--json'], m3.io)).toBe(1);
    expect(m3.err()).toMatch(/unknown opcode 0x8f/);
    expect((JSON.parse(m3.out()) as JsonListing).programs[0].insns).toHaveLength(1);
  });

  it('rejects bad usage with exit 2', async () => {
    expect(await main(['disasm'], memoryIO({}).io)).toBe(2);
    expect(await main(['disasm', 'a', 'b'], memoryIO({}).io)).toBe(2);
    expect(await main(['disasm', 'a.o', '--syntax', 'intel'], memoryIO({}).io)).toBe(2);
    const missing = memoryIO({});
    expect(await main(['disasm', 'nope.o'], missing.io)).toBe(1);
    expect(missing.err()).toMatch(/cannot read nope\.o/);
  });
});
