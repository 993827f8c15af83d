// The instruction text of verifier log lines: engine/asm's kernel flavour with the verifier's callbacks.
import { printKernelInsn as printAsmKernel } from '../asm';
import type { Insn } from '../isa';
import { helperKernelName } from '../kernel/helper-protos';

/**
 * After resolve_pseudo_ldimm64 the kernel prints a map lddw with the map's kernel address (root may see
 * pointers); we print a stable stand-in in the same shape, which comparisons normalise.
 */
const FAKE_MAP_BASE = 0xffff888100000000n;

/** The printer callbacks, built once: this runs for every logged instruction. */
const CALLBACKS: Parameters<typeof printAsmKernel>[1] = {
  // func_id_name(0) is "unspec" (__BPF_FUNC_MAPPER's first entry).
  helperName: (id) => (id === 0 ? 'bpf_unspec' : helperKernelName(id)),
  // A callback address (BPF_PSEUDO_FUNC) prints its raw immediate, like a plain constant.
  immName: (i, value) => (i.form.id === 'lddw' || i.form.id === 'lddw_func' ? undefined : `0x${(FAKE_MAP_BASE + ((value & 0xffffn) << 12n)).toString(16)}`),
};

/** The text after "N: " in the verifier log, e.g. "(61) r2 = *(u32 *)(r1 +0)". */
export function printKernelInsn(insn: Insn): string {
  // Memoised per instruction object: a logged loop prints the same few instructions up to a million times.
  let text = PRINTED.get(insn);
  if (text === undefined) {
    text = printAsmKernel(insn, CALLBACKS);
    PRINTED.set(insn, text);
  }
  return text;
}

const PRINTED = new WeakMap<Insn, string>();
