// The engine protocol: request, response and event types every host (worker, Electron IPC, WebSocket) carries.
//
// Everything here is plain JSON data (no bigint, no typed arrays) so one shape crosses postMessage,
// Electron's structured clone and a WebSocket text frame alike: 64-bit values travel as "0x..."
// strings and file bytes as base64. A host validates every message against validate.ts before
// acting on it, in both directions.

/** Bumped when a message changes shape incompatibly; hello reports it. */
export const PROTOCOL_VERSION = 1;

/** How to read an opened file; 'auto' sniffs ELF magic, then text (assembly), else raw bytecode. */
export type FileFormat = 'auto' | 'object' | 'raw' | 'asm' | 'image2013';
export type LoadedFormat = Exclude<FileFormat, 'auto'>;

/**
 * What the engine can do today. The UI enables a command only when its feature is listed, so a
 * feature the engine lacks shows as unavailable instead of being faked.
 */
export type Feature =
  | 'open-object'
  | 'open-raw'
  | 'open-asm'
  | 'open-image2013'
  | 'listing'
  | 'run'
  | 'step'
  | 'step-back'
  | 'breakpoints'
  | 'registers'
  | 'stack'
  | 'maps'
  | 'console'
  | 'verifier'
  | 'inputs'
  | 'edit'
  | 'watches'
  | 'workspace'
  | 'export';

export const FEATURES: readonly Feature[] = [
  'open-object', 'open-raw', 'open-asm', 'open-image2013', 'listing', 'run', 'step', 'step-back', 'breakpoints',
  'registers', 'stack', 'maps', 'console', 'verifier', 'inputs', 'edit', 'watches', 'workspace', 'export',
];

export type Severity = 'error' | 'warning' | 'note';

/** The engine's Diagnostic as data (same fields as engine/isa's). */
export interface WireDiagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly pc?: number;
  readonly byteOffset?: number;
  readonly line?: number;
  readonly column?: number;
  readonly section?: string;
  readonly file?: string;
}

export interface ProgramSummary {
  /** Position in DocumentInfo.programs. */
  readonly index: number;
  readonly name: string;
  /** ELF section (SEC() name), or the format's name for raw bytecode and assembly. */
  readonly section: string;
  /** Kernel program type name (e.g. "BPF_PROG_TYPE_XDP"), or "unknown" where the file does not say. */
  readonly type: string;
  readonly insnCount: number;
  /** Instruction slots as the kernel counts them (lddw takes two). */
  readonly slotCount: number;
  /** Some instruction has a source line (BTF line info, or the assembly text). */
  readonly hasSource: boolean;
  /** Listing lines: instructions plus interleaved label and source lines. */
  readonly lineCount: number;
}

export interface DocumentInfo {
  readonly id: number;
  readonly name: string;
  readonly format: LoadedFormat;
  readonly size: number;
  readonly programs: readonly ProgramSummary[];
}

export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/**
 * One line of a program listing. Labels (function starts) and source lines are lines of their own,
 * interleaved before the instruction they introduce, so every line has the same height and a UI can
 * virtualize by line number alone.
 */
export type ListingLine =
  | { readonly kind: 'label'; readonly index: number; readonly pc: number; readonly label: string }
  | { readonly kind: 'source'; readonly index: number; readonly source: SourceRef }
  | {
    readonly kind: 'insn';
    /** Instruction index within the program. */
    readonly index: number;
    /** Slot index (the kernel's insn number). */
    readonly pc: number;
    /** The instruction's 8 or 16 bytes as lowercase hex pairs separated by spaces. */
    readonly bytes: string;
    readonly text: string;
    readonly invalid: boolean;
  };

export type StepMode = 'into' | 'over' | 'out' | 'back';

/** Why execution stopped. */
export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exit' | 'fault' | 'cancelled' | 'limit';

export interface RegisterValue {
  readonly name: string;
  /** "0x..." 64-bit value. */
  readonly value: string;
  readonly abstractType?: string;
}

/** What last wrote a stack slot (the debugger's SlotOrigin kinds). */
export type SlotOriginKind = 'spill' | 'store' | 'atomic' | 'helper' | 'edit' | 'uninit';

export interface StackSlot {
  /** Offset from the frame's r10 (-8, -16, ...). */
  readonly offset: number;
  /** Eight bytes as hex pairs, or undefined where unreadable. */
  readonly bytes?: string;
  /** What last wrote the slot, in words ("spilled r1 at pc 3"). */
  readonly origin: string;
  readonly originKind?: SlotOriginKind;
  /** pc of the instruction that last wrote the slot (not for edits and uninitialized slots). */
  readonly originPc?: number;
  /** The slot's 8-byte value is an address inside this region ("stack frame 0 +504"). */
  readonly pointsTo?: string;
}

export interface FrameState {
  readonly index: number;
  /** The pc about to run (innermost frame) or the caller's call instruction (outer frames). */
  readonly pc: number;
  /** The document program `pc` belongs to, when it is not the session's own (after a tail call). */
  readonly program?: number;
  readonly function?: string;
  /** The source line of `pc` (BTF line info or the assembly text), for the call stack. */
  readonly source?: SourceRef;
  readonly slots: readonly StackSlot[];
}

/** How the debugger may change a map: nothing, values of existing keys (arrays), or any entry (hashes). */
export type MapEditing = 'none' | 'values' | 'entries';

export interface MapState {
  /** Position in the program's maps (what map requests name). */
  readonly index: number;
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** The first entries (at most LIMITS.maxMapEntries), key and value as hex byte pairs. */
  readonly entries: readonly { readonly key: string; readonly value: string }[];
  /** Entries the map holds in all (more than `entries` when capped). */
  readonly total: number;
  /** Array maps: elements whose value is all zero bytes are left out of `entries` (arrays are mostly zero). */
  readonly zeroesOmitted?: boolean;
  readonly editing: MapEditing;
  /** prog_array maps: the filled slots, each holding a program of the document (set them with 'prog-array.set'). */
  readonly slots?: readonly { readonly index: number; readonly program: number }[];
}

/** A paused program as data. */
export interface StateSnapshot {
  readonly session: number;
  readonly pc: number;
  /**
   * The document program `pc` is in: the session's program until a tail call moves execution into
   * another program of the object. A UI shows that program's listing.
   */
  readonly program?: number;
  readonly status: 'ready' | 'exited' | 'fault';
  readonly registers: readonly RegisterValue[];
  readonly frames: readonly FrameState[];
  readonly maps: readonly MapState[];
  readonly message?: string;
}

/** The simulated run types: which context the program gets (engine/kernel RunProgType). */
export type RunType = 'raw' | 'syscall' | 'socket_filter' | 'sched_cls' | 'tc' | 'xdp' | 'kprobe' | 'tracepoint' | 'raw_tracepoint' | 'tracing';
export const RUN_TYPES: readonly RunType[] = ['raw', 'syscall', 'socket_filter', 'sched_cls', 'tc', 'xdp', 'kprobe', 'tracepoint', 'raw_tracepoint', 'tracing'];

/** Memory a program can reach with probe_read* (kernel) or probe_read_user* (user). */
export interface MemoryInput {
  /** "0x..." base address; omitted: the engine picks one and reports it in InputsInfo. */
  readonly address?: string;
  readonly bytes: string;
  readonly user: boolean;
}

/** What a run starts from. Bytes are hex pairs; an omitted field means the engine's default. */
export interface ProgramInputs {
  readonly type: RunType;
  /** kprobe: struct pt_regs; tracing: u64 args[]; syscall: the ctx buffer; skb/xdp: overrides the built struct. */
  readonly ctx?: string;
  /** socket_filter, sched_cls/tc, xdp: the packet (an Ethernet frame). */
  readonly packet?: string;
  /** raw: memory whose address is r1 and length r2. */
  readonly mem?: string;
  readonly memory: readonly MemoryInput[];
}

/** A named field of the ctx struct (pt_regs registers, __sk_buff fields...). */
export interface CtxFieldInfo {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** A session's inputs with what the UI needs to edit them. */
export interface InputsInfo {
  readonly inputs: ProgramInputs;
  /** The C type of the ctx ("struct pt_regs"). */
  readonly ctxStruct: string;
  readonly ctxSize: number;
  readonly fields: readonly CtxFieldInfo[];
  /** Where each memory input lives in this run (same order as inputs.memory). */
  readonly memoryAddresses: readonly string[];
}

export type MapUpdateFlag = 'any' | 'noexist' | 'exist';

/** The verifier's verdict on a program (engine/verifier verify()). */
export interface VerifyReport {
  readonly verdict: 'accept' | 'reject';
  /** The first error: slot pc, the kernel's message, our stable code. */
  readonly error?: { readonly pc: number; readonly message: string; readonly code: string };
  readonly processed: number;
  readonly logLevel: 1 | 2;
  /** The log's last LIMITS.maxVerifierLog characters (as the kernel's rotating log keeps its end). */
  readonly log: string;
  /** Characters dropped from the start of the log to fit. */
  readonly logOmitted?: number;
  /** The kernel program type the program was verified as ("xdp"). */
  readonly progType: string;
  /** The rejection is a limit of bpfdbg's verifier, not a kernel verdict. */
  readonly unsupported: boolean;
  /** Program types the verifier knows, for choosing another. */
  readonly progTypes: readonly string[];
}

/** One abstract state the verifier reached before an instruction (the kernel's print_verifier_state, as fields). */
export interface AbstractState {
  /** Innermost frame number. */
  readonly frame: number;
  /** Registers that are initialized, "R1" -> "ctx()", as the kernel log prints them. */
  readonly registers: readonly { readonly name: string; readonly value: string }[];
  /** Stack slots that hold something: "fp-8" -> "mmmmmmmm" or a spilled register. */
  readonly stack: readonly { readonly offset: number; readonly value: string }[];
}

/**
 * One watch expression's value at the current stop: the 64-bit pattern and whether the expression's
 * type is signed (for the decimal form), or why it has none (a parse error with its column, unreadable
 * memory, division by zero). Each expression answers on its own: one bad expression never fails the others.
 */
export type WatchValue =
  | { readonly value: string; readonly signed: boolean }
  | { readonly error: string; readonly column?: number };

export interface BreakpointInfo {
  readonly id: number;
  readonly pc: number;
  readonly enabled: boolean;
  readonly condition?: string;
  /** The document program the pc is in; absent: the session's own program. */
  readonly program?: number;
  /** Times the breakpoint was reached with its condition true (absent while zero). */
  readonly hits?: number;
}

export type Request =
  | { readonly kind: 'hello' }
  | { readonly kind: 'open'; readonly name: string; readonly base64: string; readonly format: FileFormat }
  | { readonly kind: 'close'; readonly document: number }
  | { readonly kind: 'listing'; readonly document: number; readonly program: number; readonly start: number; readonly count: number }
  | { readonly kind: 'locate'; readonly document: number; readonly program: number; readonly pc: number }
  | { readonly kind: 'session.create'; readonly document: number; readonly program: number; readonly inputs?: ProgramInputs }
  /** Starts the session's program over with new inputs; breakpoints stay. */
  | { readonly kind: 'session.restart'; readonly session: number; readonly inputs: ProgramInputs }
  | { readonly kind: 'inputs'; readonly session: number }
  /** Registers r0-r9 while paused. */
  | { readonly kind: 'register.set'; readonly session: number; readonly register: number; readonly value: string }
  | { readonly kind: 'map.update'; readonly session: number; readonly map: number; readonly key: string; readonly value: string; readonly flag: MapUpdateFlag }
  | { readonly kind: 'map.delete'; readonly session: number; readonly map: number; readonly key: string }
  /** Puts document program `program` into slot `index` of the prog_array `map` (omitted: empties the slot). */
  | { readonly kind: 'prog-array.set'; readonly session: number; readonly map: number; readonly index: number; readonly program?: number }
  /** progType: verify as this kernel program type instead of the file's (raw bytecode and assembly say none). */
  | { readonly kind: 'verify'; readonly document: number; readonly program: number; readonly logLevel: 1 | 2; readonly progType?: string }
  /** The abstract states at a pc from the last verify of that program. */
  | { readonly kind: 'verifier.state'; readonly document: number; readonly program: number; readonly pc: number }
  | { readonly kind: 'run'; readonly session: number }
  | { readonly kind: 'step'; readonly session: number; readonly mode: StepMode }
  /** program: the document program the pc is in (default: the session's own). */
  | { readonly kind: 'breakpoint.toggle'; readonly session: number; readonly pc: number; readonly program?: number }
  | { readonly kind: 'state'; readonly session: number }
  /** Evaluates watch expressions (the expression language of conditions and `print`) in the paused state, all in one answer. */
  | { readonly kind: 'evaluate'; readonly session: number; readonly expressions: readonly string[] }
  | { readonly kind: 'console'; readonly session?: number; readonly line: string }
  | { readonly kind: 'cancel'; readonly target: number };

export type RequestKind = Request['kind'];

export type Response =
  | { readonly kind: 'hello'; readonly version: number; readonly engine: string; readonly features: readonly Feature[] }
  | { readonly kind: 'opened'; readonly document?: DocumentInfo; readonly diagnostics: readonly WireDiagnostic[] }
  | { readonly kind: 'closed'; readonly document: number }
  | { readonly kind: 'listing'; readonly document: number; readonly program: number; readonly start: number; readonly total: number; readonly lines: readonly ListingLine[] }
  /** The listing line of an instruction, or -1 when no instruction starts at that pc. */
  | { readonly kind: 'located'; readonly line: number }
  /**
   * `line` (in session, stopped, state and console answers) is the listing line of `state.pc` in the session's program
   * (-1 when no instruction starts there), so a host shows where execution is without a 'locate' round trip.
   */
  | { readonly kind: 'session'; readonly session: number; readonly state: StateSnapshot; readonly diagnostics: readonly WireDiagnostic[]; readonly line?: number }
  | { readonly kind: 'stopped'; readonly reason: StopReason; readonly message: string; readonly state: StateSnapshot; readonly line?: number }
  | { readonly kind: 'state'; readonly state: StateSnapshot; readonly message?: string; readonly line?: number }
  | { readonly kind: 'inputs'; readonly info: InputsInfo }
  | { readonly kind: 'verified'; readonly report: VerifyReport }
  | { readonly kind: 'verifier-state'; readonly pc: number; readonly states: readonly AbstractState[] }
  | { readonly kind: 'breakpoints'; readonly breakpoints: readonly BreakpointInfo[] }
  /** The values of an 'evaluate' request, in the order of its expressions. */
  | { readonly kind: 'values'; readonly pc: number; readonly values: readonly WatchValue[] }
  /** Console output; `state` is set when the command had a session (it may have run or edited the program). */
  | { readonly kind: 'console'; readonly lines: readonly string[]; readonly state?: StateSnapshot; readonly breakpoints?: readonly BreakpointInfo[]; readonly line?: number }
  | { readonly kind: 'cancelled'; readonly target: number; readonly found: boolean }
  | { readonly kind: 'error'; readonly code: string; readonly message: string; readonly diagnostics?: readonly WireDiagnostic[] };

export type Event =
  /** Text for the console: what a program printed, or engine notes. */
  | { readonly kind: 'console'; readonly stream: 'program' | 'engine'; readonly text: string }
  /** Progress of a long request, so the UI can offer Cancel. */
  | { readonly kind: 'progress'; readonly request: number; readonly done: number; readonly total: number; readonly label: string }
  /** The host dropped a malformed message or lost the engine; shown to the user. */
  | { readonly kind: 'host-error'; readonly code: string; readonly message: string }
  /** The engine worker was restarted (after a cancel it did not honour, or a crash): documents are gone. */
  | { readonly kind: 'engine-restarted'; readonly reason: string };

/** From a UI to the engine. `id` is chosen by the sender and echoed in the response. */
export interface RequestMessage {
  readonly type: 'request';
  readonly id: number;
  readonly request: Request;
}

export interface ResponseMessage {
  readonly type: 'response';
  readonly id: number;
  readonly response: Response;
}

export interface EventMessage {
  readonly type: 'event';
  readonly event: Event;
}

export type EngineMessage = ResponseMessage | EventMessage;

/** Request kinds and the response kinds each may produce besides 'error'. */
export const RESPONSE_OF: Readonly<Record<RequestKind, readonly Response['kind'][]>> = {
  hello: ['hello'],
  open: ['opened'],
  close: ['closed'],
  listing: ['listing'],
  locate: ['located'],
  'session.create': ['session'],
  'session.restart': ['session'],
  inputs: ['inputs'],
  'register.set': ['state'],
  'map.update': ['state'],
  'map.delete': ['state'],
  'prog-array.set': ['state'],
  verify: ['verified'],
  'verifier.state': ['verifier-state'],
  run: ['stopped'],
  step: ['stopped'],
  'breakpoint.toggle': ['breakpoints'],
  state: ['state'],
  evaluate: ['values'],
  console: ['console'],
  cancel: ['cancelled'],
};

/** Limits every validator enforces, so a hostile peer cannot make a host allocate without bound. */
export const LIMITS = {
  /** Base64 text of an opened file: 64 MiB of bytes. */
  maxBase64: Math.ceil((64 * 1024 * 1024) / 3) * 4,
  maxName: 4096,
  maxConsoleLine: 4096,
  maxListingCount: 10_000,
  /** Map entries a snapshot carries per map (a 1M-entry array map would otherwise go out on every step). */
  maxMapEntries: 256,
  /** Bytes of one input (packet, ctx, mem, a memory region) as hex pairs: 1 MiB. */
  maxInputBytes: 1 << 20,
  maxMemoryInputs: 64,
  /** Verifier log characters a report carries: a 1M-instruction rejection logs tens of MB at level 1. */
  maxVerifierLog: 2 * 1024 * 1024,
  /** Expressions one 'evaluate' request carries, and characters per expression (as a workspace file allows). */
  maxWatches: 1000,
  maxExpression: 1000,
  maxId: Number.MAX_SAFE_INTEGER,
} as const;

/** The Electron IPC channels the preload exposes; nothing else crosses. */
export const IPC_CHANNELS = { request: 'bpfdbg:request', event: 'bpfdbg:event', menu: 'bpfdbg:menu' } as const;

/** Menu commands main sends to the renderer (the renderer owns the state they act on). */
export type MenuCommand =
  | 'open'
  | 'run'
  | 'continue'
  | 'step-into'
  | 'step-over'
  | 'step-out'
  | 'step-back'
  | 'toggle-breakpoint'
  | 'toggle-theme'
  | 'focus-console'
  | 'focus-listing'
  | 'toggle-state-panes'
  | 'toggle-bottom-pane'
  | 'reset-layout'
  | 'show-watches'
  | 'show-call-stack';

export const MENU_COMMANDS: readonly MenuCommand[] = [
  'open', 'run', 'continue', 'step-into', 'step-over', 'step-out',
  'step-back', 'toggle-breakpoint', 'toggle-theme', 'focus-console', 'focus-listing',
  'toggle-state-panes', 'toggle-bottom-pane', 'reset-layout', 'show-watches', 'show-call-stack',
];

/** What main sends on IPC_CHANNELS.menu: a command, or a file the user picked in a native dialog. */
export type MenuMessage =
  | { readonly command: MenuCommand }
  | { readonly command: 'open-file'; readonly name: string; readonly base64: string; readonly format: FileFormat };
