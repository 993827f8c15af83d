// Generates random, verifier-acceptable BPF_PROG_TYPE_SYSCALL programs whose whole register and stack state ends up in the ctx.
//
// Every program has the same frame so that the kernel and our interpreter can be compared byte for byte:
//
//   ctx (CTX_SIZE bytes, u64 little-endian slots)
//   +0    in[0..9]     ten u64 inputs, loaded into r0, r1..r9 by the prologue
//   +80   out[0..9]    r0..r9 at the end of the body, stored by the epilogue
//   +160  stack[0..7]  the 64-byte scratch stack region fp-80..fp-17 at the end
//
//   stack: fp-8 holds the ctx pointer (spilled by the prologue, never touched by the body),
//          fp-16 is the epilogue's spill slot, fp-80..fp-17 is the body's scratch region,
//          initialised from r2..r9 so that every load reads defined bytes.
//
// The body uses r0..r9 as plain scalars (r10 only as a memory base), jumps only forward, never
// divides by a zero immediate and never shifts by an immediate >= the width: the rules the verifier
// enforces on such code. Registers may still hold zero or -1 divisors at run time, which is the point.
import { FORMS, formById, makeInsn, makeLdImm64, type Insn, type InsnForm } from '../../../engine/isa';
import { Rng } from './rng';

export const CTX_SIZE = 224;
export const OUT_OFF = 80;
export const STACK_OUT_OFF = 160;
const REGION_LO = -80;
const REGION_HI = -16;

export interface GeneratedProgram {
  readonly seed: number;
  readonly insns: readonly Insn[];
  readonly ctxIn: Uint8Array;
  /** Form ids the body used (for coverage). */
  readonly formsUsed: ReadonlySet<string>;
}

/** Forms a syscall program may contain and the generator can place in a body. */
export function bodyForms(): InsnForm[] {
  return FORMS.filter((f) => {
    switch (f.kind) {
      case 'alu': case 'neg': case 'mov': case 'movsx': case 'end': case 'bswap': case 'ldx': case 'ldsx':
      case 'st': case 'stx': case 'atomic': case 'jcond': case 'ja':
        return true;
      case 'lddw':
        return f.id === 'lddw';
      case 'may_goto':
        return true;
      default:
        return false;
    }
  });
}

/** Where a jump goes: the start of a later step, or an instruction of its own step (insns.length = its end). */
type Target = { readonly step: number } | { readonly local: number };

/** Body step: instructions, some of which are forward jumps. */
interface Step {
  insns: Insn[];
  /** index into insns -> target */
  jumps: Map<number, Target>;
}

function reg(rng: Rng): number {
  return rng.int(0, 9);
}

function aluImm(rng: Rng, f: InsnForm): number {
  const op = f.aluOp!;
  if (op === 'lsh' || op === 'rsh' || op === 'arsh') return rng.int(0, f.width - 1);
  const v = rng.interesting32();
  if ((op === 'div' || op === 'mod' || op === 'sdiv' || op === 'smod') && v === 0) return rng.pick([1, -1, 3]);
  return v;
}

/** The verifier demands size-aligned stack accesses (check_ptr_alignment: stack is always strict). */
function stackOff(rng: Rng, size: number): number {
  return REGION_LO + size * rng.int(0, (REGION_HI - size - REGION_LO) / size);
}

/** One use of form `f` with random operands; jumps get a target later. */
function instance(rng: Rng, f: InsnForm, nextStep: number, lastStep: number): Step {
  const jumps = new Map<number, Target>();
  const one = (i: Insn): Step => ({ insns: [i], jumps });
  switch (f.kind) {
    case 'alu':
      return one(f.source === 'imm' ? makeInsn(f.id, { dst: reg(rng), imm: aluImm(rng, f) }) : makeInsn(f.id, { dst: reg(rng), src: reg(rng) }));
    case 'neg': case 'end': case 'bswap':
      return one(makeInsn(f.id, { dst: reg(rng) }));
    case 'mov':
      return one(f.source === 'imm' ? makeInsn(f.id, { dst: reg(rng), imm: rng.interesting32() }) : makeInsn(f.id, { dst: reg(rng), src: reg(rng) }));
    case 'movsx':
      return one(makeInsn(f.id, { dst: reg(rng), src: reg(rng) }));
    case 'lddw':
      return one(makeLdImm64('lddw', reg(rng), rng.interesting64()));
    case 'ldx': case 'ldsx':
      return one(makeInsn(f.id, { dst: reg(rng), src: 10, off: stackOff(rng, f.size!) }));
    case 'st':
      return one(makeInsn(f.id, { dst: 10, off: stackOff(rng, f.size!), imm: rng.interesting32() }));
    case 'stx':
      return one(makeInsn(f.id, { dst: 10, src: reg(rng), off: stackOff(rng, f.size!) }));
    case 'atomic':
      // cmpxchg compares with and returns into r0.
      return one(makeInsn(f.id, { dst: 10, src: reg(rng), off: stackOff(rng, f.size!) }));
    case 'jcond': {
      const j = f.source === 'imm' ? makeInsn(f.id, { dst: reg(rng), imm: rng.interesting32() }) : makeInsn(f.id, { dst: reg(rng), src: reg(rng) });
      jumps.set(0, { step: rng.int(nextStep, Math.min(lastStep, nextStep + 4)) });
      return { insns: [j], jumps };
    }
    case 'ja': {
      // An unconditional jump over code that nothing else reaches is refused ("unreachable insn"),
      // so ja closes the then-arm of a diamond: if (cond) goto else; then; ja end; else: ...; end:
      const cond = makeInsn(rng.pick(['jeq_imm', 'jne_imm', 'jsgt_imm', 'jset_imm', 'jlt32_imm']), { dst: reg(rng), imm: rng.interesting32() });
      const arm = (): Insn => makeInsn(rng.pick(['add64_imm', 'xor64_imm', 'mov32_imm']), { dst: reg(rng), imm: rng.interesting32() });
      jumps.set(0, { local: 3 });
      jumps.set(2, { local: 4 });
      return { insns: [cond, arm(), makeInsn(f.id), arm()], jumps };
    }
    case 'may_goto': {
      // The kernel's may_goto falls through until its loop budget is spent, but the verifier explores
      // the jump too, so both arms must be valid: skip one marker instruction.
      jumps.set(0, { local: 2 });
      return { insns: [makeInsn('may_goto'), makeInsn('xor64_imm', { dst: 0, imm: rng.interesting32() })], jumps };
    }
    default:
      throw new RangeError(`generator cannot place form ${f.id}`);
  }
}

function prologue(): Insn[] {
  const out: Insn[] = [makeInsn('stxdw', { dst: 10, src: 1, off: -8 })];
  for (const r of [0, 2, 3, 4, 5, 6, 7, 8, 9]) out.push(makeInsn('ldxdw', { dst: r, src: 1, off: 8 * r }));
  out.push(makeInsn('ldxdw', { dst: 1, src: 1, off: 8 }));
  for (let k = 0; k < 8; k++) out.push(makeInsn('stxdw', { dst: 10, src: 2 + k, off: REGION_LO + 8 * k }));
  return out;
}

function epilogue(): Insn[] {
  const out: Insn[] = [makeInsn('stxdw', { dst: 10, src: 1, off: -16 }), makeInsn('ldxdw', { dst: 1, src: 10, off: -8 })];
  for (const r of [0, 2, 3, 4, 5, 6, 7, 8, 9]) out.push(makeInsn('stxdw', { dst: 1, src: r, off: OUT_OFF + 8 * r }));
  out.push(makeInsn('ldxdw', { dst: 2, src: 10, off: -16 }), makeInsn('stxdw', { dst: 1, src: 2, off: OUT_OFF + 8 }));
  for (let k = 0; k < 8; k++) {
    out.push(makeInsn('ldxdw', { dst: 2, src: 10, off: REGION_LO + 8 * k }), makeInsn('stxdw', { dst: 1, src: 2, off: STACK_OUT_OFF + 8 * k }));
  }
  out.push(makeInsn('exit'));
  return out;
}

function slots(i: Insn): number {
  return i.form.kind === 'lddw' ? 2 : 1;
}

/** Lays out prologue, steps and epilogue, resolving each jump to the first slot of its target step (or the epilogue). */
function assemble(steps: Step[]): Insn[] {
  const pro = prologue();
  const starts: number[] = [];
  let pc = pro.reduce((n, i) => n + slots(i), 0);
  for (const s of steps) {
    starts.push(pc);
    pc += s.insns.reduce((n, i) => n + slots(i), 0);
  }
  starts.push(pc);
  const body: Insn[] = [];
  steps.forEach((s, si) => {
    const local: number[] = [];
    let at = starts[si];
    for (const insn of s.insns) {
      local.push(at);
      at += slots(insn);
    }
    local.push(at);
    s.insns.forEach((insn, ii) => {
      const target = s.jumps.get(ii);
      const pc = local[ii];
      if (target === undefined) return body.push(insn);
      const dest = 'step' in target ? starts[target.step] : local[target.local];
      body.push(insn.form.id === 'gotol' ? { ...insn, imm: dest - (pc + 1) } : { ...insn, off: dest - (pc + 1) });
    });
  });
  return [...pro, ...body, ...epilogue()];
}

function ctxFor(rng: Rng): Uint8Array {
  const ctx = new Uint8Array(CTX_SIZE);
  const v = new DataView(ctx.buffer);
  for (let r = 0; r < 10; r++) v.setBigUint64(8 * r, rng.interesting64(), true);
  return ctx;
}

export interface GenOptions {
  /** Number of body steps (default 10..50). */
  readonly steps?: number;
  /** Only this form in the body (plus a marker after each conditional jump). */
  readonly focus?: string;
  /** Cap on conditional jumps per program; bounds the verifier's path count. */
  readonly maxCondJumps?: number;
  /**
   * Make the program a bpf-to-bpf subprogram of `call pc+1; exit` (exercises call_local, the callee's
   * own stack frame and r1 passed through).
   */
  readonly asSubprog?: boolean;
}

/** A random program; the same seed and options give the same program. */
export function generateProgram(seed: number, opts: GenOptions = {}): GeneratedProgram {
  const rng = new Rng(seed);
  const all = bodyForms();
  const n = opts.steps ?? rng.int(10, 50);
  const maxJ = opts.maxCondJumps ?? 6;
  const focus = opts.focus ? formById(opts.focus) : undefined;
  const steps: Step[] = [];
  const used = new Set<string>();
  let condJumps = 0;
  while (steps.length < n) {
    let f = focus ?? rng.pick(all);
    if (f.kind === 'jcond' && condJumps >= maxJ && !focus) f = formById('add64_reg');
    if (f.kind === 'jcond') condJumps++;
    steps.push(instance(rng, f, steps.length + 1, n));
    used.add(f.id);
    // A focused conditional jump gets a marker step to skip, so whether it was taken shows in r0.
    if (focus && f.kind === 'jcond' && steps.length < n) {
      steps.push({ insns: [makeInsn('xor64_imm', { dst: 0, imm: 1 << (steps.length % 31) })], jumps: new Map() });
      steps[steps.length - 2].jumps.set(0, { step: steps.length });
    }
  }
  const body = assemble(steps);
  if (opts.asSubprog) used.add('call_local');
  const insns = opts.asSubprog ? [makeInsn('call_local', { imm: 1 }), makeInsn('exit'), ...body] : body;
  return { seed, insns, ctxIn: ctxFor(rng), formsUsed: used };
}
