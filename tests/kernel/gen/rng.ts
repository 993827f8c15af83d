// A small seeded pseudo-random generator (splitmix32 state, xorshift output) so every generated program is reproducible from its seed.

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform u32. */
  u32(): number {
    // mulberry32: small, fast, passes the statistical needs of a test generator.
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.u32() % items.length];
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  /** A 64-bit value biased toward the edges where arithmetic goes wrong (signs, widths, carries). */
  interesting64(): bigint {
    const edges = [
      0n, 1n, 2n, 7n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn,
      0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn,
      0xffff_ffff_8000_0000n, 0xffff_ffff_ffff_fffen, 0xffff_ffff_7fff_ffffn, 0x8000_0000_0000_0001n,
    ];
    switch (this.int(0, 5)) {
      case 0:
      case 1:
        return this.pick(edges);
      case 2:
        return BigInt.asUintN(64, BigInt(this.int(-64, 64)));
      case 3:
        return 1n << BigInt(this.int(0, 63));
      default:
        return this.u64();
    }
  }

  /** An s32 immediate biased toward edges. */
  interesting32(): number {
    return this.chance(0.5) ? this.pick([0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0xff, 0x80, 0xffff, 0x8000, 63, 31, 32]) : this.u32() | 0;
  }
}
