// Generated differential: a few hundred seeded random programs get the running kernel's verdict and first error
// from our verifier. scripts/verifier-diff.ts runs thousands and prints the table.
import { describe, expect, it } from 'vitest';
import { bpfAvailability } from '../differential';
import { describeOutcome, runGenerated } from './gen-diff';
import { GEN_EXCEPTIONS } from './exceptions';

const avail = bpfAvailability();
const SEEDS = Array.from({ length: 300 }, (_, i) => 1 + i);

describe('generated programs: verdict and first error agree with the kernel', () => {
  it.skipIf(!avail.ok)(`seeds 1..${SEEDS.length}${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
    const t = runGenerated(SEEDS);
    // Both verdicts must be exercised, or the suite tests only one side of the verifier.
    expect(t.kernelAccepts, 'kernel accepts').toBeGreaterThan(SEEDS.length * 0.3);
    expect(t.kernelAccepts, 'kernel accepts').toBeLessThan(SEEDS.length * 0.7);
    expect(t.unexplained.map(describeOutcome), 'disagreements no reasoned exception covers').toEqual([]);
  });

  it('every reasoned exception states its reason', () => {
    for (const e of GEN_EXCEPTIONS) expect(e.reason.length, e.id).toBeGreaterThan(20);
  });
});
