import { describe, expect, it } from 'vitest';
import { parse2013 } from '../asm/parse-2013';
import { exampleText } from '../../tests/support/examples';

import { decode, encode, hasErrors } from '../isa';
import { decode2013, transcodeProgram } from '../isa/ebpf2013';
import { E2BIG, EINVAL, loadImage2013, printImage2013, writeImage2013 } from './image-2013';

const FILTER_EX1_C = exampleText('2013/filter_ex1.c');
const FILTER_EX2_C = exampleText('2013/filter_ex2.c');

/** SEEDS-SPEC Appendix A.1 (IT-01, IT-02), verbatim; also matched byte for byte by the seed's C built with gcc. */
const GOLDEN_A1 = `== filter_ex1.bpf 254 bytes
0000: 62 70 66 00 c0 00 00 00 00 00 00 00 2e 00 00 00
0010: c2 0a ec ff 6c 6f 00 00 d9 16 68 00 00 00 00 00
0020: bc 61 00 00 00 00 00 00 04 01 00 00 20 00 00 00
0030: 85 00 00 00 01 00 00 00 bc 07 00 00 00 00 00 00
0040: b4 03 00 00 02 00 00 00 bc a2 00 00 00 00 00 00
0050: 04 02 00 00 ec ff ff ff bc 71 00 00 00 00 00 00
0060: 85 00 00 00 12 00 00 00 55 00 0b 00 00 00 00 00
0070: c2 0a f0 ff 73 6b 62 20 c2 0a f4 ff 25 70 20 64
0080: c2 0a f8 ff 65 76 20 25 c2 0a fc ff 70 20 0a 00
0090: b4 05 00 00 00 00 00 00 bc 74 00 00 00 00 00 00
00a0: bc 63 00 00 00 00 00 00 b4 02 00 00 10 00 00 00
00b0: bc a1 00 00 00 00 00 00 04 01 00 00 f0 ff ff ff
00c0: 85 00 00 00 1d 00 00 00 06 00 00 00 00 00 00 00
00d0: 00 62 70 66 5f 6c 6f 61 64 5f 70 6f 69 6e 74 65
00e0: 72 00 62 70 66 5f 6d 65 6d 63 6d 70 00 62 70 66
00f0: 5f 74 72 61 63 65 5f 70 72 69 6e 74 6b 00
== filter_ex2.bpf 425 bytes
0000: 62 70 66 00 40 01 00 00 14 00 00 00 45 00 00 00
0010: bc 16 00 00 00 00 00 00 da 0a e0 ff 00 00 00 00
0020: d9 61 68 00 00 00 00 00 04 01 00 00 20 00 00 00
0030: 85 00 00 00 01 00 00 00 bc 07 00 00 00 00 00 00
0040: db 7a e0 ff 00 00 00 00 bc a3 00 00 00 00 00 00
0050: 04 03 00 00 e0 ff ff ff b4 02 00 00 00 00 00 00
0060: bc 61 00 00 00 00 00 00 85 00 00 00 12 00 00 00
0070: 15 00 12 00 00 00 00 00 b4 01 00 00 01 00 00 00
0080: fb 10 00 00 00 00 00 00 d9 01 00 00 00 00 00 00
0090: 94 01 00 00 10 27 00 00 55 01 15 00 00 00 00 00
00a0: c2 0a e8 ff 64 65 76 20 c2 0a ec ff 25 70 20 20
00b0: c2 0a f0 ff 70 6b 74 5f c2 0a f4 ff 63 6e 74 20
00c0: c2 0a f8 ff 25 64 0a 00 b4 05 00 00 00 00 00 00
00d0: d9 04 00 00 00 00 00 00 bc 73 00 00 00 00 00 00
00e0: b4 02 00 00 14 00 00 00 bc a1 00 00 00 00 00 00
00f0: 04 01 00 00 e8 ff ff ff 85 00 00 00 23 00 00 00
0100: 0d 00 08 00 00 00 00 00 da 0a e8 ff 00 00 00 00
0110: bc a4 00 00 00 00 00 00 04 04 00 00 e8 ff ff ff
0120: bc a3 00 00 00 00 00 00 04 03 00 00 e0 ff ff ff
0130: b4 02 00 00 00 00 00 00 bc 61 00 00 00 00 00 00
0140: 85 00 00 00 34 00 00 00 06 00 00 00 00 00 00 00
0150: 01 00 00 00 08 00 00 00 08 00 00 00 00 10 00 00
0160: 00 00 00 00 00 62 70 66 5f 6c 6f 61 64 5f 70 6f
0170: 69 6e 74 65 72 00 62 70 66 5f 74 61 62 6c 65 5f
0180: 6c 6f 6f 6b 75 70 00 62 70 66 5f 74 72 61 63 65
0190: 5f 70 72 69 6e 74 6b 00 62 70 66 5f 74 61 62 6c
01a0: 65 5f 75 70 64 61 74 65 00`;

function goldenImage(name: string): Uint8Array {
  const block = GOLDEN_A1.split(/^== /m).find((b) => b.startsWith(`${name}.bpf `))!;
  const [head, ...rows] = block.trim().split('\n');
  const bytes = rows.flatMap((r) => r.split(':')[1].trim().split(/\s+/)).map((h) => parseInt(h, 16));
  expect(bytes.length).toBe(Number(/(\d+) bytes/.exec(head)![1]));
  return Uint8Array.from(bytes);
}

function buildFromSource(src: string): Uint8Array {
  const p = parse2013(src);
  expect(p.diagnostics).toEqual([]);
  return writeImage2013({ insns: p.insns, tables: p.tables, strtab: p.strtab! });
}

/** An image with a patched header int at `at`. */
function patched(base: Uint8Array, at: number, value: number): Uint8Array {
  const b = base.slice();
  new DataView(b.buffer).setInt32(at, value, true);
  return b;
}

describe('2013 image writer and loader', () => {
  it('IT-01: filter_ex1.c assembles to the 254-byte golden image', () => {
    const img = buildFromSource(FILTER_EX1_C);
    expect(img.length).toBe(254);
    expect(Array.from(img.subarray(0, 16))).toEqual([0x62, 0x70, 0x66, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0x2e, 0, 0, 0]);
    expect(img).toEqual(goldenImage('filter_ex1'));
  });

  it('IT-02: filter_ex2.c assembles to the 425-byte golden image with one table', () => {
    const img = buildFromSource(FILTER_EX2_C);
    expect(img.length).toBe(425);
    expect(img).toEqual(goldenImage('filter_ex2'));
    const r = loadImage2013(img);
    expect(r.image!.tables).toEqual([{ type: 1, keySize: 8, elemSize: 8, maxEntries: 4096, param1: 0 }]);
    expect(r.image!.insns.length).toBe(40);
  });

  it('round-trips both golden images load -> write with no diagnostics', () => {
    for (const name of ['filter_ex1', 'filter_ex2']) {
      const bytes = goldenImage(name);
      const r = loadImage2013(bytes);
      expect(r.diagnostics).toEqual([]);
      expect(r.errno).toBeUndefined();
      expect(writeImage2013(r.image!)).toEqual(bytes);
    }
  });

  it('IT-03: the ST immediates spell the on-stack strings', () => {
    const str = (imms: number[]) => {
      const b = new Uint8Array(imms.length * 4);
      imms.forEach((v, i) => new DataView(b.buffer).setInt32(i * 4, v, true));
      return new TextDecoder().decode(b);
    };
    const stImms = (name: string) => loadImage2013(goldenImage(name)).image!.insns.filter((i) => i.form.id === 'stw' && i.off >= -24).map((i) => i.imm);
    expect(str([28524])).toBe('lo\0\0');
    expect(str(stImms('filter_ex1').slice(1))).toBe('skb %p dev %p \n\0');
    expect(str(stImms('filter_ex2'))).toBe('dev %p  pkt_cnt %d\n\0');
  });

  it('IT-04: rejects bad images with the seed\'s errno and message, in bpf_load_image\'s order', () => {
    const ok = goldenImage('filter_ex1');
    const bpfX = ok.slice();
    bpfX[3] = 0x58;
    const cases: Array<[string, Uint8Array, number, string]> = [
      ['bad magic', bpfX, EINVAL, 'invalid bpf image, size=254'],
      ['shorter than 24', ok.subarray(0, 23), EINVAL, 'invalid bpf image, size=23'],
      ['insn_size 12', patched(ok, 4, 12), E2BIG, 'BPF program insn_size 12 htab_size 0 strtab_size 46'],
      ['htab_size 10', patched(ok, 8, 10), E2BIG, 'BPF program insn_size 192 htab_size 10 strtab_size 46'],
      ['4097 insns', patched(ok, 4, 4097 * 8), E2BIG, 'BPF program insn_size 32776 htab_size 0 strtab_size 46'],
      ['65 tables', patched(ok, 8, 65 * 20), E2BIG, 'BPF program insn_size 192 htab_size 1300 strtab_size 46'],
      ['strtab 1025', patched(ok, 12, 1025), E2BIG, 'BPF program insn_size 192 htab_size 0 strtab_size 1025'],
      ['one extra byte', Uint8Array.from([...ok, 0]), E2BIG, 'BPF program insn_size 192 htab_size 0 strtab_size 46'],
      ['negative insn_size', patched(ok, 4, -8), E2BIG, 'BPF program insn_size -8 htab_size 0 strtab_size 46'],
    ];
    for (const [what, bytes, errno, message] of cases) {
      const r = loadImage2013(bytes);
      expect(r.image, what).toBeUndefined();
      expect(r.errno, what).toBe(errno);
      expect(r.diagnostics[0].message, what).toBe(message);
      expect(r.diagnostics[0].severity, what).toBe('error');
    }
  });

  it('IT-04: an unterminated strtab is -E2BIG with bpf_check\'s message', () => {
    const ok = goldenImage('filter_ex1');
    const b = ok.slice();
    b[b.length - 1] = 0x41;
    const r = loadImage2013(b);
    expect(r.errno).toBe(E2BIG);
    expect(r.diagnostics[0]).toMatchObject({ code: 'img2013.strtab-unterminated', message: 'BPF program has 24 insn and 0 tables. Max is 4096/64', byteOffset: 253 });
  });

  it('IMG-03: the smallest image is 25 bytes; an empty strtab is rejected (hardened) or reported as the NULL dereference (faithful)', () => {
    const ret = decode2013(new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0])).insns;
    const smallest = writeImage2013({ insns: ret, strtab: new Uint8Array(1) });
    expect(smallest.length).toBe(25);
    const r = loadImage2013(smallest);
    expect(r.diagnostics).toEqual([]);
    expect(r.image!.insns[0].form.id).toBe('ret');
    expect(loadImage2013(smallest.subarray(0, 24)).errno).toBe(E2BIG); // 24 bytes pass the length check; the sizes do not sum
    expect(loadImage2013(smallest.subarray(0, 23)).errno).toBe(EINVAL);

    const empty = writeImage2013({ insns: r.image!.insns, strtab: new Uint8Array(0) });
    const h = loadImage2013(empty);
    expect(h.errno).toBe(E2BIG);
    expect(h.diagnostics[0]).toMatchObject({ code: 'img2013.empty-strtab', message: 'BPF program has 1 insn and 0 tables. Max is 4096/64' });
    const f = loadImage2013(empty, { mode: 'faithful-legacy' });
    expect(f.image).toBeUndefined();
    expect(f.diagnostics[0].code).toBe('img2013.null-deref');
  });

  it('MAP-03: the hardened loader validates table definitions; faithful mode only warns', () => {
    const p = parse2013(FILTER_EX2_C);
    const img = writeImage2013({ insns: p.insns, tables: [{ type: 1, keySize: 0, elemSize: 8, maxEntries: 4096, param1: 0 }], strtab: p.strtab! });
    const h = loadImage2013(img);
    expect(h.errno).toBe(EINVAL);
    expect(h.diagnostics.find((d) => d.code === 'img2013.bad-table')).toMatchObject({ severity: 'error', byteOffset: 16 + 320, message: 'table 0: key_size is 0' });
    const f = loadImage2013(img, { mode: 'faithful-legacy' });
    expect(f.image).toBeDefined();
    expect(f.diagnostics.find((d) => d.code === 'img2013.bad-table')!.severity).toBe('warning');
  });

  it('reports invalid instructions with their byte offset in the image but still returns it', () => {
    const b = goldenImage('filter_ex1').slice();
    b[16 + 8 * 3] = 0x84; // neg K at insn 3
    const r = loadImage2013(b);
    expect(r.image).toBeDefined();
    expect(r.diagnostics).toMatchObject([{ code: 'isa2013.invalid-opcode', pc: 3, byteOffset: 40, section: 'insns' }]);
  });

  it('never throws on arbitrary bytes', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    const ok = goldenImage('filter_ex2');
    for (let n = 0; n < 2000; n++) {
      const b = ok.slice(0, rnd() % (ok.length + 1));
      for (let k = rnd() % 6; k > 0 && b.length; k--) b[rnd() % b.length] = rnd() & 0xff;
      const r = loadImage2013(b);
      expect(r.image !== undefined || hasErrors(r.diagnostics)).toBe(true);
    }
  });

  it('transcodes both examples into modern eBPF that engine/isa decodes with zero diagnostics', () => {
    for (const name of ['filter_ex1', 'filter_ex2']) {
      const img = loadImage2013(goldenImage(name)).image!;
      const t = transcodeProgram(img);
      const bytes = encode(t.insns);
      const d = decode(bytes);
      expect(d.diagnostics, name).toEqual([]);
      expect(encode(d.insns)).toEqual(bytes);
      const errors = t.diagnostics.filter((x) => x.severity === 'error');
      // filter_ex1 calls bpf_memcmp, which has no modern helper; filter_ex2 translates completely.
      expect(errors.map((e) => [e.code, e.pc]), name).toEqual(name === 'filter_ex1' ? [['transcode2013.no-modern-helper', 10]] : []);
    }
  });

  it('prints an image for disasm: listing with helper names, tables, strtab', () => {
    const text = printImage2013(loadImage2013(goldenImage('filter_ex2')).image!);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('; 2013 BPF image: 40 insns, 1 tables, strtab 69 bytes');
    expect(lines[1]).toBe(' 0  bc 16 00 00 00 00 00 00   code_bc r6 = r1');
    expect(lines[12]).toBe('11  85 00 00 00 12 00 00 00   code_85 call 18 <bpf_table_lookup>');
    expect(lines.slice(41)).toEqual([
      '; table 0: {BPF_TABLE_HASH, key_size 8, elem_size 8, max_entries 4096, param1 0}',
      '; strtab 1: bpf_load_pointer', '; strtab 18: bpf_table_lookup', '; strtab 35: bpf_trace_printk', '; strtab 52: bpf_table_update',
    ]);
  });
});
