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
