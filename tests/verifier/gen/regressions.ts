// Programs that showed a disagreement with the kernel in the generated differential, reduced by hand; each
// names the bug it found. tests/verifier/gen/regressions.test.ts compares them with the running kernel.
import type { CorpusCase, CorpusMap } from '../corpus';

const ARRAY: CorpusMap = { name: '', type: 'array', keySize: 4, valueSize: 32, maxEntries: 4 };
const LOOKUP = `*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1`;

export const REGRESSIONS: readonly CorpusCase[] = [
  {
    name: 'end-le32-bounds', progType: 'sched_cls', maps: [ARRAY],
    rule: 'le32 truncates to 32 bits (scalar_byte_swap), so a 32-bit bound also bounds the 64-bit value (gen-582)',
    asm: `${LOOKUP}
if r0 == 0 goto +4
r1 = *(u32 *)(r0 + 0)
r1 = le32 r1
if w1 > 24 goto +2
r0 += r1
r1 = *(u64 *)(r0 + 0)
r0 = 0
exit`,
  },
  {
    name: 'end-le32-signed', progType: 'sched_cls', maps: [ARRAY],
    rule: 'le32 of a u64 load leaves a value in [0, 2^32): a signed upper bound is enough (gen-987)',
    asm: `${LOOKUP}
if r0 == 0 goto +4
r1 = *(u64 *)(r0 + 0)
r1 = le32 r1
if r1 s> 24 goto +2
r0 += r1
r1 = *(u64 *)(r0 + 0)
r0 = 0
exit`,
  },
  {
    name: 'end-be16-tnum', progType: 'sched_cls', maps: [ARRAY],
    rule: 'be16 swaps the tnum: a byte masked to 0x7 becomes 0x700 >> 8 after the swap back (tnum_bswap16)',
    asm: `${LOOKUP}
if r0 == 0 goto +5
r1 = *(u8 *)(r0 + 0)
r1 &= 7
r1 <<= 8
r1 = be16 r1
r0 += r1
r1 = *(u64 *)(r0 + 0)
r0 = 0
exit`,
  },
  {
    name: 'bswap32-tnum', progType: 'sched_cls', maps: [ARRAY],
    rule: 'bswap32 (ALU64, cpu v4) moves known-zero bytes: (0; 0x7) becomes (0; 0x7000000), shifted back to [0, 7]',
    asm: `${LOOKUP}
if r0 == 0 goto +5
r1 = *(u8 *)(r0 + 0)
r1 &= 7
r1 = bswap32 r1
r1 >>= 24
r0 += r1
r1 = *(u64 *)(r0 + 0)
r0 = 0
exit`,
  },
  {
    name: 'end-bswap-id-reset', progType: 'sched_cls', maps: [ARRAY],
    rule: 'a byte swap breaks the scalar id link: bounds learnt on the swapped copy must not reach the original',
    asm: `${LOOKUP}
r6 = r0
call 7
r1 = r0
r2 = r1
r2 = be16 r2
if r2 > 8 goto +4
if r6 == 0 goto +3
r6 += r1
r1 = *(u64 *)(r6 + 0)
r0 = 0
r0 = 0
exit`,
  },
  {
    name: 'long-loop-eviction', progType: 'socket_filter',
    rule: 'checkpoints on the current path also count misses and leave the explored list (is_state_visited "goto miss"), ' +
      'so a long loop keeps a few states per instruction: same statistics line as the kernel, and no quadratic blow-up',
    asm: `r1 = 0
r2 = 0
r2 += r1
r1 += 1
if r1 < 20000 goto -3
r0 = 0
exit`,
  },
];
