// Seed 002 patch 1: tail calls from one program type into another, with context conversion (TC-01..TC-08).
//
// A program type may implement two struct bpf_prog_ops operations [S2:L20-L35, L93-L97]:
//   bool  is_valid_tail_call(enum bpf_prog_type stype)   load time: may stype programs tail-call into me?
//   void *convert_ctx(enum bpf_prog_type stype, void *ctx) run time: my ctx built from stype's ctx
// The verifier inserts `MOV R4, prog->type` before every tail call (TC-04 [S2:L210-L215]) and the
// interpreter passes R4 as the source type [S2:L136-L153]. Upstream kernels have neither, so a kernel
// gets this behaviour only once some type registers ops (Kernel.crossType stays undefined before).
import { makeInsn, type Insn } from '../isa';
import type { Kernel } from './kernel';
import { ERRNO, type ProgArrayMap } from './maps';
import type { RunProgType } from './run-ctx';

export interface TailCallOps {
  /** is_valid_tail_call(stype); a type without it denies casting [S2:L42-L43]. */
  readonly isValidTailCall?: (stype: number) => boolean;
  /** convert_ctx(stype, ctx): the new ctx address, or 0n (NULL) to make the tail call fall through. */
  readonly convertCtx?: (kernel: Kernel, stype: number, ctx: bigint) => bigint;
}

/** enum bpf_prog_type of the run types (raw conformance programs have none: BPF_PROG_TYPE_UNSPEC). */
const UPSTREAM_TYPE_IDS: Readonly<Record<string, number>> = Object.freeze({
  raw: 0, socket_filter: 1, kprobe: 2, sched_cls: 3, tc: 3, xdp: 6, tracing: 26, syscall: 31,
});

export class CrossTypeTailCalls {
  private readonly ops = new Map<string, TailCallOps>();
  private readonly ids = new Map<string, number>(Object.entries(UPSTREAM_TYPE_IDS));
  /** Programs of types the run types cannot name (seed 002's dtrace), by loaded program object. */
  private readonly seedTypes = new WeakMap<object, string>();

  constructor(private readonly kernel: Kernel) {}

  /** Registers a program type's operations; `id` is its enum bpf_prog_type value on this kernel. */
  register(type: string, id: number, ops: TailCallOps): void {
    this.ops.set(type, ops);
    this.ids.set(type, id);
  }

  /** The value the verifier's inserted `MOV R4, prog->type` loads for a program of this run type. */
  typeId(type: RunProgType | string): number {
    return this.ids.get(type) ?? 0;
  }

  /** Records that a loaded program is of a registered seed type (e.g. 'dtrace') rather than its run type. */
  setProgramType(program: object, type: string): void {
    this.seedTypes.set(program, type);
  }

  /** The type of a loaded program: its recorded seed type, else its run type. */
  programType(program: { readonly type: RunProgType }): string {
    return this.seedTypes.get(program) ?? program.type;
  }

  typeName(id: number): string | undefined {
    for (const [name, v] of this.ids) if (v === id) return name;
    return undefined;
  }

  /** R4 for a tail call made by this loaded program (TC-04). */
  programTypeId(program: { readonly type: RunProgType }): number {
    return this.typeId(this.programType(program));
  }

  /**
   * The interpreter's TC-05 step for a tail call into `target` (from `array`): the target program's
   * type is its recorded seed type, else the array's owner type (TC-03: one type per array), else its run type.
   */
  convertFor(array: ProgArrayMap, target: { readonly type: RunProgType }, stype: number, ctx: bigint): bigint | undefined {
    return this.convert(this.seedTypes.get(target) ?? array.ownerType ?? target.type, stype, ctx);
  }

  /**
   * TC-05 [S2:L148-L153]: when the target's type implements convert_ctx, the ctx to continue with
   * (0n: NULL, the tail call falls through); undefined when the type has no convert_ctx (R1 unchanged).
   * TC-06: it is called for every tail call into such a type, same-type calls included.
   */
  convert(target: RunProgType | string, stype: number, ctx: bigint): bigint | undefined {
    const conv = this.ops.get(target)?.convertCtx;
    return conv ? BigInt.asUintN(64, conv(this.kernel, stype >>> 0, ctx)) : undefined;
  }

  /**
   * TC-02, bpf_check_tail_call [S2:L156-L174] for one PROG_ARRAY a program of `type` uses:
   * bpf_prog_array_compatible (same owner type; an unowned array is claimed by the first program
   * checked against it, as kernels of that era did {EXT}) or bpf_prog_array_valid_tail_call (the
   * owner type's is_valid_tail_call(type)). Everything is interpreted here, so owner_jited always
   * equals fp->jited (TC-08: the RFC has no JIT support). 0 or -EINVAL.
   */
  checkTailCall(array: ProgArrayMap, type: RunProgType | string): number {
    if (array.ownerType === undefined) {
      array.ownerType = type;
      return 0;
    }
    if (array.ownerType === type) return 0;
    const valid = this.ops.get(array.ownerType)?.isValidTailCall;
    return valid && valid(this.typeId(type)) ? 0 : -ERRNO.EINVAL;
  }
}

/**
 * fixup_bpf_calls' rewrite of one `call bpf_tail_call` in the seed-002 kernel (TC-04 [S2:L190-L218]).
 * Unprivileged (index masking): `if r3 >= max_entries goto +3; w3 &= index_mask; r4 = type; tail_call`,
 * where the skip grew from +2 to +3 so it still lands past the tail call (KT-06). Privileged: the seed
 * jumps to a `privileged:` label whose body it does not show (OQ-04); we emit `r4 = type; tail_call`,
 * since the interpreter reads R4 either way. The last instruction stays `call 12` here (the kernel
 * turns it into its internal BPF_JMP | BPF_TAIL_CALL, 0xf5, which has no uapi encoding).
 */
export function tailCallFixup(opts: { maxEntries: number; progTypeId: number; unprivileged: boolean }): Insn[] {
  const setType = makeInsn('mov64_imm', { dst: 4, imm: opts.progTypeId });
  const call = makeInsn('call', { imm: 12 });
  if (!opts.unprivileged) return [setType, call];
  // array->index_mask = roundup_pow_of_two(max_entries) - 1
  let pow = 1;
  while (pow < opts.maxEntries) pow *= 2;
  return [
    makeInsn('jge_imm', { dst: 3, imm: opts.maxEntries, off: 3 }),
    makeInsn('and32_imm', { dst: 3, imm: pow - 1 }),
    setType,
    call,
  ];
}
