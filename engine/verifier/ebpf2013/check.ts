// Pass 2 of bpf_check: __bpf_check [S3:L1437-L1538] and the check_* functions it calls [S3:L748-L1216], walking
// every path from insn 0 with exact-state pruning at conditional-branch targets. 'faithful-legacy' keeps every
// quirk of the seed and reports each hole as it fires; 'hardened' closes the {BUG} items of SEEDS-SPEC §3.
import { printInsn2013, type RawInsn2013 } from '../../asm/print-2013';
import { checkFields2013, formWithCode2013, type Table2013 } from '../../isa/ebpf2013';
import type { Callbacks2013 } from './protos';
import { BADBAD, State2013 } from './state';
import {
  ERRNO_2013, FP_2013, MAX_BPF_STACK_2013, MAX_CTX_OFF_2013, MAX_PENDING_2013, MAX_PROCESSED_2013, REG_TYPE_2013 as T,
  SLOT_2013, type Error2013, type Mode2013, type Quirk2013, type State2013View,
} from './types';

/** An error on the way out of __bpf_check. `printInsn`: it went through the _() macro, which prints "insn #N" and the insn. */
export class Fail2013 {
  constructor(readonly error: Error2013, readonly printInsn: boolean) {}
}

export interface Walk2013Input {
  readonly insns: readonly RawInsn2013[];
  readonly tables: readonly Table2013[];
  readonly strtab: Uint8Array;
  readonly pruneAt: Uint8Array;
  readonly mode: Mode2013;
  readonly cb: Callbacks2013;
  readonly keepStatesPerInsn: number;
  /** Log lines so far (pr_err text is appended as the seed prints it). */
  readonly log: string[];
  readonly quirks: Quirk2013[];
}

export interface Walk2013Output {
  readonly processed: number;
  readonly fail?: Fail2013;
  readonly states: Map<number, State2013View[]>;
}

const READ = 1;
const WRITE = 2;
const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
const MODE_REL = 0xc0;
const MODE_XADD = 0xe0;

export function walk2013(input: Walk2013Input): Walk2013Output {
  const { insns, tables, strtab, pruneAt, mode, cb, log, quirks } = input;
  const hardened = mode === 'hardened';
  const n = insns.length;
  const states = new Map<number, State2013View[]>();
  const landing = new Map<number, Map<number, State2013[]>>();
  const pending: Array<{ st: State2013; idx: number }> = [];
  let cur = State2013.initial();
  let processed = 0;
  let idx = 0;

  const quirk = (rule: string, message: string): void => {
    if (!quirks.some((q) => q.insn === idx && q.rule === rule)) quirks.push({ insn: idx, rule, message });
  };
  /** Throws; `printed` false where the seed returns an error without pr_err (hardened mode prints our words). */
  const fail = (message: string, errno: number, code: string, opts: { printed?: boolean; viaMacro?: boolean; rule?: string; insn?: number | null } = {}): never => {
    const printed = opts.printed ?? true;
    if (printed) log.push(message);
    throw new Fail2013({ insn: opts.insn === undefined ? idx : opts.insn, message, errno, code, printed, ...(opts.rule ? { rule: opts.rule } : {}) }, opts.viaMacro ?? true);
  };

  // check_reg_arg [S3:L748-L769]
  const checkRegArg = (r: number, isSrc: boolean): void => {
    if (hardened && r > FP_2013) fail(`invalid register r${r}`, ERRNO_2013.EINVAL, 'hardened.register', { rule: 'VER-16c' });
    if (!hardened && r > FP_2013) quirk('VER-16c', `register r${r} does not exist; the seed uses regs[${r}], which overlays stack[${r - 11}] (fp${r - 11 - MAX_BPF_STACK_2013})`);
    if (isSrc) {
      if (!cur.readOk(r)) fail(`R${r} !read_ok`, ERRNO_2013.EACCES, 'reg.read', { rule: 'VER-16' });
    } else {
      if (r === FP_2013) fail('frame pointer is read only', ERRNO_2013.EACCES, 'reg.fp-write', { printed: hardened, rule: 'VER-16' });
      cur.markNoPtr(r);
    }
  };

  /** The destinations the seed writes without check_reg_arg: LDX and stack fills (VER-16b). */
  const checkLoadDst = (r: number): void => {
    if (r === FP_2013) {
      if (hardened) fail('frame pointer is read only', ERRNO_2013.EACCES, 'hardened.fp-write', { rule: 'VER-16b' });
      quirk('VER-16b', 'ldx writes r10 without check_reg_arg: the frame pointer becomes a scalar (the JIT would overwrite rbp)');
    }
    if (r > FP_2013) {
      if (hardened) fail(`invalid register r${r}`, ERRNO_2013.EINVAL, 'hardened.register', { rule: 'VER-16c' });
      quirk('VER-16c', `register r${r} does not exist; the seed writes regs[${r}], which overlays stack[${r - 11}] (fp${r - 11 - MAX_BPF_STACK_2013})`);
    }
  };

  const getTableInfo = (id: number): Table2013 => {
    if (id < 0 || id >= tables.length) fail(`invalid access to table_id=${id} max_tables=${tables.length}`, ERRNO_2013.EACCES, 'table.id', { rule: 'VER-36' });
    return tables[id];
  };

  const stackWrite = (off: number, size: number, valueReg: number, xadd: boolean): void => {
    const base = MAX_BPF_STACK_2013 + off;
    if (xadd) {
      // DRV: XADD reads the slot and adds, but check_stack_write treats it as a plain store, so an XADD of a ctx
      // or table pointer into any stack bytes becomes a "spill" whose restored pointer is old bytes + pointer.
      const ptrValue = valueReg >= 0 && (cur.ptr(valueReg) === T.PTR_TO_TABLE || cur.ptr(valueReg) === T.PTR_TO_CTX);
      if (hardened) {
        for (let i = 0; i < size; i++) {
          if (cur.slotType(base + i) !== SLOT_2013.MISC) fail(`invalid read from stack off ${off}+${i} size ${size}`, ERRNO_2013.EACCES, 'hardened.xadd-stack', { rule: 'VER-31' });
        }
        if (ptrValue) fail('xadd of a pointer into the stack', ERRNO_2013.EACCES, 'hardened.xadd-stack', { rule: 'VER-31' });
        return; // the bytes stay MISC
      }
      if (ptrValue) quirk('VER-31', 'xadd of a pointer is recorded as a register spill; filling it yields a typed pointer whose value is old stack bytes + pointer');
    }
    if (valueReg >= 0 && (cur.ptr(valueReg) === T.PTR_TO_TABLE || cur.ptr(valueReg) === T.PTR_TO_CTX)) {
      if (size !== 8) fail('invalid size of register spill', ERRNO_2013.EACCES, 'stack.spill-size', { rule: 'VER-31' });
      cur.setSpill(base, cur.ptr(valueReg), cur.imm(valueReg));
      for (let i = 1; i < 8; i++) cur.setSlotType(base + i, SLOT_2013.SPILL_PART);
    } else {
      for (let i = 0; i < size; i++) cur.setSlotType(base + i, SLOT_2013.MISC);
    }
  };

  const stackRead = (off: number, size: number, valueReg: number): void => {
    const base = MAX_BPF_STACK_2013 + off;
    if (cur.slotType(base) === SLOT_2013.SPILL) {
      if (size !== 8) fail('invalid size of register spill', ERRNO_2013.EACCES, 'stack.spill-size', { rule: 'VER-32' });
      for (let i = 1; i < 8; i++) {
        if (cur.slotType(base + i) !== SLOT_2013.SPILL_PART) fail('corrupted spill memory', ERRNO_2013.EACCES, 'stack.spill-corrupt', { rule: 'VER-32' });
      }
      cur.setReg(valueReg, cur.slotPtr(base), true, cur.slotImm(base));
      return;
    }
    for (let i = 0; i < size; i++) {
      if (cur.slotType(base + i) !== SLOT_2013.MISC) fail(`invalid read from stack off ${off}+${i} size ${size}`, ERRNO_2013.EACCES, 'stack.uninit', { rule: 'VER-32' });
    }
    cur.markNoPtr(valueReg);
  };

  // check_mem_access [S3:L913-L948]
  const checkMemAccess = (regno: number, off: number, code: number, t: number, valueReg: number, xadd = false): void => {
    const size = SIZE_BYTES[code & 0x18];
    if (off % size !== 0) fail(`misaligned access off ${off} size ${size}`, ERRNO_2013.EACCES, 'mem.misaligned', { rule: 'VER-26' });
    const ptr = cur.ptr(regno);
    if (ptr === T.PTR_TO_TABLE) {
      const id = cur.imm(regno);
      const table = getTableInfo(id);
      // off + size > elem_size compares as unsigned (elem_size is u32); off >= 0 here, so it is the plain compare.
      if (off < 0 || off + size > table.elemSize) {
        fail(`invalid access to table_id=${id} leaf_size=${table.elemSize | 0} off=${off} size=${size}`, ERRNO_2013.EACCES, 'table.access', { rule: 'VER-28' });
      }
      if (t === READ) cur.markNoPtr(valueReg);
    } else if (ptr === T.PTR_TO_CTX) {
      const access = off < 0 || off >= MAX_CTX_OFF_2013 ? undefined : cb.getContextAccess(off);
      if (!access || access.size !== size || (access.type & t) === 0) {
        fail(`invalid bpf_context access off=${off} size=${size}`, ERRNO_2013.EACCES, 'ctx.access', { rule: 'VER-29' });
      }
      if (t === READ) cur.markNoPtr(valueReg);
    } else if (ptr === T.PTR_TO_STACK) {
      if (off >= 0 || off < -MAX_BPF_STACK_2013) fail(`invalid stack off=${off} size=${size}`, ERRNO_2013.EACCES, 'stack.bounds', { rule: 'VER-30' });
      if (t === WRITE) stackWrite(off, size, valueReg, xadd);
      else stackRead(off, size, valueReg);
    } else {
      fail(`invalid mem access ${ptr}`, ERRNO_2013.EACCES, 'mem.base', { rule: 'VER-27' });
    }
  };

  // check_stack_boundary [S3:L955-L981]
  const checkStackBoundary = (regno: number, accessSize: number): void => {
    if (cur.ptr(regno) !== T.PTR_TO_STACK_IMM) fail(`R${regno} is not a pointer to stack`, ERRNO_2013.EACCES, 'call.stack-arg', { printed: hardened, rule: 'VER-39' });
    const off = cur.imm(regno);
    if (off >= 0 || off < -MAX_BPF_STACK_2013 || off + accessSize > 0 || accessSize <= 0) {
      fail(`invalid stack ptr R${regno} off=${off} access_size=${accessSize}`, ERRNO_2013.EACCES, 'call.stack-bounds', { rule: 'VER-39' });
    }
    for (let i = 0; i < accessSize; i++) {
      if (cur.slotType(MAX_BPF_STACK_2013 + off + i) !== SLOT_2013.MISC) {
        fail(`invalid indirect read from stack off ${off}+${i} size ${accessSize}`, ERRNO_2013.EACCES, 'call.stack-uninit', { rule: 'VER-39' });
      }
    }
  };

  // check_call and check_func_arg [S3:L983-L1112]
  const checkCall = (funcId: number): void => {
    if (funcId <= 0 || funcId >= strtab.length) fail(`invalid func ${funcId}`, ERRNO_2013.EINVAL, 'call.id', { rule: 'VER-33' });
    const fn = cb.getFuncProto(strtab, funcId);
    if (!fn || (fn.ret !== T.RET_INTEGER && fn.ret !== T.PTR_TO_TABLE_CONDITIONAL && fn.ret !== T.RET_VOID)) {
      fail(`unknown func ${funcId}`, ERRNO_2013.EINVAL, 'call.unknown', { rule: 'VER-33' });
    }
    let tableId = -1;
    let table: Table2013 | undefined;
    for (let i = 0; i < 4; i++) {
      const regno = i + 1;
      const argType = fn!.args[i];
      if (argType === T.INVALID_PTR) continue;
      if (!cur.readOk(regno)) fail(`R${regno} !read_ok`, ERRNO_2013.EACCES, 'call.arg-read', { rule: 'VER-35' });
      const expected = argType === T.PTR_TO_STACK_IMM_TABLE_KEY || argType === T.PTR_TO_STACK_IMM_TABLE_ELEM ? T.PTR_TO_STACK_IMM
        : argType === T.CONST_ARG_TABLE_ID || argType === T.CONST_ARG_STACK_IMM_SIZE ? T.CONST_ARG : argType;
      if (cur.ptr(regno) !== expected) fail(`R${regno} ptr=${cur.ptr(regno)} expected=${expected}`, ERRNO_2013.EACCES, 'call.arg-type', { rule: 'VER-35' });
      if (argType === T.CONST_ARG_TABLE_ID) {
        tableId = cur.imm(regno);
        table = getTableInfo(tableId);
      } else if (argType === T.PTR_TO_STACK_IMM_TABLE_KEY) {
        if (!table) fail('invalid table_id to access table->key', ERRNO_2013.EACCES, 'call.table-order', { rule: 'VER-37' });
        checkStackBoundary(regno, table!.keySize | 0);
      } else if (argType === T.PTR_TO_STACK_IMM_TABLE_ELEM) {
        if (!table) fail('invalid table_id to access table->elem', ERRNO_2013.EACCES, 'call.table-order', { rule: 'VER-37' });
        checkStackBoundary(regno, table!.elemSize | 0);
      } else if (argType === T.CONST_ARG_STACK_IMM_SIZE) {
        checkStackBoundary(regno - 1, cur.imm(regno));
      }
    }
    for (let r = 0; r <= 5; r++) cur.setReg(r, T.INVALID_PTR, false, BADBAD);
    if (fn!.ret === T.RET_INTEGER) cur.setReg(0, T.INVALID_PTR, true, BADBAD);
    else if (fn!.ret !== T.RET_VOID) cur.setReg(0, fn!.ret, true, fn!.ret === T.PTR_TO_TABLE_CONDITIONAL ? tableId : BADBAD);
  };

  // check_alu_op [S3:L1114-L1177]
  const checkAlu = (insn: RawInsn2013): void => {
    const op = insn.code & 0xf0;
    const isX = (insn.code & 0x08) !== 0;
    if (op === 0xd0 || op === 0xe0 || op === 0x80) {
      if (!isX) fail('bswap/neg must use BPF_X', ERRNO_2013.EINVAL, 'alu.unary-k', { printed: hardened, rule: 'VER-17' });
      checkRegArg(insn.dst, true);
      checkRegArg(insn.dst, false);
    } else if (op === 0xb0) {
      if (isX) checkRegArg(insn.src, true);
      if (isX && insn.dst === insn.src) {
        if (hardened) {
          // VER-18: a self-move is a no-op; only the frame-pointer rule still applies.
          if (insn.dst === FP_2013) checkRegArg(insn.dst, false);
          return;
        }
        if (cur.ptr(insn.dst) !== T.INVALID_PTR) quirk('VER-18', `mov r${insn.dst}, r${insn.dst} resets the register before copying it: its type ${cur.ptr(insn.dst)} is lost`);
      }
      checkRegArg(insn.dst, false);
      if (isX) cur.setReg(insn.dst, cur.ptr(insn.src), cur.readOk(insn.dst), cur.imm(insn.src));
      else cur.setReg(insn.dst, T.CONST_ARG, cur.readOk(insn.dst), insn.imm);
    } else {
      if (isX) checkRegArg(insn.src, true);
      checkRegArg(insn.dst, true);
      const stackRelative = op === 0x00 && cur.ptr(insn.dst) === T.PTR_TO_STACK && !isX;
      checkRegArg(insn.dst, false);
      if (stackRelative) cur.setReg(insn.dst, T.PTR_TO_STACK_IMM, cur.readOk(insn.dst), insn.imm);
    }
  };

  // check_cond_jmp_op [S3:L1179-L1216]
  const checkCondJmp = (insn: RawInsn2013): void => {
    const op = insn.code & 0xf0;
    const isX = (insn.code & 0x08) !== 0;
    if (isX) checkRegArg(insn.src, true);
    checkRegArg(insn.dst, true);
    const other = cur.clone();
    pending.push({ st: other, idx: idx + insn.off + 1 });
    if (pending.length > MAX_PENDING_2013) {
      log.push('BPF program is too complex');
      pending.length = 0;
      fail('BPF program is too complex', ERRNO_2013.EFAULT, 'limit.pending', { printed: false, rule: 'VER-02' });
    }
    if (!isX && insn.imm === 0 && (op === 0x10 || op === 0x50) && cur.ptr(insn.dst) === T.PTR_TO_TABLE_CONDITIONAL) {
      if (op === 0x10) {
        cur.setPtr(insn.dst, T.PTR_TO_TABLE);
        other.setPtr(insn.dst, T.INVALID_PTR);
      } else {
        other.setPtr(insn.dst, T.PTR_TO_TABLE);
        cur.setPtr(insn.dst, T.INVALID_PTR);
      }
    }
  };

  /** Hardened: the opcodes bpf_check lets through although the 2013 ISA has no such instruction (VER-21/23/45). */
  const checkOpcode = (insn: RawInsn2013): void => {
    const code = insn.code & 0xff;
    const form = formWithCode2013(code);
    const cls = code & 0x07;
    if (!form) {
      const op = code & 0xf0;
      const rule = cls === 0x00 || cls === 0x07 ? 'VER-45' : cls === 0x03 ? 'VER-23' : cls === 0x04 || cls === 0x05 ? 'VER-21' : undefined;
      // The others (ldx/st not REL, neg/bswap K, ja K, ret) the seed rejects itself, with its own errors.
      const seedAccepts = rule !== undefined && !(cls === 0x04 && op !== 0xf0) && !(cls === 0x05 && (code === 0x05));
      if (!seedAccepts) return;
      if (hardened) fail(`unknown opcode 0x${code.toString(16).padStart(2, '0')}`, ERRNO_2013.EINVAL, 'hardened.opcode', { rule });
      quirk(rule, `opcode 0x${code.toString(16).padStart(2, '0')} is not a 2013 instruction, yet bpf_check accepts it (the interpreter stops on it, the JIT rejects it)`);
      return;
    }
    const bad = checkFields2013(form, insn);
    if (bad) {
      if (hardened) fail(bad, ERRNO_2013.EINVAL, 'hardened.register', { rule: 'VER-16c' });
      // faithful: checkRegArg / checkLoadDst report VER-16c as the registers are used
    }
  };

  const pop = (): number => {
    const e = pending.pop();
    if (!e) return -1;
    cur = e.st;
    return e.idx;
  };

  /** is_state_visited [S3:L1402-L1433]: exact match against every state recorded at a conditional-branch target. */
  const isStateVisited = (at: number): boolean => {
    if (!pruneAt[at]) return false;
    let byHash = landing.get(at);
    if (!byHash) landing.set(at, (byHash = new Map()));
    const h = cur.hash();
    const same = byHash.get(h);
    if (same?.some((s) => s.equals(cur))) return true;
    if (same) same.push(cur.clone());
    else byHash.set(h, [cur.clone()]);
    return false;
  };

  try {
    for (;;) {
      if (idx >= n || idx < 0) fail(`invalid insn idx ${idx} insn_cnt ${n}`, ERRNO_2013.EFAULT, 'internal.idx', { viaMacro: false });
      const insn = insns[idx];
      const cls = insn.code & 0x07;
      if (++processed > MAX_PROCESSED_2013) {
        fail(`BPF program is too large. Proccessed ${processed} insn`, ERRNO_2013.E2BIG, 'limit.processed', { viaMacro: false, insn: null, rule: 'VER-02' });
      }
      if (isStateVisited(idx)) {
        idx = pop();
        if (idx < 0) break;
        continue;
      }
      if (input.keepStatesPerInsn > 0) {
        const kept = states.get(idx);
        if (!kept) states.set(idx, [cur.view()]);
        else if (kept.length < input.keepStatesPerInsn) kept.push(cur.view());
      }

      checkOpcode(insn);
      if (cls === 0x04) {
        checkAlu(insn);
      } else if (cls === 0x01) {
        if ((insn.code & 0xe0) !== MODE_REL) fail('ldx mode must be BPF_REL', ERRNO_2013.EINVAL, 'mem.ldx-mode', { printed: hardened, viaMacro: false, rule: 'VER-22' });
        checkRegArg(insn.src, true);
        checkLoadDst(insn.dst);
        checkMemAccess(insn.src, insn.off, insn.code, READ, insn.dst);
      } else if (cls === 0x03) {
        checkRegArg(insn.src, true);
        checkRegArg(insn.dst, true);
        const m = insn.code & 0xe0;
        if (!hardened && m !== MODE_REL && m !== MODE_XADD) quirk('VER-23', `stx mode 0x${m.toString(16)} is not checked: bpf_check treats it as a store`);
        checkMemAccess(insn.dst, insn.off, insn.code, WRITE, insn.src, m === MODE_XADD);
      } else if (cls === 0x02) {
        if ((insn.code & 0xe0) !== MODE_REL) fail('st mode must be BPF_REL', ERRNO_2013.EINVAL, 'mem.st-mode', { printed: hardened, viaMacro: false, rule: 'VER-24' });
        checkRegArg(insn.dst, true);
        checkMemAccess(insn.dst, insn.off, insn.code, WRITE, -1);
      } else if (cls === 0x05) {
        const op = insn.code & 0xf0;
        if (op === 0x80) {
          checkCall(insn.imm);
        } else if (op === 0x00) {
          if ((insn.code & 0x08) === 0) fail('JA must use BPF_X (0x0d)', ERRNO_2013.EINVAL, 'cfg.ja-k', { printed: hardened, viaMacro: false, rule: 'VER-42' });
          idx += insn.off + 1;
          continue;
        } else {
          checkCondJmp(insn);
        }
      } else if (cls === 0x06) {
        idx = pop();
        if (idx < 0) break;
        continue;
      }
      idx++;
    }
  } catch (e) {
    if (e instanceof Fail2013) return { processed, fail: e, states };
    throw e;
  }
  return { processed, states };
}

/** The "insn #N" line and the instruction as pr_info_bpf_insn prints it, logged after an error through _(). */
export function insnLines2013(insns: readonly RawInsn2013[], idx: number): string[] {
  return [`insn #${idx}`, printInsn2013(insns[idx])];
}
