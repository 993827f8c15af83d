// What BPF_BTF_LOAD and BPF_PROG_LOAD need from an object's BTF: the .BTF bytes with DATASEC sizes
// and variable offsets filled in from the ELF (LLVM leaves them 0; libbpf's btf_fixup_datasec
// does the same), and a program's func_info / line_info arrays in the kernel's record layout.
import { error, type Diagnostic } from '../isa';
import { BTF_KIND } from './btf';
import { elfIndex } from './elf';
import type { BpfObject, ObjProgram } from './object';

export interface KernelBtfResult {
  readonly bytes?: Uint8Array;
  readonly diagnostics: Diagnostic[];
}

/** The object's .BTF ready for BPF_BTF_LOAD, or diagnostics saying why it cannot be fixed up. */
export function kernelBtf(obj: BpfObject): KernelBtfResult {
  const diagnostics: Diagnostic[] = [];
  const sec = obj.elf.sections.find((s) => s.name === '.BTF');
  if (!sec || !obj.btf) return { diagnostics: [error('obj.btf.missing', 'the object has no usable .BTF', { section: '.BTF', byteOffset: 0 })] };
  const bytes = sec.data.slice();
  const view = new DataView(bytes.buffer);
  const index = elfIndex(obj.elf);
  for (const t of obj.btf.types) {
    if (t.kind !== BTF_KIND.DATASEC) continue;
    const elfSec = index.section(t.name);
    if (!elfSec) continue; // .kconfig / .ksyms externs have no section; libbpf fills them itself
    const at = t.byteOffset; // the type record's offset within .BTF
    view.setUint32(at + 8, elfSec.size >>> 0, true);
    t.members.forEach((m, i) => {
      const v = obj.btf!.type(m.type);
      const sym = v ? index.symbolNamed(elfSec.index, v.name) : undefined;
      if (!sym) {
        diagnostics.push(error('obj.btf.datasec-symbol', `failed to find symbol for variable '${v?.name ?? `#${m.type}`}' in section '${t.name}'`, { section: '.BTF', byteOffset: at + 12 + 12 * i }));
        return;
      }
      view.setUint32(at + 12 + 12 * i + 4, sym.value >>> 0, true);
    });
  }
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { bytes, diagnostics };
}

/** struct bpf_func_info records (insn_off in instructions, type_id), 8 bytes each. */
export function encodeFuncInfo(p: ObjProgram): Uint8Array {
  const out = new Uint8Array(8 * p.funcInfo.length);
  const v = new DataView(out.buffer);
  p.funcInfo.forEach((f, i) => {
    v.setUint32(8 * i, f.pc, true);
    v.setUint32(8 * i + 4, f.typeId, true);
  });
  return out;
}

/** struct bpf_line_info records (insn_off, file_name_off, line_off, line_col), 16 bytes each. */
export function encodeLineInfo(p: ObjProgram): Uint8Array {
  const out = new Uint8Array(16 * p.lineInfo.length);
  const v = new DataView(out.buffer);
  p.lineInfo.forEach(({ pc, record }, i) => {
    v.setUint32(16 * i, pc, true);
    v.setUint32(16 * i + 4, record.fileNameOff, true);
    v.setUint32(16 * i + 8, record.lineOff, true);
    v.setUint32(16 * i + 12, record.lineCol, true);
  });
  return out;
}
