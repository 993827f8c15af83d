// Data of the 2013 verifier (seed 003, bpf_check.c): register types, modes, errors and the result.
// Numbers matter: the seed prints them ("R%d ptr=%d expected=%d", "invalid mem access %d") [S3:L400-L418].

/** enum bpf_reg_type, shared by register states and helper prototypes (VER-13). */
export const REG_TYPE_2013 = {
  INVALID_PTR: 0,
  PTR_TO_CTX: 1,
  PTR_TO_TABLE: 2,
  PTR_TO_TABLE_CONDITIONAL: 3,
  PTR_TO_STACK: 4,
  PTR_TO_STACK_IMM: 5,
  PTR_TO_STACK_IMM_TABLE_KEY: 6,
  PTR_TO_STACK_IMM_TABLE_ELEM: 7,
  RET_INTEGER: 8,
  RET_VOID: 9,
  CONST_ARG: 10,
  CONST_ARG_TABLE_ID: 11,
  CONST_ARG_STACK_IMM_SIZE: 12,
} as const;

export const REG_TYPE_NAMES_2013: readonly string[] = Object.keys(REG_TYPE_2013);

/** enum bpf_stack_slot_type (VER-15). */
export const SLOT_2013 = { INVALID: 0, SPILL: 1, SPILL_PART: 2, MISC: 3 } as const;
export const SLOT_NAMES_2013 = ['STACK_INVALID', 'STACK_SPILL', 'STACK_SPILL_PART', 'STACK_MISC'] as const;

/** Errnos the seed returns (negative, as the kernel returns them). */
export const ERRNO_2013 = { E2BIG: -7, EACCES: -13, EFAULT: -14, EINVAL: -22 } as const;

/** MAX_BPF_STACK = 512 - 4*8: the JIT keeps R6-R9 in the bottom 32 bytes [S3:L628-L631]. */
export const MAX_BPF_STACK_2013 = 480;
/** Limits of __bpf_check and push_stack [S3:L716-L719, L1463-L1467]. */
export const MAX_PROCESSED_2013 = 32768;
export const MAX_PENDING_2013 = 1024;
/** check_ctx_access: "struct bpf_context shouldn't be huge" [S3:L899]. */
export const MAX_CTX_OFF_2013 = 32768;
/** MAX_REG: R0..R9 and __fp__ [S3:L639]. */
export const MAX_REG_2013_STATE = 11;
export const FP_2013 = 10;

/**
 * 'hardened' (default) closes every {BUG} of SEEDS-SPEC §3; 'faithful-legacy' reproduces bpf_check bit for bit
 * (for teaching) and reports each hole as a quirk when it fires (GEN-02).
 */
export type Mode2013 = 'hardened' | 'faithful-legacy';

export interface RegState2013 {
  /** enum bpf_reg_type (REG_TYPE_2013). */
  readonly ptr: number;
  readonly readOk: boolean;
  /** int imm: constant of MOV K, stack offset of PTR_TO_STACK_IMM, table_id of table pointers; 0xbadbad when unset. */
  readonly imm: number;
}

export interface StackSlot2013 {
  /** Byte offset from the frame pointer (-480..-1). */
  readonly off: number;
  /** SLOT_2013 value. */
  readonly type: number;
  /** Spilled register (meaningful on STACK_SPILL only; the seed keeps stale values elsewhere, and compares them). */
  readonly ptr: number;
  readonly imm: number;
}

/** Abstract state before one instruction, as data for the debugger: 11 registers and the written stack bytes. */
export interface State2013View {
  readonly regs: readonly RegState2013[];
  /** Only bytes whose type is not STACK_INVALID, highest offset first. */
  readonly stack: readonly StackSlot2013[];
}

export interface Error2013 {
  /** Instruction index the error belongs to; null for whole-program checks (sizes, the processed limit). */
  readonly insn: number | null;
  /** The seed's message (pr_err text without the newline); where the seed prints nothing, our words (printed = false). */
  readonly message: string;
  /** The seed's return value: -EACCES, -EINVAL, -E2BIG, -EFAULT. */
  readonly errno: number;
  /** Stable reason: "cfg.back-edge", "stack.bounds", "hardened.fp-write", ... */
  readonly code: string;
  /** Whether the message appears in the log (the seed prints none for some -EACCES/-EINVAL returns). */
  readonly printed: boolean;
  /** SEEDS-SPEC item (VER-xx) of the rule, where there is one. */
  readonly rule?: string;
}

/** A hole of the seed that fired in faithful-legacy mode (hardened mode rejects these programs). */
export interface Quirk2013 {
  readonly insn: number;
  /** SEEDS-SPEC item: "VER-16b", "VER-18", ... */
  readonly rule: string;
  readonly message: string;
}

export interface Verify2013Result {
  readonly verdict: 'accept' | 'reject';
  readonly mode: Mode2013;
  readonly error: Error2013 | null;
  /** insn_processed: arrivals at instructions over all paths, pruned ones included (VER-44). */
  readonly processed: number;
  /** Lines as the seed prints them (pr_err, "insn #N", pr_info_bpf_insn, pr_debug "insn_processed N"). */
  readonly log: readonly string[];
  readonly quirks: readonly Quirk2013[];
  /** States seen before each instruction (first `keepStatesPerInsn` arrivals). */
  readonly states: ReadonlyMap<number, readonly State2013View[]>;
}
