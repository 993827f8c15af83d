import { describe, expect, it } from 'vitest';
import { decode, encode, validate } from './codec';
import { makeInsn, makeLdImm64, ldImm64Value, type Insn } from './insn';
import { FORMS, formsWithCode } from './table';

/** One instance of every form, with operands that exercise sign bits. */
function sampleOf(id: string): Insn {
  const f = FORMS.find((x) => x.id === id)!;
  if (f.kind === 'lddw') return makeLdImm64(id, 3, -0x123456789n);
  return makeInsn(id, { dst: f.dst === 'reg' ? 7 : 0, src: f.src === 'reg' ? 9 : 0, off: f.off === 'value' ? -5 : 0, imm: f.imm === 'value' ? -123456 : 0 });
}

describe('isa codec', () => {
  it('has unique form ids and no two forms that accept the same bytes', () => {
    expect(new Set(FORMS.map((f) => f.id)).size).toBe(FORMS.length);
    for (const f of FORMS) {
      const bytes = encode([sampleOf(f.id)]);
      const got = decode(bytes);
      expect(got.diagnostics).toEqual([]);
      expect(got.insns[0].form.id).toBe(f.id);
    }
  });

  it('round-trips every form bytes -> insn -> bytes', () => {
    for (const f of FORMS) {
      const insn = sampleOf(f.id);
      expect(validate(insn)).toBeUndefined();
      const bytes = encode([insn]);
      expect(encode(decode(bytes).insns)).toEqual(bytes);
    }
  });

  it('decodes lddw as one instruction over two slots', () => {
    const insn = makeLdImm64('lddw', 1, 0x1122334455667788n);
    const bytes = encode([insn, makeInsn('exit')]);
    expect(bytes.length).toBe(24);
    const d = decode(bytes);
    expect(d.pcs).toEqual([0, 2]);
    expect(ldImm64Value(d.insns[0])).toBe(0x1122334455667788n);
  });

  it('reports reserved fields, unknown opcodes and truncated lddw with their byte offset', () => {
    const bad = Uint8Array.from([0x07, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0x8f, 0, 0, 0, 0, 0, 0, 0, 0x18, 0x01, 0, 0, 1, 0, 0, 0]);
    const d = decode(bad, { baseOffset: 0x40, section: 'xdp' });
    expect(d.diagnostics.map((x) => [x.code, x.byteOffset, x.pc])).toEqual([
      ['isa.bad-discriminator', 0x40, 0],
      ['isa.unknown-opcode', 0x48, 1],
      ['isa.lddw-truncated', 0x50, 2],
    ]);
    expect(d.insns.map((i) => i.form.kind)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(encode(d.insns)).toEqual(bad);
  });

  it('round-trips arbitrary bytes, valid or not', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 2000; n++) {
      const len = 8 * (1 + (rnd() % 6));
      const bytes = Uint8Array.from({ length: len }, rnd);
      // bias the opcode bytes toward valid ones
      for (let s = 0; s < len; s += 8) if (rnd() & 1) bytes[s] = FORMS[rnd() % FORMS.length].code;
      expect(encode(decode(bytes).insns)).toEqual(bytes);
    }
  });

  it('keeps opcodes shared between forms apart by their discriminators', () => {
    expect(formsWithCode(0x3f).map((f) => f.id)).toEqual(['div64_reg', 'sdiv64_reg']);
    expect(formsWithCode(0xdb).length).toBe(10);
  });
});
