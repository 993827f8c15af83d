// BTF decoder on the largest real input at hand, the running kernel's own vmlinux BTF.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BTF_KIND, decodeBtf } from './btf';

const VMLINUX = '/sys/kernel/btf/vmlinux';

describe.skipIf(!existsSync(VMLINUX))(`engine/obj BTF on ${VMLINUX}${existsSync(VMLINUX) ? '' : ' (absent: kernel without CONFIG_DEBUG_INFO_BTF)'}`, () => {
  it('decodes every type without a diagnostic, with consistent sizes and prototypes', () => {
    const r = decodeBtf(new Uint8Array(readFileSync(VMLINUX)), 'vmlinux');
    expect(r.diagnostics).toEqual([]);
    const btf = r.btf!;
    expect(btf.types.length).toBeGreaterThan(10_000);
    let funcs = 0;
    const bad: string[] = [];
    for (const t of btf.types) {
      if (t.kind === BTF_KIND.STRUCT || t.kind === BTF_KIND.UNION) {
        if (btf.resolveSize(t.id) !== t.sizeOrType) bad.push(`size of #${t.id}`);
        // Members lie inside the struct (bit offsets; kind_flag packs the bitfield size in the top byte).
        for (const m of t.members) if ((t.kindFlag ? m.offset & 0xffffff : m.offset) / 8 > t.sizeOrType) bad.push(`member ${m.name} of #${t.id}`);
      }
      if (t.kind === BTF_KIND.FUNC) {
        if (btf.type(t.sizeOrType)?.kind !== BTF_KIND.FUNC_PROTO || !btf.funcSignature(t.id)?.includes(`${t.name}(`)) bad.push(`func #${t.id}`);
        funcs++;
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(funcs).toBeGreaterThan(1000);
    const task = btf.find('task_struct', BTF_KIND.STRUCT);
    expect(task.length).toBe(1);
    if (process.arch === 'x64') expect(btf.resolveSize(btf.find('pt_regs', BTF_KIND.STRUCT)[0].id)).toBe(21 * 8);
  });
});

/** A .BTF section from raw type words (header + types + a one-byte string table). */
function btfOf(words: number[]): Uint8Array {
  const types = new Uint8Array(words.length * 4);
  const tv = new DataView(types.buffer);
  words.forEach((w, i) => tv.setUint32(4 * i, w >>> 0, true));
  const out = new Uint8Array(24 + types.length + 1);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, types.length, true);
  v.setUint32(16, types.length, true);
  v.setUint32(20, 1, true);
  out.set(types, 24);
  return out;
}

describe('engine/obj BTF on hostile type graphs', () => {
  it('spells self-referencing prototypes with many parameters in bounded time', () => {
    const n = 60000;
    // #1 PTR -> #2; #2 FUNC_PROTO returning #1 with n parameters of type #1; #3 FUNC -> #2.
    const words = [0, BTF_KIND.PTR << 24, 2, 0, (BTF_KIND.FUNC_PROTO << 24) | n, 1];
    for (let i = 0; i < n; i++) words.push(0, 1);
    words.push(0, BTF_KIND.FUNC << 24, 2);
    const r = decodeBtf(btfOf(words));
    expect(r.diagnostics).toEqual([]);
    const btf = r.btf!;
    const name = btf.typeName(2);
    expect(name.includes('...')).toBe(true);
    expect(name.length).toBeLessThan(1 << 24);
    const sig = btf.funcSignature(3)!;
    expect(sig.endsWith(')')).toBe(true);
    expect(sig.length).toBeLessThan(1 << 24);
    expect(btf.resolveSize(1)).toBe(8);
  });

  it('stops at modifier cycles and reports dangling type ids', () => {
    // #1 CONST -> #2, #2 VOLATILE -> #1 (a cycle); #3 TYPEDEF -> #99 (dangling).
    const r = decodeBtf(btfOf([0, BTF_KIND.CONST << 24, 2, 0, BTF_KIND.VOLATILE << 24, 1, 0, BTF_KIND.TYPEDEF << 24, 99]));
    expect(r.diagnostics.map((d) => [d.code, d.byteOffset])).toEqual([['obj.btf.bad-type-id', 24 + 24]]);
    expect(r.btf!.skipModifiers(1)).toBeUndefined();
    expect(r.btf!.resolveSize(1)).toBeUndefined();
    expect(r.btf!.typeName(1)).toContain('...');
  });
});
