// Real compiled programs (resources/examples/*.o) through our verifier and the kernel, for the agreement table.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode, makeInsn, type Insn } from '../../engine/isa';
import { loadObject, type BpfObject, type ObjProgram } from '../../engine/obj';
import { BTF_KIND, decodeBtf, type Btf } from '../../engine/obj/btf';
import { verify, type VerifyResult } from '../../engine/verifier';
import { BPF_F_SLEEPABLE, closeFd, mapCreate, progLoad } from '../../engine/host/bpf';
import { PROG_TYPES } from '../../engine/kernel/prog-types';
import { hostNrCpuIds, lastErrorLine, type KernelVerdict } from './differential';

export const EXAMPLES_DIR = join(__dirname, '../../resources/examples');

export interface ExampleProgram {
  readonly id: string;
  readonly obj: BpfObject;
  readonly prog: ObjProgram;
}

export function examplePrograms(): ExampleProgram[] {
  const out: ExampleProgram[] = [];
  for (const f of readdirSync(EXAMPLES_DIR).filter((x) => x.endsWith('.o')).sort()) {
    const r = loadObject(new Uint8Array(readFileSync(join(EXAMPLES_DIR, f))), { file: f });
    if (!r.object) continue;
    for (const prog of r.object.programs) out.push({ id: `${f.slice(0, -2)}/${prog.name}`, obj: r.object, prog });
  }
  return out;
}

/** Map loads by object map index become BPF_PSEUDO_MAP_IDX(_VALUE), resolved through fd_array by the kernel. */
function byMapIndex(insns: readonly Insn[]): Insn[] {
  return insns.map((i) => {
    if (i.form.id === 'lddw_map_fd') return makeInsn('lddw_map_idx', { dst: i.dst, imm: i.imm, imm2: i.imm2 });
    if (i.form.id === 'lddw_map_value') return makeInsn('lddw_map_idx_value', { dst: i.dst, imm: i.imm, imm2: i.imm2 });
    return i;
  });
}

export function oursForExample(e: ExampleProgram, logLevel: 0 | 1 | 2 = 1): VerifyResult {
  return verify(byMapIndex(e.prog.insns), {
    progType: e.prog.type.name, logLevel, license: e.obj.license ?? '', nrCpuIds: hostNrCpuIds(),
    sleepable: !!PROG_TYPES[e.prog.type.name]?.requiresSleepable,
    maps: e.obj.maps.map((m) => ({ name: m.kernelName, type: m.type.name, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries })),
  });
}

let vmlinux: Btf | null | undefined;

/**
 * attach_btf_id for tracing programs (fentry/fexit/fmod_ret): the id of the attach function's BTF_KIND_FUNC in the
 * running kernel's BTF, as libbpf finds it. Undefined when the program attaches to nothing or BTF is unavailable.
 */
export function attachBtfId(prog: ObjProgram): number | undefined {
  if (!prog.attachTo || prog.type.name !== 'tracing') return undefined;
  if (vmlinux === undefined) {
    const path = '/sys/kernel/btf/vmlinux';
    vmlinux = existsSync(path) ? (decodeBtf(new Uint8Array(readFileSync(path)), '.BTF', path).btf ?? null) : null;
  }
  return vmlinux?.find(prog.attachTo, BTF_KIND.FUNC)[0]?.id;
}

export function kernelForExample(e: ExampleProgram, logLevel: 1 | 2 = 1): KernelVerdict {
  const fds: number[] = [];
  try {
    for (const m of e.obj.maps) {
      const r = mapCreate({ mapType: m.type.id, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.kernelName });
      if (!r.ok) throw new Error(`map ${m.name}: ${r.errorName}`);
      fds.push(r.fd);
    }
    const res = progLoad({
      progType: e.prog.type.id, insns: encode(byMapIndex(e.prog.insns)), license: e.obj.license ?? '', logLevel, fdArray: fds,
      progFlags: PROG_TYPES[e.prog.type.name]?.requiresSleepable ? BPF_F_SLEEPABLE : 0,
      ...(e.prog.attachType ? { expectedAttachType: e.prog.attachType.id } : {}),
      ...(attachBtfId(e.prog) !== undefined ? { attachBtfId: attachBtfId(e.prog) } : {}),
    });
    if (res.ok && res.fd !== undefined) closeFd(res.fd);
    return { verdict: res.ok ? 'accept' : 'reject', error: res.ok ? null : lastErrorLine(res.log), log: res.log, ...(res.ok ? {} : { errorName: res.errorName }) };
  } finally {
    for (const fd of fds) closeFd(fd);
  }
}
