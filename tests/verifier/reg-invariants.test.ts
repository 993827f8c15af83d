// A kernel verifier bug reproduced and modelled: on a branch it cannot see is dead, 6.18.44's reg_set_min_max leaves
// a register whose bounds describe no value. reg_bounds_sanity_check then logs "verifier bug: REG INVARIANTS
// VIOLATION (true_reg2): range bounds violation ...", WARNs once per boot (dmesg) and forgets the register's ranges.
// Our verifier must print the same line at the same place and go on the same way.
import { describe, expect, it } from 'vitest';
import { REG_INVARIANTS_ASM } from './corpus-more';
import { bpfAvailability, kernelFor, normaliseLog, oursFor } from './differential';

const avail = bpfAvailability();
const c = { name: 'reg-invariants', rule: 'dead-branch invariant violation', progType: 'socket_filter', asm: REG_INVARIANTS_ASM };

describe('reg_bounds_sanity_check on a dead branch', () => {
  it('our level-2 log reports the violation as the kernel would', () => {
    const ours = oursFor(c, 2);
    expect(ours.verdict).toBe('accept');
    const line = ours.log.split('\n').find((l) => l.startsWith('verifier bug: '));
    expect(line).toMatch(/^verifier bug: REG INVARIANTS VIOLATION \(true_reg2\): range bounds violation u64=\[0x[0-9a-f]+, 0x[0-9a-f]+\] s64=/);
  });

  it.skipIf(!avail.ok)(`the kernel prints the same violation, and the same whole log${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
    const k = kernelFor(c, 2);
    expect(k.verdict).toBe('accept');
    expect(k.log).toContain('verifier bug: REG INVARIANTS VIOLATION (true_reg2): range bounds violation');
    expect(normaliseLog(oursFor(c, 2).log)).toBe(normaliseLog(k.log));
  });
});
