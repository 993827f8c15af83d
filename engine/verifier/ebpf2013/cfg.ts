// Pass 1 of bpf_check: check_cfg [S3:L1219-L1400], the iterative DFS that proves the program is a DAG and marks
// conditional-branch targets as pruning points. Ported with its goto structure so edge order and messages match.
import type { RawInsn2013 } from '../../asm/print-2013';
import { ERRNO_2013, type Error2013, type Mode2013, type Quirk2013 } from './types';

export interface Cfg2013 {
  readonly error?: Error2013;
  /** branch_landing[w] = STATE_END: targets of conditional jumps (E=2 edges), where states are recorded (VER-10). */
  readonly pruneAt: Uint8Array;
  readonly quirks: readonly Quirk2013[];
}

const CLASS_JMP = 0x05;
const CLASS_RET = 0x06;
const OP_JA = 0x00;
const OP_CALL = 0x80;

export function checkCfg2013(insns: readonly RawInsn2013[], mode: Mode2013): Cfg2013 {
  const n = insns.length;
  const pruneAt = new Uint8Array(n);
  const quirks: Quirk2013[] = [];
  const fail = (insn: number | null, message: string, errno: number, code: string, printed: boolean, rule?: string): Cfg2013 =>
    ({ error: { insn, message, errno, code, printed, ...(rule ? { rule } : {}) }, pruneAt, quirks });

  if ((insns[n - 1].code & 0xff) !== 0x06) return fail(n - 1, "last insn is not a 'ret'", ERRNO_2013.EINVAL, 'cfg.last-not-ret', true, 'VER-04');

  // st[]: 0 new, 1 discovered, 2 first edge labelled, 3 both edges labelled, 4 explored.
  const st = new Uint8Array(n);
  const stack: number[] = [];
  st[0] = 1;
  stack.push(0);

  /** PUSH_INSN(T, W, E): 'pushed' continues at peak_stack; 'next' goes on with the next edge; else an error. */
  const pushInsn = (t: number, w: number, e: 1 | 2): 'pushed' | 'next' | Cfg2013 => {
    if (e === 1 && st[t] >= 2) return 'next';
    if (e === 2 && st[t] >= 3) return 'next';
    if (w >= n) return fail(t, `jump out of range from insn ${t} to ${w}`, ERRNO_2013.EACCES, 'cfg.jump-range', mode === 'hardened', 'VER-07');
    if (w < 0) {
      // VER-07 {BUG}: the seed never checks a negative target and then reads and writes st[w] and
      // branch_landing[w] out of bounds. Hardened: -EACCES. Faithful: the outcome is undefined, so we stop (OQ-07).
      if (mode === 'faithful-legacy') {
        quirks.push({ insn: t, rule: 'VER-07', message: `jump to negative index ${w}: the seed reads st[${w}] out of bounds (undefined behaviour)` });
        return fail(t, `jump to negative index ${w}: undefined behaviour in the 2013 verifier (st[${w}] out of bounds)`, ERRNO_2013.EACCES, 'legacy.undefined', false, 'VER-07');
      }
      return fail(t, `jump out of range from insn ${t} to ${w}`, ERRNO_2013.EACCES, 'cfg.jump-range', true, 'VER-07');
    }
    if (e === 2) pruneAt[w] = 1;
    if (st[w] === 0) {
      st[t] = 1 + e;
      st[w] = 1;
      stack.push(w); // PUSH_INT cannot overflow: each instruction is discovered once
      return 'pushed';
    }
    if (st[w] >= 1 && st[w] <= 3) return fail(t, `back-edge from insn ${t} to ${w}`, ERRNO_2013.EINVAL, 'cfg.back-edge', true, 'VER-08');
    st[t] = 1 + e; // forward- or cross-edge to an explored instruction
    return 'next';
  };

  while (stack.length) {
    const t = stack[stack.length - 1];
    if (t !== n - 1) {
      const code = insns[t].code & 0xff;
      if ((code & 0x07) === CLASS_RET) return fail(t, "extraneous 'ret'", ERRNO_2013.EINVAL, 'cfg.extra-ret', true, 'VER-05');
      const edges: Array<[number, 1 | 2]> = [];
      if ((code & 0x07) === CLASS_JMP) {
        const op = code & 0xf0;
        if (op === OP_CALL) edges.push([t + 1, 1]);
        else if (op === OP_JA) {
          if ((code & 0x08) === 0) return fail(t, 'JA must use BPF_X (0x0d)', ERRNO_2013.EINVAL, 'cfg.ja-k', mode === 'hardened', 'VER-06');
          edges.push([t + insns[t].off + 1, 1]);
        } else {
          edges.push([t + 1, 1], [t + insns[t].off + 1, 2]);
        }
      } else {
        edges.push([t + 1, 1]);
      }
      let pushed = false;
      for (const [w, e] of edges) {
        const r = pushInsn(t, w, e);
        if (r === 'pushed') {
          pushed = true;
          break;
        }
        if (r !== 'next') return r;
      }
      if (pushed) continue;
    }
    // mark_explored
    st[t] = 4;
    stack.pop();
  }
  for (let i = 0; i < n; i++) {
    if (st[i] !== 4) return fail(i, `unreachable insn ${i}`, ERRNO_2013.EINVAL, 'cfg.unreachable', true, 'VER-09');
  }
  return { pruneAt, quirks };
}
