// Malformed objects: each targeted corruption of a real example gives a diagnostic with a code,
// the section it concerns and a byte offset, and never an exception.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode, hasErrors, type Diagnostic } from '../isa';
import { decodeElf } from './elf';
import { loadObject } from './object';
import { loadRaw, writeRaw } from './raw';

const DIR = join(__dirname, '../../resources/examples');
const example = (name: string) => new Uint8Array(readFileSync(join(DIR, `${name}.o`)));

/** A copy of an example with a little-endian field overwritten. */
function patch(bytes: Uint8Array, at: number, value: number | bigint, width: 1 | 2 | 4 | 8): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  if (width === 1) v.setUint8(at, Number(value));
  else if (width === 2) v.setUint16(at, Number(value), true);
  else if (width === 4) v.setUint32(at, Number(value), true);
  else v.setBigUint64(at, BigInt(value), true);
  return out;
}

/** File offset of a section header field of the named section. */
function shdrField(bytes: Uint8Array, section: string, field: number): number {
  const elf = decodeElf(bytes).elf!;
  const s = elf.sections.find((x) => x.name === section)!;
  const shoff = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(40, true));
  return shoff + s.index * 64 + field;
}

function fileOffsetOf(bytes: Uint8Array, section: string): number {
  return decodeElf(bytes).elf!.sections.find((x) => x.name === section)!.offset;
}

function diagnose(bytes: Uint8Array): Diagnostic[] {
  const r = loadObject(bytes, { file: 'bad.o' });
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(d.byteOffset ?? d.pc).toBeTypeOf('number');
  }
  return r.diagnostics;
}

function expectDiag(diags: Diagnostic[], code: string, section: string | undefined, byteOffset?: number): void {
  const d = diags.find((x) => x.code === code);
  expect(d, `${code} in ${JSON.stringify(diags.map((x) => x.code))}`).toBeDefined();
  expect(d!.section).toBe(section);
  if (byteOffset !== undefined) expect(d!.byteOffset).toBe(byteOffset);
}

describe('engine/obj: malformed ELF', () => {
  const good = example('subprog_loop');

  it('rejects non-ELF, truncated, wrong class, wrong endianness and wrong machine at the header field', () => {
    expectDiag(diagnose(new Uint8Array(0)), 'obj.elf.bad-magic', 'ELF header', 0);
    expectDiag(diagnose(good.subarray(0, 40)), 'obj.elf.truncated', 'ELF header', 40);
    expectDiag(diagnose(patch(good, 4, 1, 1)), 'obj.elf.bad-class', 'ELF header', 4);
    expectDiag(diagnose(patch(good, 5, 2, 1)), 'obj.elf.bad-endian', 'ELF header', 5);
    expectDiag(diagnose(patch(good, 18, 62, 2)), 'obj.elf.bad-machine', 'ELF header', 18);
  });

  it('reports a section header table outside the file', () => {
    expectDiag(diagnose(patch(good, 40, 1n << 40n, 8)), 'obj.elf.section-headers-range', 'ELF header', 40);
    const d = diagnose(good.subarray(0, good.byteLength - 100));
    expect(d.map((x) => x.code)).toContain('obj.elf.section-headers-range');
  });

  it('reports section contents outside the file, naming the section', () => {
    const bad = patch(good, shdrField(good, 'socket', 24), good.byteLength + 8, 8);
    expectDiag(diagnose(bad), 'obj.elf.section-range', 'socket', 0);
    // The programs of that section are gone, the rest of the object still loads.
    const r = loadObject(bad);
    expect(r.object?.programs.map((p) => p.name)).toEqual([]);
    expect(r.object?.functions.map((f) => f.name)).toContain('mix');
  });

  it('reports a section name outside the string table', () => {
    const index = decodeElf(good).elf!.sections.findIndex((s) => s.name === 'socket');
    expectDiag(diagnose(patch(good, shdrField(good, 'socket', 0), 0xfffffff0, 4)), 'obj.elf.string-range', `section #${index}`, 0);
  });

  it('reports relocations to a missing symbol, and relocations on instructions that take none', () => {
    const relAt = fileOffsetOf(good, '.relsocket');
    expectDiag(diagnose(patch(good, relAt + 12, 9999, 4)), 'obj.reloc.bad-symbol', '.relsocket', 12);
    // Point the first relocation at instruction 0 (a load, not a call or lddw).
    expectDiag(diagnose(patch(good, relAt, 0, 8)), 'obj.reloc.bad-insn', 'socket', 0);
    // Point it between instructions, and at the second half of an lddw.
    expectDiag(diagnose(patch(good, relAt, 4, 8)), 'obj.reloc.bad-offset', '.relsocket', 0);
    const gd = example('global_data');
    const gdRel = fileOffsetOf(gd, '.relkprobe/vfs_read');
    const firstLddw = Number(new DataView(gd.buffer, gd.byteOffset).getBigUint64(gdRel, true));
    expectDiag(diagnose(patch(gd, gdRel, firstLddw + 8, 8)), 'obj.reloc.bad-offset', '.relkprobe/vfs_read', 0);
  });

  it('reports a map relocation whose symbol holds no map', () => {
    const obj = example('kprobe_openat');
    const elf = decodeElf(obj).elf!;
    // Retarget the relocation to the license symbol: not a map, not data.
    const lic = elf.symbols.find((s) => s.name === '_license')!;
    const relAt = fileOffsetOf(obj, '.relkprobe/do_sys_openat2');
    expectDiag(diagnose(patch(obj, relAt + 12, lic.index, 4)), 'obj.reloc.bad-map', 'kprobe/do_sys_openat2', 160);
  });

  it('reports bad BTF, and the maps that then cannot be read', () => {
    const obj = example('kprobe_openat');
    const btfAt = fileOffsetOf(obj, '.BTF');
    const d = diagnose(patch(obj, btfAt, 0x1234, 2));
    expectDiag(d, 'obj.btf.bad-magic', '.BTF', 0);
    expectDiag(d, 'obj.map.no-btf', '.maps', 0);
    expectDiag(diagnose(patch(obj, btfAt + 12, 0xffffff, 4)), 'obj.btf.type-range', '.BTF', 8);
    expectDiag(diagnose(patch(obj, btfAt + 20, 0xffffff, 4)), 'obj.btf.string-range', '.BTF', 16);
    // An unknown kind in the first type record: the diagnostic points at its info word.
    const hdrLen = new DataView(obj.buffer, obj.byteOffset).getUint32(btfAt + 4, true);
    expectDiag(diagnose(patch(obj, btfAt + hdrLen + 7, 0x1f, 1)), 'obj.btf.bad-kind', '.BTF', hdrLen + 4);
  });

  it('reports .BTF.ext blocks that overrun, without looping on huge counts', () => {
    const obj = example('kprobe_openat');
    const extAt = fileOffsetOf(obj, '.BTF.ext');
    const view = new DataView(obj.buffer, obj.byteOffset);
    const hdrLen = view.getUint32(extAt + 4, true);
    const lineOff = view.getUint32(extAt + 16, true);
    // num_info of the first line_info section record: 0xffffffff.
    const d = diagnose(patch(obj, extAt + hdrLen + lineOff + 4 + 4, 0xffffffff, 4));
    expectDiag(d, 'obj.btf-ext.truncated', '.BTF.ext');
    expectDiag(diagnose(patch(obj, extAt + 20, 0xffffff, 4)), 'obj.btf-ext.range', '.BTF.ext', 16);
    expect(hasErrors(loadObject(obj).diagnostics)).toBe(false);
  });

  it('reports a legacy maps section whose size does not divide into its maps', () => {
    const obj = example('legacy_maps');
    const d = diagnose(patch(obj, shdrField(obj, 'maps', 32), 41, 8));
    expectDiag(d, 'obj.map.legacy-size', 'maps', 0);
  });

  it('keeps going after an undecodable instruction, naming section and offset', () => {
    const obj = example('syscall_prog');
    const at = fileOffsetOf(obj, 'syscall');
    const d = diagnose(patch(obj, at + 8, 0xff, 1));
    expectDiag(d, 'isa.unknown-opcode', 'syscall', 8);
    expect(loadObject(patch(obj, at + 8, 0xff, 1)).object?.programs[0].insns[1].form.kind).toBe('invalid');
  });
});

describe('engine/obj: raw bytecode', () => {
  it('round-trips every example program through writeRaw/loadRaw', () => {
    for (const name of ['subprog_loop', 'global_data', 'xdp_parse']) {
      for (const p of loadObject(example(name)).object!.programs) {
        const bytes = writeRaw(p.insns);
        expect(bytes.byteLength).toBe(8 * (p.pcs[p.pcs.length - 1] + (p.insns[p.insns.length - 1].form.kind === 'lddw' ? 2 : 1)));
        const back = loadRaw(bytes);
        expect(back.diagnostics).toEqual([]);
        expect(back.program.pcs).toEqual(p.pcs);
        expect(encode(back.program.insns)).toEqual(bytes);
      }
    }
  });

  it('reports trailing bytes and bad instructions with section and byte offset', () => {
    const r = loadRaw(new Uint8Array([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0]), { file: 'x.bin' });
    expect(r.program.insns.map((i) => i.form.id)).toEqual(['mov64_imm']);
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'isa.truncated', section: 'raw', byteOffset: 8, file: 'x.bin' })]);
    const lddwCut = loadRaw(new Uint8Array([0x18, 1, 0, 0, 0, 0, 0, 0]));
    expect(lddwCut.diagnostics[0]).toMatchObject({ code: 'isa.lddw-truncated', byteOffset: 0 });
  });
});
