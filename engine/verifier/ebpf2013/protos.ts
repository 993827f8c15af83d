// get_func_proto and get_context_access of the 2013 tracing filter (bpf_trace_callbacks.c [S3:L3314-L3340,
// L3413-L3445]): helpers are found by the NAME at strtab + id (strcmp), so any offset that starts a matching
// string works, and an offset into the middle of a name finds nothing (VER-33).
import { strtabName } from '../../isa/ebpf2013';
import { BPF_CONTEXT_2013 } from '../../kernel/helpers-2013';
import type { ProgType } from '../../kernel/prog-types';
import { REG_TYPE_2013 as T } from './types';

/** struct bpf_func_proto: ret_type, arg1..arg4 (R5 is never checked, VER-34). */
export interface FuncProto2013 {
  readonly ret: number;
  readonly args: readonly [number, number, number, number];
}

const proto = (ret: number, ...args: number[]): FuncProto2013 => ({ ret, args: [args[0] ?? 0, args[1] ?? 0, args[2] ?? 0, args[3] ?? 0] });

/** The tracing filter's prototypes, keyed by helper name. */
export const TRACING_PROTOS_2013: ReadonlyMap<string, FuncProto2013> = new Map([
  ['bpf_load_pointer', proto(T.RET_INTEGER)],
  ['bpf_memcmp', proto(T.RET_INTEGER, T.INVALID_PTR, T.PTR_TO_STACK_IMM, T.CONST_ARG_STACK_IMM_SIZE)],
  ['bpf_dump_stack', proto(T.RET_VOID, T.PTR_TO_CTX)],
  ['bpf_trace_printk', proto(T.RET_VOID, T.PTR_TO_STACK_IMM, T.CONST_ARG_STACK_IMM_SIZE)],
  ['bpf_table_lookup', proto(T.PTR_TO_TABLE_CONDITIONAL, T.PTR_TO_CTX, T.CONST_ARG_TABLE_ID, T.PTR_TO_STACK_IMM_TABLE_KEY)],
  ['bpf_table_update', proto(T.RET_INTEGER, T.PTR_TO_CTX, T.CONST_ARG_TABLE_ID, T.PTR_TO_STACK_IMM_TABLE_KEY, T.PTR_TO_STACK_IMM_TABLE_ELEM)],
]);

/** The verifier's view of one subsystem (struct bpf_callbacks minus execution): prototypes and ctx fields. */
export interface Callbacks2013 {
  readonly getFuncProto: (strtab: Uint8Array, id: number) => FuncProto2013 | undefined;
  /** struct bpf_context_access for a byte offset: size and BPF_READ(1)|BPF_WRITE(2); undefined = NULL. */
  readonly getContextAccess: (off: number) => { size: number; type: number } | undefined;
}

/**
 * Callbacks from a ctx descriptor: offsets >= ctxSize give NULL; every other offset an entry of size 0 (refused)
 * unless a field starts there (ctx_access[] is indexed by byte offset, zero-filled).
 */
export function callbacks2013(ctx: ProgType = BPF_CONTEXT_2013, protos: ReadonlyMap<string, FuncProto2013> = TRACING_PROTOS_2013): Callbacks2013 {
  const byOff = new Map(ctx.fields.map((f) => [f.offset, { size: f.size, type: (f.read !== 'none' ? 1 : 0) | (f.write !== 'none' ? 2 : 0) }]));
  return {
    getFuncProto: (strtab, id) => {
      const name = strtabName(strtab, id);
      return name === undefined ? undefined : protos.get(name);
    },
    getContextAccess: (off) => (off >= ctx.ctxSize ? undefined : byOff.get(off) ?? { size: 0, type: 0 }),
  };
}
