// The workspace file: what a user set up around a program (which program, breakpoints, watches, inputs, layout), as versioned JSON.
//
// Pure data and validation; the hosts (main/) do the file I/O (atomic writes, the .bak copy).
// Everything read from disk is untrusted: `parseWorkspaceText` checks size, JSON, the format tag,
// the version, and every field, and reports the first problem as a diagnostic with a code, so a
// bad file is refused as a whole and the caller's current state is never touched by half of one.
// Unknown fields are refused rather than ignored: a file from a newer bpfdbg says so by its
// version, and a typo'd hand edit shows up instead of silently losing a setting.
import type { OpenFormat } from './workspace';

export const WORKSPACE_FORMAT = 'bpfdbg-workspace';
/** Bumped when the shape changes; older versions are migrated on load, newer ones refused with a clear message. */
export const WORKSPACE_VERSION = 1;

/** An embedded program copy may be as large as a file the protocol can open (64 MiB of bytes). */
export const MAX_PROGRAM_BASE64 = Math.ceil((64 * 1024 * 1024) / 3) * 4;
/** Whole-file limit: the embedded program plus generous room for everything else. */
export const MAX_WORKSPACE_TEXT = MAX_PROGRAM_BASE64 + 8 * 1024 * 1024;
export const WORKSPACE_LIMITS = {
  maxPath: 4096,
  maxBreakpoints: 10_000,
  maxCondition: 1000,
  maxWatches: 1000,
  maxWatch: 1000,
  maxInputs: 1000,
  maxInputValue: 1024 * 1024,
  maxLayoutEntries: 100,
  maxTailSlots: 10_000,
} as const;

/** The program a workspace is about. `path` (desktop) or `base64` (browser mode, or a fallback copy) or both. */
export interface WorkspaceProgram {
  /** File name as shown in the UI. */
  readonly name: string;
  /** Absolute path of the file on the user's machine, re-read on restore so a rebuilt object is picked up. */
  readonly path?: string;
  /** The file's bytes, for hosts that have no path (a browser cannot re-read an uploaded file). */
  readonly base64?: string;
  readonly format: OpenFormat;
  /** Index of the chosen program within the file. */
  readonly program: number;
  /** Its name, so a restore can find it again if the file's programs were reordered. */
  readonly programName?: string;
  /** The program type chosen for it (kernel name, e.g. "BPF_PROG_TYPE_XDP"), where the user picked one. */
  readonly type?: string;
}

export interface WorkspaceBreakpoint {
  /** Instruction slot (the kernel's insn number). */
  readonly pc: number;
  readonly enabled: boolean;
  /** Condition in the debugger's expression language (`r1 == 0`). */
  readonly condition?: string;
  /**
   * The program of the file the pc is in, by name, when it is not the workspace's program (a tail
   * call target). Absent: the workspace's program (files written before tail calls have none).
   */
  readonly programName?: string;
}

/** A filled prog_array slot, by names as `bpfdbg debug --tail MAP:INDEX=PROGRAM` spells it. */
export interface WorkspaceTailSlot {
  readonly map: string;
  readonly index: number;
  /** A program of the workspace's file. */
  readonly program: string;
}

export interface WorkspaceLayout {
  readonly theme: 'dark' | 'light';
  /** Which tab of the bottom area is shown. */
  readonly bottomTab?: 'console' | 'diagnostics' | 'verifier' | 'breakpoints';
  /** Which tab of the state column (right of the listing) is shown. */
  readonly stateTab?: 'stack' | 'calls' | 'watches' | 'maps' | 'inputs';
  /** Areas the user hid (View menu): the state column, the bottom area. */
  readonly hidden?: readonly ('state' | 'bottom')[];
  /** Pane sizes in CSS pixels by pane name (listing, state, bottom, ...). */
  readonly sizes: Readonly<Record<string, number>>;
}

export interface WorkspaceState {
  readonly format: typeof WORKSPACE_FORMAT;
  readonly version: typeof WORKSPACE_VERSION;
  readonly program?: WorkspaceProgram;
  readonly breakpoints: readonly WorkspaceBreakpoint[];
  /** prog_array slots the user filled (absent when none: such files stay readable by older versions). */
  readonly tailSlots?: readonly WorkspaceTailSlot[];
  /** Watch expressions, evaluated at every stop. */
  readonly watches: readonly string[];
  /** Input fields by name as the inputs pane edits them (ctx fields, registers, packet bytes as hex). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly layout: WorkspaceLayout;
}

export interface WorkspaceDiagnostic {
  readonly code:
    | 'workspace.too-large' | 'workspace.not-json' | 'workspace.not-workspace'
    | 'workspace.future-version' | 'workspace.bad-version' | 'workspace.invalid';
  readonly message: string;
}

export type WorkspaceParse =
  | { readonly ok: true; readonly workspace: WorkspaceState }
  | { readonly ok: false; readonly diagnostic: WorkspaceDiagnostic };

/** An empty workspace: no program, dark theme. */
export function emptyWorkspace(): WorkspaceState {
  return { format: WORKSPACE_FORMAT, version: WORKSPACE_VERSION, breakpoints: [], watches: [], inputs: {}, layout: { theme: 'dark', sizes: {} } };
}

// ---- field checks: each returns undefined when the value fits, else the complaint naming the path ----

type Check = (v: unknown, path: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

const str = (max: number, min = 0): Check => (v, p) =>
  typeof v !== 'string' ? `${p} must be a string`
    : v.length > max ? `${p} is longer than ${max} characters`
      : v.length < min ? `${p} must not be empty` : undefined;
const int = (min: number, max: number): Check => (v, p) =>
  typeof v !== 'number' || !Number.isInteger(v) ? `${p} must be an integer` : v < min || v > max ? `${p} must be in ${min}..${max}` : undefined;
const bool: Check = (v, p) => (typeof v === 'boolean' ? undefined : `${p} must be true or false`);
const oneOf = (values: readonly string[]): Check => (v, p) =>
  typeof v === 'string' && values.includes(v) ? undefined : `${p} must be one of ${values.join(', ')}`;
const arr = (item: Check, max: number): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p} must be an array`;
  if (v.length > max) return `${p} has more than ${max} items`;
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return undefined;
};
/** Names usable as keys: no prototype-polluting keys (__proto__ starts with '_'), nothing a UI would choke on. */
const KEY = /^[A-Za-z][A-Za-z0-9_.:[\]-]{0,99}$/;
const record = (value: Check, max: number): Check => (v, p) => {
  if (!isObject(v)) return `${p} must be an object`;
  const keys = Object.keys(v);
  if (keys.length > max) return `${p} has more than ${max} entries`;
  for (const k of keys) {
    if (!KEY.test(k)) return `${p} has an unusable key ${JSON.stringify(k.slice(0, 40))}`;
    const e = value(v[k], `${p}.${k}`);
    if (e) return e;
  }
  return undefined;
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64: Check = (v, p) =>
  typeof v !== 'string' ? `${p} must be a base64 string`
    : v.length > MAX_PROGRAM_BASE64 ? `${p} is larger than ${MAX_PROGRAM_BASE64} characters`
      : v.length % 4 !== 0 || !BASE64.test(v) ? `${p} is not valid base64` : undefined;

interface Shape { readonly [field: string]: Check | { readonly optional: Check } }
const opt = (c: Check) => ({ optional: c });
const obj = (shape: Shape): Check => (v, p) => {
  if (!isObject(v)) return `${p} must be an object`;
  for (const k of Object.keys(v)) if (!own(shape, k)) return `${p}.${k} is not a known field`;
  for (const [k, c] of Object.entries(shape)) {
    const check = typeof c === 'function' ? c : c.optional;
    if (!own(v, k) || v[k] === undefined) {
      if (typeof c === 'function') return `${p}.${k} is missing`;
      continue;
    }
    const e = check(v[k], `${p}.${k}`);
    if (e) return e;
  }
  return undefined;
};

const L = WORKSPACE_LIMITS;
const programCheck: Check = (v, p) => {
  const e = obj({
    name: str(L.maxPath, 1),
    path: opt(str(L.maxPath, 1)),
    base64: opt(base64),
    format: oneOf(['auto', 'object', 'raw', 'asm', 'image2013']),
    program: int(0, 1_000_000),
    programName: opt(str(L.maxPath)),
    type: opt(str(200)),
  })(v, p);
  if (e) return e;
  const r = v as Record<string, unknown>;
  if (r.path === undefined && r.base64 === undefined) return `${p} needs a path or an embedded copy (base64)`;
  if (typeof r.path === 'string' && r.path.includes('\0')) return `${p}.path contains a NUL character`;
  return undefined;
};

/** The v1 shape. `checkWorkspace` is also the protocol's validator for workspaces crossing a host boundary. */
export const checkWorkspace: Check = obj({
  format: (v, p) => (v === WORKSPACE_FORMAT ? undefined : `${p} must be "${WORKSPACE_FORMAT}"`),
  version: (v, p) => (v === WORKSPACE_VERSION ? undefined : `${p} must be ${WORKSPACE_VERSION}`),
  program: opt(programCheck),
  breakpoints: arr(obj({ pc: int(0, 0x7fffffff), enabled: bool, condition: opt(str(L.maxCondition, 1)), programName: opt(str(L.maxPath, 1)) }), L.maxBreakpoints),
  tailSlots: opt(arr(obj({ map: str(L.maxPath, 1), index: int(0, 0x7fffffff), program: str(L.maxPath, 1) }), L.maxTailSlots)),
  watches: arr(str(L.maxWatch, 1), L.maxWatches),
  inputs: record(str(L.maxInputValue), L.maxInputs),
  layout: obj({
    theme: oneOf(['dark', 'light']),
    bottomTab: opt(oneOf(['console', 'diagnostics', 'verifier', 'breakpoints'])),
    stateTab: opt(oneOf(['stack', 'calls', 'watches', 'maps', 'inputs'])),
    hidden: opt(arr(oneOf(['state', 'bottom']), 2)),
    sizes: record(int(0, 100_000), L.maxLayoutEntries),
  }),
});

/**
 * Reads a workspace file's text. Never throws: too large, not JSON, not a workspace, a newer
 * version, or any bad field comes back as a diagnostic naming the first problem.
 */
export function parseWorkspaceText(text: string): WorkspaceParse {
  const fail = (code: WorkspaceDiagnostic['code'], message: string): WorkspaceParse => ({ ok: false, diagnostic: { code, message } });
  if (text.length > MAX_WORKSPACE_TEXT) return fail('workspace.too-large', `the file is larger than the ${MAX_WORKSPACE_TEXT}-character limit for workspaces`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // Deeply nested arrays overflow the parser's stack (RangeError): still just "not a workspace".
    return fail('workspace.not-json', `the file is not valid JSON (${e instanceof Error ? e.message : String(e)}); it may be truncated or not a workspace`);
  }
  if (!isObject(v) || v.format !== WORKSPACE_FORMAT) return fail('workspace.not-workspace', `the file is not a bpfdbg workspace (no "format": "${WORKSPACE_FORMAT}")`);
  const version = v.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return fail('workspace.bad-version', 'the workspace has no valid "version" number');
  if (version > WORKSPACE_VERSION) {
    return fail('workspace.future-version', `the workspace was written by a newer bpfdbg (format version ${version}); this one reads up to version ${WORKSPACE_VERSION}. Nothing was changed.`);
  }
  // Versions below WORKSPACE_VERSION would be migrated here; version 1 is the first.
  let e: string | undefined;
  try {
    e = checkWorkspace(v, 'workspace');
  } catch {
    e = 'workspace could not be inspected';
  }
  if (e) return fail('workspace.invalid', `the workspace file is invalid: ${e}`);
  return { ok: true, workspace: v as unknown as WorkspaceState };
}

/** The file's text: stable key order, two-space indentation, newline at the end (diff-friendly for users who commit workspaces). */
export function printWorkspace(w: WorkspaceState): string {
  const out: Record<string, unknown> = { format: WORKSPACE_FORMAT, version: WORKSPACE_VERSION };
  if (w.program) out.program = w.program;
  out.breakpoints = w.breakpoints;
  if (w.tailSlots?.length) out.tailSlots = w.tailSlots;
  out.watches = w.watches;
  out.inputs = w.inputs;
  out.layout = w.layout;
  return JSON.stringify(out, null, 2) + '\n';
}
