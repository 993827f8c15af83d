import { describe, expect, it } from 'vitest';
import { decode2013, encode2013, validate2013 } from './codec';
import { makeInsn2013, strtabName, strtabNames, type Insn2013 } from './insn';
import { FORMS_2013, formWithCode2013 } from './table';

/** One instance of every 2013 form with operands that exercise sign bits. */
function sampleOf(id: string): Insn2013 {
  const f = FORMS_2013.find((x) => x.id === id)!;
  return makeInsn2013(id, { dst: f.dst === 'reg' ? 7 : 0, src: f.src === 'reg' ? 10 : 0, off: f.off === 'value' ? -5 : 0, imm: f.imm === 'value' ? -123456 : 0 });
}

describe('2013 codec', () => {
  it('has one form per opcode byte and unique ids', () => {
    expect(new Set(FORMS_2013.map((f) => f.id)).size).toBe(FORMS_2013.length);
    expect(new Set(FORMS_2013.map((f) => f.code)).size).toBe(FORMS_2013.length);
  });

  it('round-trips every form bytes -> Insn2013 -> bytes with no diagnostics', () => {
    for (const f of FORMS_2013) {
      const insn = sampleOf(f.id);
      expect(validate2013(insn)).toBeUndefined();
      const bytes = encode2013([insn]);
      const d = decode2013(bytes);
      expect(d.diagnostics).toEqual([]);
      expect(d.insns[0].form.id).toBe(f.id);
      expect(encode2013(d.insns)).toEqual(bytes);
    }
  });

  it('decodes every one of the 256 opcode bytes; exactly the table forms are valid', () => {
    let valid = 0;
    for (let code = 0; code < 256; code++) {
      const bytes = new Uint8Array([code, 0x21, 0, 0, 0, 0, 0, 0]);
      const d = decode2013(bytes, { baseOffset: 16 });
      expect(encode2013(d.insns)).toEqual(bytes);
      if (formWithCode2013(code)) {
        valid++;
        expect(d.insns[0].form.code).toBe(code);
      } else {
        expect(d.insns[0].form.kind).toBe('invalid');
        expect(d.diagnostics[0]).toMatchObject({ severity: 'error', code: 'isa2013.invalid-opcode', pc: 0, byteOffset: 16 });
      }
    }
    expect(valid).toBe(FORMS_2013.length);
  });

  it('means different things than modern eBPF for the colliding bytes', () => {
    const d = decode2013(new Uint8Array([
      0x04, 0x01, 0, 0, 0x20, 0, 0, 0, // 64-bit r1 += 32
      0x0d, 0x00, 8, 0, 0, 0, 0, 0, // ja +8
      0xc3, 0x21, 0, 0, 0, 0, 0, 0, // stxw REL
      0xe3, 0x21, 0, 0, 0, 0, 0, 0, // xaddw
      0x8c, 0x01, 0, 0, 0, 0, 0, 0, // neg (X)
      0xdc, 0x01, 0, 0, 0, 0, 0, 0, // bswap32 (X)
      0x06, 0x00, 0, 0, 0, 0, 0, 0, // ret
    ]));
    expect(d.diagnostics).toEqual([]);
    expect(d.insns.map((i) => i.form.id)).toEqual(['add_imm', 'ja', 'stxw', 'xaddw', 'neg', 'bswap32', 'ret']);
  });

  it('rejects the K forms of neg/bswap, ja without X, non-REL modes and registers 11..15 with byte offsets', () => {
    const bytes = new Uint8Array([
      0x84, 0x01, 0, 0, 0, 0, 0, 0,
      0x05, 0x00, 1, 0, 0, 0, 0, 0,
      0x61, 0x21, 0, 0, 0, 0, 0, 0,
      0xbc, 0xb1, 0, 0, 0, 0, 0, 0,
      0x95, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const d = decode2013(bytes, { baseOffset: 16 });
    expect(d.insns.every((i) => i.form.kind === 'invalid')).toBe(true);
    expect(d.diagnostics.map((x) => [x.byteOffset, x.code])).toEqual([
      [16, 'isa2013.invalid-opcode'], [24, 'isa2013.invalid-opcode'], [32, 'isa2013.invalid-opcode'],
      [40, 'isa2013.bad-register'], [48, 'isa2013.invalid-opcode'],
    ]);
    expect(d.diagnostics[0].message).toMatch(/neg must use the X form \(0x8c\)/);
    expect(d.diagnostics[1].message).toMatch(/ja must have the X bit/);
    expect(d.diagnostics[3].message).toMatch(/r11/);
    expect(encode2013(d.insns)).toEqual(bytes);
  });

  it('encodes XADD B as 0xf3 (STX|B|XADD); 0xf0 (SEEDS-SPEC IT-06 says "f0") is class ld and invalid', () => {
    expect(makeInsn2013('xaddb').code).toBe(0xf3);
    expect(decode2013(new Uint8Array([0xf3, 0x1a, 0xff, 0xff, 0, 0, 0, 0])).insns[0].form.id).toBe('xaddb');
    expect(decode2013(new Uint8Array([0xf0, 0, 0, 0, 0, 0, 0, 0])).diagnostics[0].message).toMatch(/class ld/);
  });

  it('keeps ignored fields for round trips and warns about them', () => {
    const bytes = new Uint8Array([0x06, 0x35, 1, 0, 9, 0, 0, 0]);
    const d = decode2013(bytes);
    expect(d.insns[0].form.id).toBe('ret');
    expect(d.diagnostics).toMatchObject([{ severity: 'warning', code: 'isa2013.ignored-field' }]);
    expect(encode2013(d.insns)).toEqual(bytes);
  });

  it('reports trailing bytes', () => {
    const d = decode2013(new Uint8Array(11), { baseOffset: 16 });
    expect(d.insns.length).toBe(1);
    expect(d.diagnostics.at(-1)).toMatchObject({ code: 'isa2013.truncated', byteOffset: 24 });
  });

  it('reads strtab names the way strcmp(strtab + id, ...) sees them', () => {
    const s = new TextEncoder().encode('\0bpf_load_pointer\0bpf_memcmp\0bpf_trace_printk\0');
    expect(strtabName(s, 1)).toBe('bpf_load_pointer');
    expect(strtabName(s, 5)).toBe('load_pointer');
    expect(strtabName(s, 0)).toBe('');
    expect(strtabName(s, 46)).toBeUndefined();
    expect(strtabName(s.subarray(0, 45), 29)).toBeUndefined();
    expect(strtabNames(s)).toEqual([{ offset: 1, name: 'bpf_load_pointer' }, { offset: 18, name: 'bpf_memcmp' }, { offset: 29, name: 'bpf_trace_printk' }]);
  });
});
