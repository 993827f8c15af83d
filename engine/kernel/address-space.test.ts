// Address space slot reuse: once a high word's fresh slots run out, gaps left by unmapped regions are reused
// (many runs on one kernel, e.g. bpfdbg run --repeat), with the same alignment and guard gaps as fresh slots.
import { describe, expect, it } from 'vitest';
import { AddressSpace } from './address-space';

const HI_TEST = 0x12340000 | 0;

describe('AddressSpace slot reuse', () => {
  it('reuses unmapped slots after exhaustion and never overlaps or loses its guard gap', () => {
    const space = new AddressSpace();
    const regions = [];
    for (;;) {
      try {
        regions.push(space.map({ name: `r${regions.length}`, kind: 'mem', hi: HI_TEST, bytes: new Uint8Array(512), writable: true }));
      } catch (e) {
        expect((e as Error).message).toMatch(/exhausted/);
        break;
      }
    }
    expect(regions.length).toBeGreaterThan(1000);
    const freed = [regions[10], regions[11], regions[500]];
    for (const r of freed) space.unmap(r);
    const again = [0, 1, 2].map((i) => space.map({ name: `again${i}`, kind: 'mem', hi: HI_TEST, bytes: new Uint8Array(512), writable: true }));
    expect(again.map((r) => r.lo).sort((a, b) => a - b)).toEqual(freed.map((r) => r.lo).sort((a, b) => a - b));
    // The guard gap is kept: a read just past a reused region faults instead of reaching a neighbour.
    expect(space.read(BigInt.asUintN(64, (BigInt(HI_TEST) << 32n) | BigInt(again[0].lo + 512)), 1)).toBeUndefined();
    expect(() => space.map({ name: 'full', kind: 'mem', hi: HI_TEST, bytes: new Uint8Array(512), writable: true })).toThrow(/exhausted/);
  });
});
