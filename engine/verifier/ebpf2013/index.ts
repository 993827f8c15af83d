// The 2013 verifier of seed 003 (bpf_check.c) as a selectable profile for 2013 images:
// verify2013(program, { mode }) -> verdict, first error, processed count, log lines, quirks and per-insn states.
import type { RawInsn2013 } from '../../asm/print-2013';
import { MAX_BPF_INSNS, MAX_BPF_STRTAB_SIZE, MAX_BPF_TABLES, BPF_TABLE_TYPE, type Table2013 } from '../../isa/ebpf2013';
import { checkCfg2013 } from './cfg';
import { insnLines2013, walk2013 } from './check';
import { callbacks2013, type Callbacks2013 } from './protos';
import { ERRNO_2013, type Error2013, type Mode2013, type Quirk2013, type Verify2013Result } from './types';

export * from './types';
export { callbacks2013, TRACING_PROTOS_2013, type Callbacks2013, type FuncProto2013 } from './protos';
export { State2013 } from './state';

/** What bpf_check reads of a struct bpf_program: an Image2013 or Program2013 fits. */
export interface Program2013Input {
  readonly insns: readonly RawInsn2013[];
  readonly tables: readonly Table2013[];
  readonly strtab: Uint8Array;
}

export interface Verify2013Options {
  /** Default 'hardened'. */
  readonly mode?: Mode2013;
  /** Helper prototypes and ctx access (default: the 2013 tracing filter, PT-01). */
  readonly callbacks?: Callbacks2013;
  /** Abstract states kept per instruction for the debugger (default 1: the first arrival; 0 keeps none). */
  readonly keepStatesPerInsn?: number;
}

const TRACING_CALLBACKS = callbacks2013();

/** bpf_check(prog) [S3:L1556-L1590]. Never throws on a bad program. */
export function verify2013(prog: Program2013Input, opts: Verify2013Options = {}): Verify2013Result {
  const mode = opts.mode ?? 'hardened';
  const log: string[] = [];
  const quirks: Quirk2013[] = [];
  const done = (error: Error2013 | null, processed = 0, states = new Map()): Verify2013Result =>
    ({ verdict: error ? 'reject' : 'accept', mode, error, processed, log, quirks, states });

  const n = prog.insns.length;
  const strtabSize = prog.strtab.length;
  if (n <= 0 || n > MAX_BPF_INSNS || prog.tables.length > MAX_BPF_TABLES || strtabSize > MAX_BPF_STRTAB_SIZE || strtabSize === 0 || prog.strtab[strtabSize - 1] !== 0) {
    // strtab_size 0: the seed reads strtab[-1] (a NULL strtab in bpf_load_image); both modes refuse it here.
    if (strtabSize === 0 && mode === 'faithful-legacy') quirks.push({ insn: 0, rule: 'VER-02', message: 'strtab_size 0: the seed reads strtab[-1] (undefined behaviour)' });
    const message = `BPF program has ${n} insn and ${prog.tables.length} tables. Max is ${MAX_BPF_INSNS}/${MAX_BPF_TABLES}`;
    log.push(message);
    return done({ insn: null, message, errno: ERRNO_2013.E2BIG, code: 'limit.size', printed: true, rule: 'VER-02' });
  }
  if (mode === 'hardened') {
    // MAP-03: the seed never validates table definitions.
    const bad = prog.tables.findIndex((t) => (t.type !== BPF_TABLE_TYPE.HASH && t.type !== BPF_TABLE_TYPE.LPM) || t.keySize === 0 || t.elemSize === 0 || t.maxEntries === 0);
    if (bad >= 0) {
      const message = `invalid table ${bad}: type ${prog.tables[bad].type} key_size ${prog.tables[bad].keySize} elem_size ${prog.tables[bad].elemSize} max_entries ${prog.tables[bad].maxEntries}`;
      log.push(message);
      return done({ insn: null, message, errno: ERRNO_2013.EINVAL, code: 'hardened.table', printed: true, rule: 'MAP-03' });
    }
  }

  const cfg = checkCfg2013(prog.insns, mode);
  quirks.push(...cfg.quirks);
  if (cfg.error) {
    if (cfg.error.printed) log.push(cfg.error.message);
    return done(cfg.error);
  }
  const out = walk2013({
    insns: prog.insns, tables: prog.tables, strtab: prog.strtab, pruneAt: cfg.pruneAt, mode,
    cb: opts.callbacks ?? TRACING_CALLBACKS, keepStatesPerInsn: opts.keepStatesPerInsn ?? 1, log, quirks,
  });
  if (out.fail) {
    const e = out.fail.error;
    if (out.fail.printInsn && e.insn !== null) log.push(...insnLines2013(prog.insns, e.insn));
    return done(e, out.processed, out.states);
  }
  log.push(`insn_processed ${out.processed}`);
  return done(null, out.processed, out.states);
}
