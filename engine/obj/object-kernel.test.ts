// The running kernel as the oracle for linking and relocation: every example program the kernel can
// load without extra BTF is loaded through bpf(2) with its maps created from our definitions, its
// map loads patched to those fds from our relocation list, and must pass the real verifier.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode, type Insn } from '../isa';
import { BPF_F_SLEEPABLE, bpfAvailability, btfLoad, closeFd, mapCreate, mapFreeze, mapUpdate, progLoad, progTestRun } from '../host/bpf';
import { loadObject, type BpfObject, type ObjProgram } from './object';
import { BPF_F_RDONLY_PROG } from './maps';
import { BTF_KIND, decodeBtf, type Btf } from './btf';
import { encodeFuncInfo, encodeLineInfo, kernelBtf } from './kernel-btf';

const DIR = join(__dirname, '../../resources/examples');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.o')).map((f) => f.slice(0, -2)).sort();
const avail = bpfAvailability();
const RETURN_0 = Uint8Array.of(0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);

/** Programs that need more than bytes, maps, a license and an attach BTF id to load, and why. */
const NEEDS_MORE: Record<string, string> = {
  keep_loop: 'a BPF_PSEUDO_FUNC callback needs the program BTF and func_info loaded with it',
};

const VMLINUX = '/sys/kernel/btf/vmlinux';
let vmlinux: Btf | undefined;
/** BTF id of a kernel function, from the running kernel's BTF decoded by our own decoder. */
function kernelFuncId(name: string): number | undefined {
  if (!vmlinux && existsSync(VMLINUX)) vmlinux = decodeBtf(new Uint8Array(readFileSync(VMLINUX)), 'vmlinux').btf;
  return vmlinux?.find(name, BTF_KIND.FUNC)[0]?.id;
}

const fds: number[] = [];
afterAll(() => {
  for (const fd of fds) closeFd(fd);
});

/** Creates the object's maps in the kernel (global data filled and, for .rodata, frozen). */
function createMaps(obj: BpfObject): number[] {
  return obj.maps.map((m) => {
    const r = mapCreate({ mapType: m.type.id, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.kernelName });
    expect(r, `map ${m.name}`).toMatchObject({ ok: true });
    if (!r.ok) return -1;
    fds.push(r.fd);
    if (m.initialData) {
      expect(mapUpdate(r.fd, new Uint8Array(4), m.initialData)).toMatchObject({ ok: true });
      if (m.flags & BPF_F_RDONLY_PROG) {
        const frozen = mapFreeze(r.fd);
        expect(frozen.ok).toBe(true);
      }
    }
    return r.fd;
  });
}

/** The program's bytes with every map relocation pointing at a real map fd. */
function patched(p: ObjProgram, mapFds: number[]): Uint8Array {
  const insns: Insn[] = p.insns.slice();
  for (const r of p.relocations) {
    if (r.kind === 'map' || r.kind === 'map-value') insns[r.index] = { ...insns[r.index], imm: mapFds[r.map!] };
  }
  return encode(insns);
}

describe.skipIf(!avail.ok)(`engine/obj output accepted by the kernel verifier (${avail.ok ? 'bpf(2) available' : avail.reason})`, () => {
  it.each(EXAMPLES)('%s: linked programs load', (name) => {
    const obj = loadObject(new Uint8Array(readFileSync(join(DIR, `${name}.o`))), { file: `${name}.o` }).object!;
    const mapFds = createMaps(obj);
    let loaded = 0;
    for (const p of obj.programs) {
      if (NEEDS_MORE[p.name]) continue;
      const attachBtfId = p.flags.attachBtf && p.attachTo ? kernelFuncId(p.attachTo) : undefined;
      if (p.flags.attachBtf && attachBtfId === undefined) continue; // the target is not in this kernel's BTF
      // Some kernels refuse every tracing program (no trampolines, lockdown): probe with `r0 = 0; exit`.
      if (attachBtfId !== undefined && !progLoad({ progType: p.type.id, insns: RETURN_0, license: 'GPL', expectedAttachType: p.attachType?.id ?? 0, attachBtfId }).ok) {
        console.log(`${p.name}: this kernel refuses even an empty ${p.section} program; not checked here`);
        continue;
      }
      const r = progLoad({
        ...(attachBtfId !== undefined ? { attachBtfId } : {}),
        progType: p.type.id, insns: patched(p, mapFds), license: obj.license ?? '',
        ...(p.attachType ? { expectedAttachType: p.attachType.id } : {}),
        progFlags: p.flags.sleepable ? BPF_F_SLEEPABLE : 0,
        ...(obj.kernVersion !== undefined ? { kernVersion: obj.kernVersion } : {}),
      });
      expect({ prog: p.name, ok: r.ok, message: r.message, log: r.ok ? '' : r.log.slice(-800) }).toEqual({ prog: p.name, ok: true, message: undefined, log: '' });
      if (r.fd !== undefined) fds.push(r.fd);
      loaded++;
    }
    if (!obj.programs.every((p) => p.flags.attachBtf)) expect(loaded).toBeGreaterThan(0);
  });

  it.each(EXAMPLES)('%s: loads with its BTF, func_info and line_info, and the verifier log quotes the source lines we attach', (name) => {
    const obj = loadObject(new Uint8Array(readFileSync(join(DIR, `${name}.o`))), { file: `${name}.o` }).object!;
    const fixed = kernelBtf(obj);
    expect(fixed.diagnostics).toEqual([]);
    const btf = btfLoad(fixed.bytes!);
    expect(btf.ok, btf.log.slice(-1000)).toBe(true);
    if (!btf.ok) return;
    const mapFds = createMaps(obj);
    let compared = 0, inSubprograms = 0;
    for (const p of obj.programs) {
      const attachBtfId = p.flags.attachBtf && p.attachTo ? kernelFuncId(p.attachTo) : undefined;
      if (p.flags.attachBtf) continue; // see above: this kernel may refuse tracing programs
      const r = progLoad({
        progType: p.type.id, insns: patched(p, mapFds), license: obj.license ?? '', btfFd: btf.fd, funcInfo: encodeFuncInfo(p), lineInfo: encodeLineInfo(p), logLevel: 2,
        ...(p.attachType ? { expectedAttachType: p.attachType.id } : {}), ...(attachBtfId !== undefined ? { attachBtfId } : {}),
        progFlags: p.flags.sleepable ? BPF_F_SLEEPABLE : 0,
      });
      expect({ prog: p.name, ok: r.ok, log: r.ok ? '' : r.log.slice(-1500) }).toEqual({ prog: p.name, ok: true, log: '' });
      fds.push(r.fd!);
      // "; <source text> @ <file>:<line>" precedes the first instruction printed under that line_info.
      const lines = r.log.split('\n');
      for (let i = 0; i + 1 < lines.length; i++) {
        const src = lines[i].match(/^; (.*) @ (\S+):(\d+)$/);
        const insn = lines[i + 1].match(/^(\d+): \(/);
        if (!src || !insn) continue;
        const at = p.pcs.indexOf(Number(insn[1]));
        expect(at, `pc ${insn[1]} of ${p.name}`).toBeGreaterThanOrEqual(0);
        expect([p.source[at]?.text.trim(), p.source[at]?.line]).toEqual([src[1].trim(), Number(src[3])]);
        compared++;
        if (p.origins[at].func !== p.name) inSubprograms++;
      }
    }
    if (!obj.programs.every((p) => p.flags.attachBtf)) expect(compared).toBeGreaterThan(0);
    if (obj.programs.some((p) => p.subprograms.length)) expect(inSubprograms).toBeGreaterThan(0);
    console.log(`${name}: ${compared} verifier source annotations matched (${inSubprograms} in subprograms)`);
  });

  it('runs the syscall example through BPF_PROG_TEST_RUN with the result the C source computes', () => {
    const obj = loadObject(new Uint8Array(readFileSync(join(DIR, 'syscall_prog.o')))).object!;
    const p = obj.programs[0];
    const r = progLoad({ progType: p.type.id, insns: patched(p, []), license: obj.license!, progFlags: BPF_F_SLEEPABLE });
    expect(r.ok).toBe(true);
    fds.push(r.fd!);
    const ctx = new Uint8Array(32);
    const v = new DataView(ctx.buffer);
    v.setBigUint64(0, 100n, true);
    v.setBigUint64(8, 7n, true);
    const run = progTestRun(r.fd!, { ctxIn: ctx });
    expect(run.ok).toBe(true);
    expect(run.retval).toBe(0);
    const out = new DataView(run.ctxInAfter!.buffer, run.ctxInAfter!.byteOffset);
    expect(out.getBigUint64(16, true)).toBe(14n * 0x100000001n + 2n);
  });
});
