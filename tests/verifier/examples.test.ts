// Real compiled programs (resources/examples/*.o): our verdict and first error must be the kernel's.
import { describe, expect, it } from 'vitest';
import { HELPER_PROTOS } from '../../engine/kernel/helper-protos';
import { PROG_TYPES } from '../../engine/kernel/prog-types';
import { bpfAvailability, kernelFor } from './differential';
import { EXAMPLE_EXCEPTIONS } from './exceptions';
import { examplePrograms, kernelForExample, oursForExample, type ExampleProgram } from './examples';

const avail = bpfAvailability();
const licenseProbe = avail.ok && kernelFor({ name: 'license-probe', rule: '', progType: 'kprobe', asm: 'r1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall 113\nr0 = 0\nexit' }).verdict === 'accept';

/** Why a program is not compared, or undefined when it is. */
function skipReason(e: ExampleProgram): string | undefined {
  if (!avail.ok) return avail.reason;
  if (EXAMPLE_EXCEPTIONS[e.id]) return undefined; // its premise is checked below
  if (!PROG_TYPES[e.prog.type.name]) return `program type ${e.prog.type.name} is not modelled yet`;
  const gpl = e.prog.insns.some((i) => i.form.id === 'call' && HELPER_PROTOS.get(i.imm)?.gplOnly);
  if (gpl && !licenseProbe) return 'the bpf(2) bridge does not pass the license string, so the kernel refuses gpl_only helpers';
  return undefined;
}

describe('real programs: verdict and first error agree with the kernel', () => {
  for (const e of examplePrograms()) {
    const why = skipReason(e);
    const exception = EXAMPLE_EXCEPTIONS[e.id];
    it.skipIf(why !== undefined)(`${e.id}${why ? ` (skipped: ${why})` : ''}${exception ? ' (listed exception: the kernel refuses it before verifying)' : ''}`, () => {
      const k = kernelForExample(e);
      const o = oursForExample(e);
      if (exception) {
        // The exception holds only while the kernel refuses the load outright; then we must say we do not model it.
        expect({ errorName: k.errorName, log: k.log }, exception.reason).toEqual(exception.kernelRefuses);
        expect(o.verdict).toBe('reject');
        expect(o.unsupported, 'our rejection is a stated limitation, not a kernel verdict').toBe(true);
        return;
      }
      expect(o.verdict).toBe(k.verdict);
      expect(o.error?.message ?? null).toBe(k.error);
    });
  }
});
