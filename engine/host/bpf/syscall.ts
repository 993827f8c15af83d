// The raw bpf(2) entry point through koffi: native scratch memory, the syscall itself and errno as data.
import { constants as osConstants } from 'node:os';
import koffi from 'koffi';

/** x86-64 syscall number of bpf(2) (arch/x86/entry/syscalls/syscall_64.tbl). */
const NR_BPF_X86_64 = 321;

/** Errno number -> name ('EACCES'), from Node's table for this platform. */
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(osConstants.errno).map(([name, n]) => [n, name]),
);

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/** A kernel refusal or a bridge limitation, reported as data. */
export interface BpfError {
  readonly errno: number;
  readonly errorName: string;
  readonly message: string;
}

export function bpfError(errno: number, what: string): BpfError {
  const name = errnoName(errno);
  return { errno, errorName: name, message: `${what}: ${name} (errno ${errno})` };
}

interface Libc {
  syscall(nr: number, cmd: number, attr: unknown, size: number): number | bigint;
  close(fd: number): number;
}

let libc: Libc | { error: string } | undefined;

function loadLibc(): Libc | { error: string } {
  if (libc) return libc;
  if (process.platform !== 'linux') return (libc = { error: `bpf(2) needs Linux; this is ${process.platform}` });
  if (process.arch !== 'x64') return (libc = { error: `the bpf(2) bridge knows the syscall number for x86-64 only; this is ${process.arch}` });
  try {
    const lib = koffi.load('libc.so.6');
    libc = {
      syscall: lib.func('long syscall(long nr, int cmd, void *attr, unsigned int size)'),
      close: lib.func('int close(int fd)'),
    };
  } catch (e) {
    libc = { error: `cannot load libc.so.6 through koffi: ${(e as Error).message}` };
  }
  return libc;
}

/**
 * Native memory that the kernel reads or writes through a pointer inside `union bpf_attr`.
 * It lives outside the JS heap, so its address stays valid for the whole call.
 */
export class NativeBuffer {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private ptr: unknown;

  constructor(size: number) {
    // koffi.alloc of 0 bytes gives no usable pointer; one byte keeps every buffer addressable.
    this.size = Math.max(size, 1);
    this.ptr = koffi.alloc('uint8_t', this.size);
    const ab = koffi.view(this.ptr, this.size);
    this.bytes = new Uint8Array(ab);
    this.bytes.fill(0);
    this.view = new DataView(ab);
  }

  static from(data: Uint8Array): NativeBuffer {
    const b = new NativeBuffer(data.length);
    b.bytes.set(data);
    return b;
  }

  get pointer(): unknown {
    return this.ptr;
  }

  get address(): bigint {
    return koffi.address(this.ptr);
  }

  /** A copy of the first `n` bytes, independent of the native memory. */
  copy(n = this.size): Uint8Array {
    return this.bytes.slice(0, Math.min(n, this.size));
  }

  free(): void {
    if (this.ptr !== null) koffi.free(this.ptr);
    this.ptr = null;
  }
}

/** Frees every buffer after `body`, whatever it returns. */
export function withBuffers<T>(body: (alloc: (size: number, data?: Uint8Array) => NativeBuffer) => T): T {
  const owned: NativeBuffer[] = [];
  const alloc = (size: number, data?: Uint8Array): NativeBuffer => {
    const b = new NativeBuffer(size);
    if (data) b.bytes.set(data.subarray(0, b.size));
    owned.push(b);
    return b;
  };
  try {
    return body(alloc);
  } finally {
    for (const b of owned) b.free();
  }
}

export type SyscallResult = { ok: true; value: number } | { ok: false; errno: number; error: string };

/** Calls bpf(cmd, attr, attr.size). */
export function bpfSyscall(cmd: number, attr: NativeBuffer): SyscallResult {
  const lib = loadLibc();
  if ('error' in lib) return { ok: false, errno: 38 /* ENOSYS */, error: lib.error };
  koffi.errno(0);
  const ret = Number(lib.syscall(NR_BPF_X86_64, cmd, attr.pointer, attr.size));
  if (ret < 0) {
    const errno = koffi.errno();
    return { ok: false, errno, error: errnoName(errno) };
  }
  return { ok: true, value: ret };
}

/** close(2) a file descriptor returned by bpf(2). */
export function closeFd(fd: number): { ok: true } | ({ ok: false } & BpfError) {
  const lib = loadLibc();
  if ('error' in lib) return { ok: false, ...bpfError(38, lib.error) };
  koffi.errno(0);
  if (lib.close(fd) < 0) return { ok: false, ...bpfError(koffi.errno(), `close(${fd})`) };
  return { ok: true };
}

/** Why the bridge cannot be used here, if it cannot (platform, architecture, libc). */
export function platformProblem(): string | undefined {
  const lib = loadLibc();
  return 'error' in lib ? lib.error : undefined;
}
