// Differential test: every corpus program gets the kernel's verdict, first error line and level-1 and level-2 logs
// from our verifier.
import { describe, expect, it } from 'vitest';
import { HELPER_PROTOS } from '../../engine/kernel/helper-protos';
import { CORPUS, type CorpusCase } from './corpus';
import { assemble, bpfAvailability, compare, kernelFor, normaliseLog, oursFor } from './differential';
import { KNOWN_DIFFERENCES } from './exceptions';

const avail = bpfAvailability();
const reason = avail.ok ? '' : avail.reason;

/**
 * The bpf(2) bridge must hand the kernel our license string; a GPL program calling a gpl_only helper tells.
 * (engine/host/bpf/prog.ts of 2037c22 allocates the license buffer with size 0, so the kernel sees garbage.)
 */
function bridgePassesLicense(): boolean {
  if (!avail.ok) return false;
  const probe: CorpusCase = { name: 'license-probe', rule: '', progType: 'kprobe', asm: 'r1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall 113\nr0 = 0\nexit' };
  return kernelFor(probe).verdict === 'accept';
}
const licenseOk = bridgePassesLicense();

function callsGplHelper(c: CorpusCase): boolean {
  return assemble(c).some((i) => i.form.id === 'call' && HELPER_PROTOS.get(i.imm)?.gplOnly === true);
}

describe('verifier agrees with the running kernel', () => {
  for (const c of CORPUS) {
    const gplBlocked = avail.ok && !licenseOk && (c.license ?? 'GPL') === 'GPL' && callsGplHelper(c);
    const skip = !avail.ok || gplBlocked;
    it.skipIf(skip)(`${c.name}: ${c.rule}${skip ? ` (skipped: ${gplBlocked ? 'the bpf(2) bridge does not pass the license string' : reason})` : ''}`, () => {
      const r = compare(c);
      const known = KNOWN_DIFFERENCES[c.name];
      if (known?.what === 'verdict') {
        // A listed limitation: we must say so ourselves (an unsupported.* rejection), never a wrong kernel verdict.
        expect(r.ours.unsupported, `listed exception: ${known.reason}`).toBe(true);
        return;
      }
      expect(r.ours.verdict, 'verdict').toBe(r.kernel.verdict);
      if (known?.what !== 'error') expect(r.ours.error?.message ?? null, 'first error line').toBe(r.kernel.error);
      if (!known) expect(r.logAgrees, `level-1 log\n--- kernel\n${r.kernel.log}--- ours\n${r.ours.log}`).toBe(true);
      if (!known && c.noLevel2 === undefined) {
        // The whole level-2 log too: every state, precision backtracking, stack-liveness lines, statistics.
        const k2 = normaliseLog(kernelFor(c, 2).log);
        const o2 = normaliseLog(oursFor(c, 2).log);
        expect(o2 === k2, `level-2 log\n--- kernel\n${k2}--- ours\n${o2}`).toBe(true);
      }
    }, c.noLevel2 ? 180_000 : 20_000);
  }
});
