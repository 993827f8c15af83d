// Differential test: every instruction form and thousands of generated programs run in the kernel (test_run) and in our interpreter must agree.
import { describe, expect, it } from 'vitest';
import { FORMS, makeInsn } from '../../engine/isa';
import { runProgram } from '../../engine/interp';
import { bpfAvailability } from '../../engine/host/bpf';
import { bodyForms } from './gen/program-gen';
import { NOT_KERNEL_TESTED, runDifferential, type DiffTally } from './gen/differential';
import { runPacketInKernel } from './gen/kernel-run';
import { SKF_LL_OFF, SKF_NET_OFF } from './gen/packet-gen';

const avail = bpfAvailability();
const kit = it.skipIf(!avail.ok);


function summary(t: DiffTally): string {
  const d = t.disagreements[0];
  return `${t.programs} programs, ${t.agreements} agreements, ${t.kernelRefused} refused by the kernel` +
    (d ? `\nfirst disagreement (seed ${d.seed}): ${d.what}\nkernel ${d.kernel}\nours   ${d.ours}\n${d.listing}` : '');
}

describe(`interpreter vs kernel${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  it('accounts for every instruction form: generated in a body, in packet programs, as call_local, or listed with a reason', () => {
    const covered = new Set([...bodyForms().map((f) => f.id), 'ldabsb', 'ldabsh', 'ldabsw', 'ldindb', 'ldindh', 'ldindw', 'call_local', ...Object.keys(NOT_KERNEL_TESTED)]);
    expect(FORMS.map((f) => f.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  kit('every body form, alone, 4 programs each: all agree', () => {
    const t = runDifferential({ random: 0, perForm: 4, packet: 0 });
    console.log(`every-form part: ${summary(t)}`);
    expect(t.kernelRefused, summary(t)).toBe(0);
    expect(t.agreements, summary(t)).toBe(t.programs);
    expect([...bodyForms().map((f) => f.id)].filter((id) => !t.formsCovered.has(id))).toEqual([]);
  });

  kit('2000 random syscall programs (every fifth as a bpf-to-bpf subprogram): all agree', () => {
    const t = runDifferential({ random: 2000, perForm: 0, packet: 0, seedBase: 1 });
    console.log(`random part: ${summary(t)}`);
    expect(t.kernelRefused, summary(t)).toBe(0);
    expect(t.agreements, summary(t)).toBe(t.programs);
    expect(t.formsCovered.has('call_local')).toBe(true);
  });

  kit('500 socket filters with ld_abs/ld_ind at in- and out-of-bounds offsets, SKF_NET_OFF and SKF_LL_OFF among them: all agree', () => {
    const t = runDifferential({ random: 0, perForm: 0, packet: 500 });
    console.log(`packet part: ${summary(t)}`);
    expect(t.kernelRefused, summary(t)).toBe(0);
    expect(t.agreements, summary(t)).toBe(t.programs);
  });

  // ld_abs/ld_ind at SKF_NET_OFF + k read the network header and at SKF_LL_OFF + k the link-layer
  // header (net/core/filter.c, bpf_internal_load_pointer_neg_helper), out of range ends with r0 = 0.
  kit('ld_abs at SKF_NET_OFF / SKF_LL_OFF reads the network / link-layer header', () => {
    const data = Uint8Array.from({ length: 40 }, (_, i) => 0x10 + i);
    // In range, at both ends, one past the tail, below SKF_LL_OFF, and between the two bases.
    const offsets = [SKF_NET_OFF, SKF_NET_OFF + 2, SKF_NET_OFF + 22, SKF_NET_OFF + 25, SKF_NET_OFF + 26, SKF_NET_OFF - 1,
      SKF_LL_OFF, SKF_LL_OFF + 6, SKF_LL_OFF + 36, SKF_LL_OFF + 39, SKF_LL_OFF + 40, SKF_LL_OFF - 1, -1, -0x1000];
    let compared = 0;
    for (const id of ['ldabsb', 'ldabsh', 'ldabsw']) {
      for (const off of offsets) {
        const insns = [makeInsn('mov64_reg', { dst: 6, src: 1 }), makeInsn('mov64_imm', { dst: 0, imm: 7 }), makeInsn(id, { imm: off }), makeInsn('exit')];
        const k = runPacketInKernel(insns, data);
        expect(k.ok).toBe(true);
        const ours = runProgram(insns, { type: 'socket_filter', packet: data });
        expect(Number(ours.r0), `${id} at ${off}`).toBe(k.ok ? k.retval : -1);
        compared++;
      }
    }
    expect(compared).toBe(42);
  });
});
