import { describe, expect, it } from 'vitest';
import { decode, encode, jumpTarget, validate, type Insn } from '..';
import { decode2013, encode2013 } from './codec';
import { makeInsn2013, type Insn2013 } from './insn';
import { transcode } from './transcode';

const STRTAB = new TextEncoder().encode('\0bpf_load_pointer\0bpf_memcmp\0bpf_trace_printk\0bpf_table_lookup\0bpf_table_update\0bpf_dump_stack\0');
const AT = { load_pointer: 1, memcmp: 18, trace_printk: 29, table_lookup: 46, table_update: 63, dump_stack: 80 };
const TABLES = [{ type: 1, keySize: 8, elemSize: 8, maxEntries: 16, param1: 0 }];

const ids = (insns: readonly Insn[]) => insns.map((i) => i.form.id);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** The modern output must be valid modern eBPF: every insn validates and the bytes decode cleanly. */
function checkModern(insns: readonly Insn[]): void {
  for (const i of insns) expect(validate(i), i.form.id).toBeUndefined();
  const d = decode(encode(insns));
  expect(d.diagnostics).toEqual([]);
}

describe('2013 -> modern transcoder', () => {
  it('IT-06: 04 (64-bit add) -> 07, ja 0d -> 05, ret 06 -> exit 95', () => {
    const src = decode2013(new Uint8Array([
      0x04, 0x01, 0, 0, 0x20, 0, 0, 0,
      0x0d, 0x00, 0, 0, 0, 0, 0, 0,
      0x06, 0, 0, 0, 0, 0, 0, 0,
    ])).insns;
    const t = transcode(src, STRTAB, { ret: 'exit' });
    expect(t.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(hex(encode(t.insns))).toBe('07 01 00 00 20 00 00 00 05 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00');
  });

  it('maps every 1:1 row of §1.6 (ALU64, REL -> MEM, XADD W/DW -> atomic add, NEG X -> K, BSWAP, jumps)', () => {
    const p: Insn2013[] = [
      makeInsn2013('mov_imm', { dst: 1, imm: -1 }), makeInsn2013('sub_reg', { dst: 1, src: 2 }), makeInsn2013('arsh_imm', { dst: 1, imm: 3 }),
      makeInsn2013('neg', { dst: 3, src: 9 }), makeInsn2013('bswap32', { dst: 4 }), makeInsn2013('bswap64', { dst: 5 }),
      makeInsn2013('ldxh', { dst: 1, src: 10, off: -8 }), makeInsn2013('stb', { dst: 10, off: -1, imm: 7 }), makeInsn2013('stxdw', { dst: 10, src: 1, off: -16 }),
      makeInsn2013('xaddw', { dst: 10, src: 1, off: -4 }), makeInsn2013('xadddw', { dst: 10, src: 1, off: -16 }),
      makeInsn2013('jsge_reg', { dst: 1, src: 2, off: 1 }), makeInsn2013('jset_imm', { dst: 1, imm: 4, off: 0 }), makeInsn2013('ret'),
    ];
    const t = transcode(p, STRTAB, { ret: 'exit' });
    expect(ids(t.insns)).toEqual(['mov64_imm', 'sub64_reg', 'arsh64_imm', 'neg64', 'bswap32', 'bswap64', 'ldxh', 'stb', 'stxdw',
      'atomic32_add', 'atomic64_add', 'jsge_reg', 'jset_imm', 'exit']);
    expect(t.insns[3]).toMatchObject({ code: 0x87, dst: 3, src: 0 });
    checkModern(t.insns);
    const be = transcode(p, STRTAB, { ret: 'exit', bswap: 'be' });
    expect(ids(be.insns).slice(4, 6)).toEqual(['be32', 'be64']);
  });

  it('refuses XADD B/H (row 4) and invalid instructions with errors at their index', () => {
    const t = transcode([makeInsn2013('xaddb', { dst: 10, src: 1, off: -1 }), makeInsn2013('xaddh', { dst: 10, src: 1, off: -2 }), ...decode2013(new Uint8Array([0x84, 1, 0, 0, 0, 0, 0, 0])).insns, makeInsn2013('ret')], STRTAB);
    expect(t.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.pc])).toEqual([
      ['transcode2013.xadd-size', 0], ['transcode2013.xadd-size', 1], ['transcode2013.invalid-insn', 2],
    ]);
  });

  it('resolves CALL by name (row 8): trace_printk keeps its registers; memcmp/dump_stack/unknown offsets are refused', () => {
    const t = transcode([
      makeInsn2013('call', { imm: AT.trace_printk }), makeInsn2013('call', { imm: AT.memcmp }), makeInsn2013('call', { imm: AT.dump_stack }),
      makeInsn2013('call', { imm: 5 }), makeInsn2013('call', { imm: 9999 }), makeInsn2013('ret'),
    ], STRTAB, { ret: 'exit' });
    expect(t.insns.map((i) => [i.form.id, i.imm])).toEqual([['call', 6], ['exit', 0]]);
    expect(t.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.pc])).toEqual([
      ['transcode2013.no-modern-helper', 1], ['transcode2013.no-modern-helper', 2], ['transcode2013.no-modern-helper', 3], ['transcode2013.unknown-helper', 4],
    ]);
    expect(t.diagnostics.find((d) => d.code === 'transcode2013.helper-semantics')!.message).toMatch(/gpl_only/);
  });

  it('expands bpf_load_pointer and recomputes forward and backward jump offsets across the expansion', () => {
    const p: Insn2013[] = [
      makeInsn2013('jeq_imm', { dst: 1, imm: 0, off: 2 }), // 0 -> 3 (the ret)
      makeInsn2013('call', { imm: AT.load_pointer }), // 1: expands to 7
      makeInsn2013('jne_imm', { dst: 0, imm: 0, off: -3 }), // 2 -> 0 (backward)
      makeInsn2013('ret'), // 3
    ];
    const t = transcode(p, STRTAB);
    expect(t.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    checkModern(t.insns);
    expect(t.slotOf).toEqual([0, 1, 8, 9, 11]);
    expect(jumpTarget(t.insns[0], 0)).toBe(9);
    expect(jumpTarget(t.insns[8], 8)).toBe(0);
    expect(ids(t.insns.slice(1, 8))).toEqual(['stdw', 'mov64_reg', 'mov64_reg', 'add64_imm', 'mov64_imm', 'call', 'ldxdw']);
    expect(t.insns[1]).toMatchObject({ dst: 10, off: -512, imm: 0 });
    expect(t.insns[6].imm).toBe(4);
    expect(ids(t.insns.slice(9))).toEqual(['mov64_imm', 'exit']);
    expect(transcode(p, STRTAB, { loadPointerHelper: 'probe_read_kernel' }).insns[6].imm).toBe(113);
  });

  it('translates table helpers (row 9) to map helpers on fd_array[table_id] when r2 is a constant in the block', () => {
    const p: Insn2013[] = [
      makeInsn2013('mov_reg', { dst: 3, src: 10 }), makeInsn2013('add_imm', { dst: 3, imm: -8 }), makeInsn2013('mov_imm', { dst: 2, imm: 0 }),
      makeInsn2013('call', { imm: AT.table_lookup }), // 3
      makeInsn2013('mov_imm', { dst: 2, imm: 0 }), makeInsn2013('mov_reg', { dst: 4, src: 3 }),
      makeInsn2013('call', { imm: AT.table_update }), // 6
      makeInsn2013('ret'),
    ];
    const t = transcode(p, STRTAB, { tables: TABLES, ret: 'exit' });
    expect(t.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(t.maps).toEqual([{ index: 0, type: 'hash', keySize: 8, valueSize: 8, maxEntries: 16 }]);
    expect(ids(t.insns)).toEqual(['mov64_reg', 'add64_imm', 'mov64_imm', 'lddw_map_idx', 'mov64_reg', 'call', 'mov64_imm', 'mov64_reg',
      'lddw_map_idx', 'mov64_reg', 'mov64_reg', 'mov64_imm', 'call', 'exit']);
    expect(t.insns[5].imm).toBe(1);
    expect(t.insns[12].imm).toBe(2);
    checkModern(t.insns);

    // r2 comes from a register, or the call sits at a join point: refused.
    const bad = transcode([makeInsn2013('mov_reg', { dst: 2, src: 6 }), makeInsn2013('call', { imm: AT.table_lookup }), makeInsn2013('ret')], STRTAB, { tables: TABLES });
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['transcode2013.table-id']);
    const join = transcode([makeInsn2013('mov_imm', { dst: 2, imm: 0 }), makeInsn2013('jeq_imm', { dst: 1, off: 0 }), makeInsn2013('call', { imm: AT.table_lookup }), makeInsn2013('ret')], STRTAB, { tables: TABLES });
    expect(join.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['transcode2013.table-id']);
    const lpm = transcode([makeInsn2013('ret')], STRTAB, { tables: [{ ...TABLES[0], type: 2 }] });
    expect(lpm.diagnostics.map((d) => d.code)).toContain('transcode2013.table-type');
  });

  it('warns about division semantics (row 14) and keeps instruction bytes of a whole program decodable', () => {
    const t = transcode([makeInsn2013('mod_imm', { dst: 1, imm: 10000 }), makeInsn2013('div_reg', { dst: 1, src: 2 }), makeInsn2013('ret')], STRTAB);
    expect(t.diagnostics.filter((d) => d.code === 'transcode2013.divmod').map((d) => d.pc)).toEqual([0, 1]);
    checkModern(t.insns);
    expect(encode2013(decode2013(encode2013([makeInsn2013('ret')])).insns).length).toBe(8);
  });

  it('helperIds: a dialect helper set turns each named call into call <id> with the registers untouched', () => {
    const p: Insn2013[] = [
      makeInsn2013('mov_imm', { dst: 2, imm: 0 }), makeInsn2013('call', { imm: AT.table_lookup }),
      makeInsn2013('jeq_imm', { dst: 0, imm: 0, off: 1 }), makeInsn2013('call', { imm: AT.memcmp }),
      makeInsn2013('call', { imm: AT.load_pointer }), makeInsn2013('ret'),
    ];
    const seen: Array<[string, number]> = [];
    const dialect: Record<string, number> = { bpf_table_lookup: 0x1000, bpf_memcmp: 0x1001 };
    const t = transcode(p, STRTAB, { ret: 'exit', helperIds: (name, off) => (seen.push([name, off]), dialect[name]) });
    expect(t.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    checkModern(t.insns);
    // The two dialect calls stay one instruction each; bpf_load_pointer (no dialect id) expands as before.
    expect(t.insns.filter((i) => i.form.id === 'call').map((i) => i.imm)).toEqual([0x1000, 0x1001, 4]);
    expect(t.slotOf.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(seen).toEqual([['bpf_table_lookup', AT.table_lookup], ['bpf_memcmp', AT.memcmp], ['bpf_load_pointer', AT.load_pointer]]);
    expect(jumpTarget(t.insns[2], 2)).toBe(4);
  });
});
