// BPF_PROG_LOAD, BPF_OBJ_GET_INFO_BY_FD (programs) and BPF_PROG_TEST_RUN through the raw bridge.
import { BPF_CMD, BPF_LOG_SIZE_MAX, PROG_TYPES, ATTACH_TYPES } from './constants';
import { bpfError, bpfSyscall, withBuffers, type BpfError, type NativeBuffer } from './syscall';

/*
 * union bpf_attr, the BPF_PROG_LOAD member (offsets in bytes, little-endian; 152 bytes in 6.18):
 *
 *    0 prog_type u32        4 insn_cnt u32        8 insns u64 (ptr)     16 license u64 (ptr)
 *   24 log_level u32       28 log_size u32       32 log_buf u64 (ptr)  40 kern_version u32
 *   44 prog_flags u32      48 prog_name char[16] 64 prog_ifindex u32   68 expected_attach_type u32
 *   72 prog_btf_fd u32     76 func_info_rec_size 80 func_info u64      88 func_info_cnt u32
 *   92 line_info_rec_size 96 line_info u64      104 line_info_cnt u32 108 attach_btf_id u32
 *  112 attach_prog_fd u32 116 core_relo_cnt u32 120 fd_array u64 (ptr) 128 core_relos u64
 *  136 core_relo_rec_size 140 log_true_size u32 (out, 6.4+) 144 prog_token_fd s32 148 fd_array_cnt u32
 */
const ATTR_SIZE = 152;
const PROG_NAME_LEN = 16;
const INITIAL_LOG_SIZE = 1 << 20;
const FUNC_INFO_REC_SIZE = 8;
const LINE_INFO_REC_SIZE = 16;

export interface ProgLoadOptions {
  readonly progType: number | string;
  readonly insns: Uint8Array;
  readonly license?: string;
  /** 0 no log, 1 or 2 the verifier's log levels; add 4 (BPF_LOG_STATS) for the statistics line. */
  readonly logLevel?: number;
  /** First log buffer size; the bridge grows it on ENOSPC so a log is never cut short silently. */
  readonly logSize?: number;
  readonly expectedAttachType?: number | string;
  readonly progFlags?: number;
  readonly attachBtfId?: number;
  readonly attachProgFd?: number;
  readonly fdArray?: readonly number[];
  readonly kernVersion?: number;
  /** The program's BTF (a btfLoad fd), which funcInfo and lineInfo refer to. */
  readonly btfFd?: number;
  /** bpf_func_info records, 8 bytes each (insn_off, type_id): the kernel needs them for tail calls in subprograms. */
  readonly funcInfo?: Uint8Array;
  /** bpf_line_info records, 16 bytes each: the verifier log then quotes the source lines. */
  readonly lineInfo?: Uint8Array;
  readonly progName?: string;
}

export interface ProgLoadResult {
  readonly ok: boolean;
  readonly fd?: number;
  readonly errno?: number;
  readonly errorName?: string;
  readonly message?: string;
  /** The verifier log, complete (empty when logLevel is 0). */
  readonly log: string;
}

function enumValue(v: number | string, table: Readonly<Record<string, number>>, what: string): number | BpfError {
  if (typeof v === 'number') return v;
  const key = v.toLowerCase().replace(/^bpf_(prog_type_|map_type_)?/, '');
  const n = table[key];
  return n === undefined ? { errno: 22, errorName: 'EINVAL', message: `unknown ${what} '${v}'` } : n;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Loads a program; a refusal comes back as data with the verifier's log. */
export function progLoad(opts: ProgLoadOptions): ProgLoadResult {
  const progType = enumValue(opts.progType, PROG_TYPES, 'program type');
  if (typeof progType !== 'number') return { ok: false, ...progType, log: '' };
  const attach = opts.expectedAttachType === undefined ? 0 : enumValue(opts.expectedAttachType, ATTACH_TYPES, 'attach type');
  if (typeof attach !== 'number') return { ok: false, ...attach, log: '' };
  if (opts.insns.length % 8 !== 0 || opts.insns.length === 0) {
    return { ok: false, errno: 22, errorName: 'EINVAL', message: `program is ${opts.insns.length} bytes, not a positive multiple of 8`, log: '' };
  }
  const logLevel = opts.logLevel ?? 1;
  let logSize = logLevel ? Math.min(Math.max(opts.logSize ?? INITIAL_LOG_SIZE, 128), BPF_LOG_SIZE_MAX) : 0;
  for (;;) {
    const r = withBuffers((alloc) => {
      const insns = alloc(opts.insns.length, opts.insns);
      const licenseText = new TextEncoder().encode(`${opts.license ?? 'GPL'}\0`);
      const license = alloc(licenseText.length, licenseText);
      const log = logSize ? alloc(logSize) : undefined;
      const attr = alloc(ATTR_SIZE);
      const fdArray = opts.fdArray?.length ? alloc(opts.fdArray.length * 4) : undefined;
      opts.fdArray?.forEach((fd, i) => fdArray!.view.setInt32(i * 4, fd, true));
      const funcInfo = opts.funcInfo?.length ? alloc(opts.funcInfo.length, opts.funcInfo) : undefined;
      const lineInfo = opts.lineInfo?.length ? alloc(opts.lineInfo.length, opts.lineInfo) : undefined;
      const v = attr.view;
      v.setUint32(0, progType, true);
      v.setUint32(4, opts.insns.length / 8, true);
      v.setBigUint64(8, insns.address, true);
      v.setBigUint64(16, license.address, true);
      v.setUint32(24, logLevel, true);
      v.setUint32(28, logSize, true);
      v.setBigUint64(32, log ? log.address : 0n, true);
      v.setUint32(40, opts.kernVersion ?? 0, true);
      v.setUint32(44, opts.progFlags ?? 0, true);
      if (opts.progName) attr.bytes.set(new TextEncoder().encode(opts.progName).subarray(0, PROG_NAME_LEN - 1), 48);
      v.setUint32(68, attach, true);
      v.setUint32(72, opts.btfFd ?? 0, true);
      if (funcInfo) {
        v.setUint32(76, FUNC_INFO_REC_SIZE, true);
        v.setBigUint64(80, funcInfo.address, true);
        v.setUint32(88, funcInfo.size / FUNC_INFO_REC_SIZE, true);
      }
      if (lineInfo) {
        v.setUint32(92, LINE_INFO_REC_SIZE, true);
        v.setBigUint64(96, lineInfo.address, true);
        v.setUint32(104, lineInfo.size / LINE_INFO_REC_SIZE, true);
      }
      v.setUint32(108, opts.attachBtfId ?? 0, true);
      v.setUint32(112, opts.attachProgFd ?? 0, true);
      v.setBigUint64(120, fdArray ? fdArray.address : 0n, true);
      const res = bpfSyscall(BPF_CMD.PROG_LOAD, attr);
      return { res, log: log ? cString(log.bytes) : '', trueSize: v.getUint32(140, true) };
    });
    if (!r.res.ok && r.res.errno === 28 /* ENOSPC */ && logSize && logSize < BPF_LOG_SIZE_MAX) {
      // log_true_size (6.4+) says exactly how much is needed; older kernels leave it 0, so double.
      logSize = Math.min(Math.max(r.trueSize + 1, logSize * 2), BPF_LOG_SIZE_MAX);
      continue;
    }
    if (r.res.ok) return { ok: true, fd: r.res.value, log: r.log };
    return { ok: false, ...bpfError(r.res.errno, 'BPF_PROG_LOAD'), log: r.log };
  }
}

/*
 * struct bpf_prog_info (offsets in bytes; 232 bytes in 6.18). Filled by BPF_OBJ_GET_INFO_BY_FD whose attr is
 *   0 bpf_fd u32   4 info_len u32   8 info u64 (ptr)
 *
 *    0 type u32            4 id u32              8 tag u8[8]              16 jited_prog_len u32
 *   20 xlated_prog_len u32 24 jited_prog_insns ptr 32 xlated_prog_insns ptr 40 load_time u64
 *   48 created_by_uid u32  52 nr_map_ids u32     56 map_ids ptr           64 name char[16]
 *   80 ifindex u32         84 gpl_compatible:1   88 netns_dev u64         96 netns_ino u64
 *  104 nr_jited_ksyms u32 108 nr_jited_func_lens 112 jited_ksyms ptr     120 jited_func_lens ptr
 *  128 btf_id u32        ... 192 run_time_ns u64 200 run_cnt u64        208 recursion_misses u64
 *  216 verified_insns u32 220 attach_btf_obj_id u32 224 attach_btf_id u32
 */
const PROG_INFO_SIZE = 232;

export interface ProgInfo {
  readonly type: number;
  readonly id: number;
  readonly tag: string;
  readonly name: string;
  readonly xlated: Uint8Array;
  readonly jited: Uint8Array;
  readonly jitedFuncLens: readonly number[];
  readonly jitedKsyms: readonly bigint[];
  readonly mapIds: readonly number[];
  readonly gplCompatible: boolean;
  readonly loadTime: bigint;
  readonly btfId: number;
  readonly verifiedInsns: number;
  readonly runTimeNs: bigint;
  readonly runCnt: bigint;
}

export type ProgInfoResult = ({ ok: true } & ProgInfo) | ({ ok: false } & BpfError);

function infoCall(fd: number, info: NativeBuffer, alloc: (size: number) => NativeBuffer): ReturnType<typeof bpfSyscall> {
  const attr = alloc(16);
  attr.view.setUint32(0, fd, true);
  attr.view.setUint32(4, info.size, true);
  attr.view.setBigUint64(8, info.address, true);
  return bpfSyscall(BPF_CMD.OBJ_GET_INFO_BY_FD, attr);
}

/** Reads a loaded program's xlated and JIT bytes and identity: one call for the sizes, one for the buffers. */
export function progGetInfo(fd: number): ProgInfoResult {
  return withBuffers((alloc): ProgInfoResult => {
    const sizes = alloc(PROG_INFO_SIZE);
    const first = infoCall(fd, sizes, alloc);
    if (!first.ok) return { ok: false, ...bpfError(first.errno, 'BPF_OBJ_GET_INFO_BY_FD') };
    const s = sizes.view;
    const jitedLen = s.getUint32(16, true);
    const xlatedLen = s.getUint32(20, true);
    const nrMapIds = s.getUint32(52, true);
    const nrKsyms = s.getUint32(104, true);
    const nrFuncLens = s.getUint32(108, true);
    const info = alloc(PROG_INFO_SIZE);
    const jited = alloc(jitedLen);
    const xlated = alloc(xlatedLen);
    const mapIds = alloc(nrMapIds * 4);
    const ksyms = alloc(nrKsyms * 8);
    const funcLens = alloc(nrFuncLens * 4);
    const v = info.view;
    v.setUint32(16, jitedLen, true);
    v.setUint32(20, xlatedLen, true);
    v.setBigUint64(24, jited.address, true);
    v.setBigUint64(32, xlated.address, true);
    v.setUint32(52, nrMapIds, true);
    v.setBigUint64(56, mapIds.address, true);
    v.setUint32(104, nrKsyms, true);
    v.setUint32(108, nrFuncLens, true);
    v.setBigUint64(112, ksyms.address, true);
    v.setBigUint64(120, funcLens.address, true);
    const second = infoCall(fd, info, alloc);
    if (!second.ok) return { ok: false, ...bpfError(second.errno, 'BPF_OBJ_GET_INFO_BY_FD') };
    const u32s = (b: NativeBuffer, n: number): number[] => Array.from({ length: n }, (_, i) => b.view.getUint32(i * 4, true));
    return {
      ok: true,
      type: v.getUint32(0, true),
      id: v.getUint32(4, true),
      tag: Array.from(info.bytes.subarray(8, 16), (b) => b.toString(16).padStart(2, '0')).join(''),
      name: cString(info.bytes.subarray(64, 80)),
      xlated: xlated.copy(Math.min(xlatedLen, v.getUint32(20, true))),
      jited: jited.copy(Math.min(jitedLen, v.getUint32(16, true))),
      jitedFuncLens: u32s(funcLens, Math.min(nrFuncLens, v.getUint32(108, true))),
      jitedKsyms: Array.from({ length: Math.min(nrKsyms, v.getUint32(104, true)) }, (_, i) => ksyms.view.getBigUint64(i * 8, true)),
      mapIds: u32s(mapIds, Math.min(nrMapIds, v.getUint32(52, true))),
      gplCompatible: (v.getUint32(84, true) & 1) === 1,
      loadTime: v.getBigUint64(40, true),
      btfId: v.getUint32(128, true),
      verifiedInsns: v.getUint32(216, true),
      runTimeNs: v.getBigUint64(192, true),
      runCnt: v.getBigUint64(200, true),
    };
  });
}

/*
 * union bpf_attr, the BPF_PROG_TEST_RUN member (offsets in bytes; 80 bytes):
 *
 *    0 prog_fd u32        4 retval u32 (out)     8 data_size_in u32   12 data_size_out u32 (in/out)
 *   16 data_in ptr       24 data_out ptr        32 repeat u32        36 duration u32 (out)
 *   40 ctx_size_in u32   44 ctx_size_out (in/out) 48 ctx_in ptr       56 ctx_out ptr
 *   64 flags u32         68 cpu u32             72 batch_size u32
 */
const TEST_RUN_ATTR_SIZE = 80;

export interface TestRunOptions {
  readonly ctxIn?: Uint8Array;
  readonly dataIn?: Uint8Array;
  /** Room for data_out; defaults to dataIn's length + 256 when dataIn is given. */
  readonly dataSizeOut?: number;
  /** Room for ctx_out; 0 (the default) passes no ctx_out, as syscall programs require. */
  readonly ctxSizeOut?: number;
  readonly repeat?: number;
  readonly flags?: number;
  readonly cpu?: number;
  readonly batchSize?: number;
}

export interface TestRunResult {
  readonly ok: boolean;
  /** The program's return value as the kernel reports it (u32). */
  readonly retval: number;
  readonly duration: number;
  readonly dataOut?: Uint8Array;
  readonly ctxOut?: Uint8Array;
  /**
   * ctx_in's memory after the run: BPF_PROG_TYPE_SYSCALL programs get ctx_in itself as their ctx and the
   * kernel copies what they wrote back there (net/bpf/test_run.c, bpf_prog_test_run_syscall).
   */
  readonly ctxInAfter?: Uint8Array;
  readonly errno?: number;
  readonly errorName?: string;
  readonly message?: string;
}

/** Runs a loaded program once (or `repeat` times) on the given input through BPF_PROG_TEST_RUN. */
export function progTestRun(fd: number, opts: TestRunOptions = {}): TestRunResult {
  return withBuffers((alloc): TestRunResult => {
    const attr = alloc(TEST_RUN_ATTR_SIZE);
    const v = attr.view;
    const dataIn = opts.dataIn ? alloc(opts.dataIn.length, opts.dataIn) : undefined;
    const dataSizeOut = opts.dataSizeOut ?? (opts.dataIn ? opts.dataIn.length + 256 : 0);
    const dataOut = dataSizeOut ? alloc(dataSizeOut) : undefined;
    const ctxIn = opts.ctxIn ? alloc(opts.ctxIn.length, opts.ctxIn) : undefined;
    const ctxSizeOut = opts.ctxSizeOut ?? 0;
    const ctxOut = ctxSizeOut ? alloc(ctxSizeOut) : undefined;
    v.setUint32(0, fd, true);
    v.setUint32(8, opts.dataIn?.length ?? 0, true);
    v.setUint32(12, dataSizeOut, true);
    v.setBigUint64(16, dataIn ? dataIn.address : 0n, true);
    v.setBigUint64(24, dataOut ? dataOut.address : 0n, true);
    v.setUint32(32, opts.repeat ?? 0, true);
    v.setUint32(40, opts.ctxIn?.length ?? 0, true);
    v.setUint32(44, ctxSizeOut, true);
    v.setBigUint64(48, ctxIn ? ctxIn.address : 0n, true);
    v.setBigUint64(56, ctxOut ? ctxOut.address : 0n, true);
    v.setUint32(64, opts.flags ?? 0, true);
    v.setUint32(68, opts.cpu ?? 0, true);
    v.setUint32(72, opts.batchSize ?? 0, true);
    const res = bpfSyscall(BPF_CMD.PROG_TEST_RUN, attr);
    const out = {
      retval: v.getUint32(4, true),
      duration: v.getUint32(36, true),
      dataOut: dataOut?.copy(v.getUint32(12, true)),
      ctxOut: ctxOut?.copy(v.getUint32(44, true)),
      ctxInAfter: ctxIn && opts.ctxIn ? ctxIn.copy(opts.ctxIn.length) : undefined,
    };
    if (!res.ok) return { ok: false, ...out, ...bpfError(res.errno, 'BPF_PROG_TEST_RUN') };
    return { ok: true, ...out };
  });
}
