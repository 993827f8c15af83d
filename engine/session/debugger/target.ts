// What the debugger needs from a running program: one-instruction steps that say what they changed, exact undo, and state access.
import type { Insn } from '../../isa';

/** The bytes one step (or one edit) changed at one address, before and after. */
export interface MemChange {
  readonly addr: bigint;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

export interface RegChange {
  readonly reg: number;
  readonly before: bigint;
  readonly after: bigint;
}

/** What one executed instruction changed; `token` is whatever the machine needs to undo it exactly. */
export interface StepChange {
  /** pc of the instruction that ran. */
  readonly pc: number;
  readonly regs: readonly RegChange[];
  readonly mem: readonly MemChange[];
  /** Frame depth before and after (a call_local adds one, an exit from a subprogram removes one). */
  readonly depthBefore: number;
  readonly depthAfter: number;
  /** The program the instruction belongs to (tail calls change it); undefined for single-program targets. */
  readonly program?: string;
  readonly token: unknown;
}

export type TargetStatus =
  | { readonly state: 'ready' }
  | { readonly state: 'exited'; readonly r0: bigint }
  | { readonly state: 'fault'; readonly message: string; readonly code?: string };

/** One call frame, innermost first in `frames()`. */
export interface FrameInfo {
  /** The frame's current pc: the pc about to run (innermost) or the pc of the call insn (callers). */
  readonly pc: number;
  /** Where execution continues when this frame exits; undefined for the outermost frame. */
  readonly returnPc?: number;
  /** r10 of the frame: one past the top of its 512-byte stack. */
  readonly fp: bigint;
  readonly stackSize: number;
  /** Entry pc of the frame's subprogram. */
  readonly entry: number;
  /** The program the frame runs (a tail call replaces it); undefined for single-program targets. */
  readonly program?: string;
}

/** A pc in a program (undefined program: the one running when the stop point is used). */
export interface StopPoint {
  readonly pc: number;
  readonly program?: string;
}

/** One filled prog_array slot. */
export interface TailSlot {
  /** The map's name (as `info maps` shows it). */
  readonly map: string;
  readonly index: number;
  readonly program: string;
}

/** What the last bpf_tail_call did: jumped into `to`, or fell through and why. */
export interface TailCallNote {
  /** pc of the call instruction, in `from`. */
  readonly pc: number;
  readonly from: string;
  readonly map: string;
  readonly index: number;
  /** The target program when the tail call was taken. */
  readonly to?: string;
  /** Why it fell through ("slot 2 is empty", "the limit of 33 tail calls was reached"). */
  readonly fellThrough?: string;
  /** Tail calls made so far in this run, and the kernel's limit (MAX_TAIL_CALL_CNT). */
  readonly count: number;
  readonly limit: number;
}

/** One map of the simulated kernel as the debugger shows it. */
export interface MapInfo {
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Where the struct bpf_map lives (what lddw map_fd loads). */
  readonly address: bigint;
  /** Every (key, value) pair; per-CPU maps show the current CPU's value. */
  readonly entries: ReadonlyArray<{ readonly key: Uint8Array; readonly value: Uint8Array }>;
}

export interface DebugTarget {
  pc(): number;
  status(): TargetStatus;
  reg(n: number): bigint;
  setReg(n: number, value: bigint): void;
  read(addr: bigint, size: number): Uint8Array | { readonly fault: string };
  /** Writes as a debugger would (ignoring the program's read-only protections where the kernel's debugger view allows); returns a fault text on failure. */
  write(addr: bigint, bytes: Uint8Array): string | undefined;
  frames(): readonly FrameInfo[];
  /** Number of frames (cheaper than frames().length; asked before every instruction of some runs). */
  depth(): number;
  insnAt(pc: number): Insn | undefined;
  /** Runs one instruction; undefined when the program is not ready (exited or faulted). */
  step(): StepChange | undefined;
  /** Undoes the most recent not-yet-undone step exactly, including the status (an exit or fault becomes ready again). */
  undo(change: StepChange): void;
  /** What an address points into ("stack frame 0 +504", "map counts value +8"), for register views; undefined when unmapped. */
  describeAddress?(addr: bigint): string | undefined;
  /**
   * Optional fast path for runs that need no history (history limit 0, no watchpoints): runs
   * unrecorded until a pc in `stopAt` is about to run (the current pc's instruction runs first),
   * exit, fault, budget, cancel, or `until` returns true (checked before each instruction).
   */
  runNative?(stopAt: readonly StopPoint[], budget: number, until?: () => boolean): { reason: 'stop-pc' | 'exit' | 'fault' | 'budget' | 'cancelled' | 'predicate'; steps: number };
  /** The program the innermost frame runs; undefined for targets that know only one program. */
  program?(): string;
  /** Every program the run can reach by tail calls (the debugged one first). */
  programs?(): readonly string[];
  /** Instruction at a pc of a named program (insnAt is the running program's). */
  insnIn?(program: string, pc: number): Insn | undefined;
  /** The prog_array slots that hold programs. */
  tailSlots?(): readonly TailSlot[];
  /**
   * Puts a program of the object into a prog_array slot (undefined program: empties it). On success
   * `undo` puts back what was there, so the debugger can record the change for reverse execution.
   */
  setTailSlot?(map: string, index: number, program: string | undefined): { readonly ok: true; readonly message: string; readonly undo: () => void } | { readonly ok: false; readonly message: string };
  /** Tail calls made so far in this run and the kernel's limit. */
  tailCallCount?(): { readonly count: number; readonly limit: number };
  /** Right after a bpf_tail_call instruction ran: what it did (reads r2/r3, which a tail call leaves alone). */
  tailCallNote?(pc: number, from: string): TailCallNote | undefined;
  /** The maps of the run, with their entries. */
  maps?(): readonly MapInfo[];
  /** Text the program printed (bpf_trace_printk and friends), line by line. */
  output(): readonly string[];
}
