// Reduced generated programs that once disagreed with the kernel: verdict and first error must agree now.
import { describe, expect, it } from 'vitest';
import { bpfAvailability, compare } from '../differential';
import { REGRESSIONS } from './regressions';

const avail = bpfAvailability();

describe('generated-differential regressions agree with the kernel', () => {
  for (const c of REGRESSIONS) {
    it.skipIf(!avail.ok)(`${c.name}: ${c.rule}${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
      const r = compare(c);
      expect(r.ours.verdict, `verdict (kernel: ${r.kernel.error ?? 'accept'})`).toBe(r.kernel.verdict);
      expect(r.ours.error?.message ?? null, 'first error line').toBe(r.kernel.error);
      const stats = (log: string): string | undefined => log.split('\n').find((l) => l.startsWith('processed '));
      expect(stats(r.ours.log), 'statistics line').toBe(stats(r.kernel.log));
    });
  }
});
