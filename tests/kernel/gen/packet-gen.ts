// Generates socket-filter programs that exercise the legacy packet loads (ld_abs, ld_ind), run by test_run on packet data.
//
// ld_abs/ld_ind exist only for skb programs: they take the skb from r6, clobber r1..r5 like a call,
// and end the program with r0 = 0 when the load falls outside the packet. So the body only uses
// r0, r7, r8, r9, and the result (a socket filter returns 32 bits) folds all four registers.
import { makeInsn, makeLdImm64, type Insn } from '../../../engine/isa';
import { Rng } from './rng';

/** Offsets of the kernel's special negative ld_abs/ld_ind bases (include/uapi/linux/filter.h). */
export const SKF_NET_OFF = -0x100000;
export const SKF_LL_OFF = -0x200000;

export interface PacketProgram {
  readonly seed: number;
  readonly insns: readonly Insn[];
  /** test_run's data_in: an Ethernet frame. */
  readonly dataIn: Uint8Array;
  readonly formsUsed: ReadonlySet<string>;
}

const WORK = [0, 7, 8, 9];

export interface PacketGenOptions {
  readonly steps?: number;
  /** Also load at the kernel's SKF_NET_OFF / SKF_LL_OFF bases (network / link-layer header). */
  readonly specialOffsets?: boolean;
}

export function generatePacketProgram(seed: number, opts: PacketGenOptions = {}): PacketProgram {
  const steps = opts.steps ?? 12;
  const special = opts.specialOffsets ?? true;
  const rng = new Rng(seed);
  const len = rng.int(14, 80);
  const dataIn = Uint8Array.from({ length: len }, () => rng.int(0, 255));
  // The program sees the packet after the 14-byte Ethernet header (test_run's eth_type_trans pull).
  const seen = len - 14;
  const offset = (): number => {
    // Mostly in bounds (an out-of-bounds load ends the program), sometimes the special bases or past the end.
    const k = rng.int(0, 39);
    if (k < 36) return rng.int(0, Math.max(seen - 4, 0));
    if (k < 38 && special) return rng.pick([SKF_NET_OFF, SKF_NET_OFF + 2, SKF_LL_OFF, SKF_LL_OFF + 6]);
    return rng.pick([-1, -14, 0x7fffffff, seen - 1, seen]);
  };
  const used = new Set<string>();
  const out: Insn[] = [makeInsn('mov64_reg', { dst: 6, src: 1 })];
  for (const r of WORK) out.push(makeLdImm64('lddw', r, rng.u64()));
  for (let i = 0; i < steps; i++) {
    const kind = rng.int(0, 3);
    const sfx = rng.pick(['b', 'h', 'w']);
    if (kind === 0) {
      out.push(makeInsn(`ldabs${sfx}`, { imm: offset() }));
      used.add(`ldabs${sfx}`);
    } else if (kind === 1) {
      const src = rng.pick([7, 8, 9]);
      out.push(makeInsn('mov32_imm', { dst: src, imm: rng.chance(0.9) ? rng.int(0, Math.max(seen - 8, 0)) : offset() }));
      out.push(makeInsn(`ldind${sfx}`, { src, imm: rng.chance(0.5) ? rng.int(-4, 8) : 0 }));
      used.add(`ldind${sfx}`);
    } else {
      const dst = rng.pick([7, 8, 9]);
      out.push(makeInsn(rng.pick(['xor64_reg', 'add64_reg', 'mul64_reg', 'sub32_reg']), { dst, src: 0 }));
      out.push(makeInsn('lsh64_imm', { dst, imm: rng.int(0, 12) }));
    }
  }
  // r0 = fold64to32(r0 ^ r7 ^ r8 ^ r9)
  for (const r of [7, 8, 9]) out.push(makeInsn('xor64_reg', { dst: 0, src: r }));
  out.push(makeInsn('mov64_reg', { dst: 1, src: 0 }), makeInsn('rsh64_imm', { dst: 1, imm: 32 }), makeInsn('xor64_reg', { dst: 0, src: 1 }));
  out.push(makeInsn('exit'));
  return { seed, insns: out, dataIn, formsUsed: used };
}
