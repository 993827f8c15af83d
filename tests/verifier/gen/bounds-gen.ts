// Seeded generator of small scalar-bounds programs (socket filters) for the kernel differential: two ctx-derived
// unknowns and a constant-ish register go through masks, adds, subtractions, shifts and 32/64-bit, signed/unsigned
// comparisons with constants near the sign and width edges (each failed comparison exits), then meet in one last
// register-register comparison. Every instruction is well-formed and every path sets r0, so the kernel accepts them
// all; what gets compared is which branches each verifier finds possible and the bounds it prints (level-1 and
// level-2 logs, statistics line). This family found the tnum_overlap, tnum-single-value and s32-sign-crossing
// rules of 6.18 that the snippet generator (verifier-gen.ts) never reached.
import { Rng } from '../../kernel/gen/rng';
import type { GenCase } from './verifier-gen';

const EDGES = [
  0, 1, 8, 16, -16, 0x20, 0xfffe, 0xffff, 0x7fffffff, 0x80000000 | 0, 0x90000000 | 0, -1, -2, -32, -160, 0x8000050,
  0x1b18b22a, 0x10000000, 0xf7ffffe0 | 0, 0xffffffe0 | 0, 0xefffff60 | 0,
];
const CONDS = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&'];
const REGS = ['6', '8', '9'];

function imm(rng: Rng): number {
  switch (rng.int(0, 3)) {
    case 0: return rng.u32() | 0;
    case 1: return rng.u32() & 0xffff;
    case 2: return -(rng.u32() & 0xffff);
    default: return rng.pick(EDGES);
  }
}

export function generateBoundsCase(seed: number): GenCase {
  const rng = new Rng(seed);
  // r6, r7: u32 ctx fields; r8: r6:r7 as one 64-bit unknown; r9: a constant, or a third unknown.
  const lines = ['r0 = 0', 'r6 = *(u32 *)(r1 + 0)', 'r7 = *(u32 *)(r1 + 4)', 'r8 = r6', 'r8 <<= 32', 'r8 |= r7', `r9 = ${imm(rng)}`];
  if (rng.chance(0.5)) lines.push(`r9 <<= ${rng.int(0, 32)}`, `r9 |= ${imm(rng)}`);
  if (rng.chance(0.5)) lines.push('r9 = *(u32 *)(r1 + 8)');
  const steps = rng.int(1, 7);
  for (let i = 0; i < steps; i++) {
    const r = rng.pick(REGS);
    const w = rng.chance(1 / 3) ? 'w' : 'r';
    const dst = `${w}${r}`;
    const other = `${w}${rng.pick(REGS.filter((x) => x !== r))}`;
    switch (rng.int(0, 8)) {
      case 0: lines.push(`${dst} &= ${imm(rng)}`); break;
      case 1: lines.push(`${dst} |= ${imm(rng)}`); break;
      case 2: lines.push(`${dst} += ${imm(rng)}`); break;
      case 3: lines.push(`${dst} -= ${imm(rng)}`); break;
      case 4: lines.push(`${dst} -= ${other}`); break;
      case 5: lines.push(`if ${dst} ${rng.pick(CONDS)} ${imm(rng)} goto +1`, 'exit'); break;
      case 6: lines.push(`${dst} s>>= ${rng.int(0, 7)}`); break;
      case 7: lines.push(`${dst} ^= ${imm(rng)}`); break;
      default: lines.push(`if ${dst} ${rng.pick(CONDS)} ${other} goto +1`, 'exit'); break;
    }
  }
  const [a, b] = rng.pick([['8', '9'], ['8', '6'], ['9', '6']]);
  const w = rng.chance(0.5) ? 'w' : 'r';
  const pair = rng.chance(0.5) ? [a, b] : [b, a];
  lines.push(`if ${w}${pair[0]} ${rng.pick(CONDS)} ${w}${pair[1]} goto +1`, 'r0 = 1', 'exit');
  return {
    name: `bounds-${seed}`, rule: 'scalar bounds: masks, arithmetic and comparisons at the sign and width edges',
    progType: 'socket_filter', seed, asm: lines.join('\n'), mistakes: [], families: ['bounds'],
  };
}
