// Fuzz: random instruction streams and mutated corpus/example programs never crash the verifier, and it always
// returns a verdict within its limits. tests/verifier/gen/run-fuzz.ts runs many more and prints time per input.
import { describe, expect, it } from 'vitest';
import { printKernelInsn } from '../../engine/verifier';
import { runFuzz } from './gen/fuzz';

describe('verifier fuzz', () => {
  it('300 seeded inputs (random, mutated corpus, mutated examples): no crash, a verdict for each', () => {
    const st = runFuzz(Array.from({ length: 300 }, (_, i) => 1 + i));
    const failures = st.failures.map((f) => `${f.input.label} (${f.input.progType}): ${f.what}\n${f.input.insns.map((x) => (x.form.id === 'invalid' ? 'invalid' : printKernelInsn(x))).join('\n')}`);
    expect(failures).toEqual([]);
    expect(st.accepts + st.rejects).toBe(st.inputs);
    // All three kinds took part, and the mutated real programs are not all rejected at the first instruction.
    expect(Math.min(st.byKind.random, st.byKind.corpus, st.byKind.example)).toBeGreaterThan(50);
    expect(st.accepts).toBeGreaterThan(0);
    expect(st.maxProcessed).toBeLessThanOrEqual(1_000_001);
    // Mutated loops can run into the 1M-instruction limit: one such input takes our verifier 30-45 s (the kernel
    // about 1.5 s), the others about 3 s in all; the inputs depend on the corpus, so allow for one or two.
  }, 240_000);
});
