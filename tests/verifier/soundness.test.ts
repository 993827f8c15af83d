// Soundness: generated programs our verifier accepts never fault in our interpreter (several random inputs each).
// tests/verifier/gen/run-soundness.ts runs thousands and prints the counts.
import { describe, expect, it } from 'vitest';
import { describeViolation, runSoundness } from './gen/soundness';

describe('verifier soundness against the interpreter', () => {
  it('300 generated programs, 4 random inputs each: accepted programs never fault', () => {
    const st = runSoundness(Array.from({ length: 300 }, (_, i) => 1 + i), 4);
    expect(st.violations.map(describeViolation)).toEqual([]);
    // Enough accepted programs ran for the property to mean something.
    expect(st.accepted).toBeGreaterThan(90);
    expect(st.clean).toBeGreaterThan(st.runs * 0.9);
    // Control: the rejected programs do fault on the same kind of inputs, so the check can see a fault.
    expect(st.controlFaults).toBeGreaterThan(0);
  });
});
