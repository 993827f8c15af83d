// Host requests: what the renderer asks of its host rather than of the engine (workspace files, exports), and their validators.
//
// They travel beside the engine protocol, never to the engine worker: over their own IPC channel in
// Electron (IPC_HOST_CHANNEL, invoke/handle) and as `host-request` / `host-response` frames on the
// browser-mode WebSocket. The renderer never names a file path: Electron main shows native dialogs
// and keeps its own recent list (the renderer refers to entries by the label main gave it), and the
// web host only accepts plain names inside the one directory it controls.
import { checkWorkspace, type WorkspaceState } from '../session/workspace-file';

export type { WorkspaceState, WorkspaceProgram, WorkspaceBreakpoint, WorkspaceLayout, WorkspaceTailSlot } from '../session/workspace-file';

export const IPC_HOST_CHANNEL = 'bpfdbg:host';

export type HostRequest =
  /**
   * to: 'autosave' (the host's autosave slot, silently), 'current' (the file last saved to or opened;
   * like 'new' if none), 'new' (Electron: a save dialog, `name` the suggested file name; browser: `name` is required).
   */
  | { readonly kind: 'workspace.save'; readonly to: 'autosave' | 'current' | 'new'; readonly name?: string; readonly workspace: WorkspaceState }
  /** from: 'autosave', 'choose' (Electron: an open dialog), or 'recent' with a name from workspace.list. */
  | { readonly kind: 'workspace.open'; readonly from: 'autosave' | 'choose' | 'recent'; readonly name?: string }
  | { readonly kind: 'workspace.list' }
  /** Saves text the renderer produced (an exported listing) where the user chooses (Electron: save dialog). */
  | { readonly kind: 'export.save'; readonly name: string; readonly text: string };

export type HostResponse =
  | { readonly kind: 'workspace.saved'; readonly name: string }
  /** `notes`: what the restore should tell the user (recovered from .bak, program file missing, ...). */
  | { readonly kind: 'workspace.opened'; readonly name: string; readonly workspace: WorkspaceState; readonly notes: readonly string[] }
  | { readonly kind: 'workspace.list'; readonly names: readonly string[]; readonly current?: string }
  | { readonly kind: 'export.saved'; readonly name: string }
  /** The user closed a dialog without choosing. */
  | { readonly kind: 'dismissed' }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

export interface HostRequestMessage {
  readonly type: 'host-request';
  readonly id: number;
  readonly request: HostRequest;
}

export interface HostResponseMessage {
  readonly type: 'host-response';
  readonly id: number;
  readonly response: HostResponse;
}

/** Commands the Electron menu sends (on IPC_CHANNELS.menu) for the workspace and export items. */
export type HostMenuMessage =
  | { readonly command: 'workspace.save' | 'workspace.save-as' | 'workspace.open' | 'export-listing' }
  | { readonly command: 'workspace.open-recent'; readonly name: string };

export const HOST_LIMITS = {
  maxName: 4096,
  /** An exported listing of a 1M-instruction program with source lines fits. */
  maxExportText: 256 * 1024 * 1024,
  maxNames: 1000,
} as const;

type Check = (v: unknown, path: string) => string | undefined;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (max: number): Check => (v, p) => (typeof v !== 'string' ? `${p} must be a string` : v.length > max ? `${p} is longer than ${max} characters` : undefined);
const oneOf = (values: readonly string[]): Check => (v, p) => (typeof v === 'string' && values.includes(v) ? undefined : `${p} must be one of ${values.join(', ')}`);
const id: Check = (v, p) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : `${p} must be a non-negative integer`);
const names: Check = (v, p) => {
  if (!Array.isArray(v)) return `${p} must be an array`;
  if (v.length > HOST_LIMITS.maxNames) return `${p} has more than ${HOST_LIMITS.maxNames} items`;
  for (let i = 0; i < v.length; i++) {
    const e = str(HOST_LIMITS.maxName)(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return undefined;
};

interface Shape { readonly [field: string]: Check | { readonly optional: Check } }
const opt = (c: Check) => ({ optional: c });
const obj = (shape: Shape): Check => (v, p) => {
  if (!isObject(v)) return `${p} must be an object`;
  for (const k of Object.keys(v)) if (!Object.prototype.hasOwnProperty.call(shape, k)) return `${p}.${k} is not a known field`;
  for (const [k, c] of Object.entries(shape)) {
    const check = typeof c === 'function' ? c : c.optional;
    if (v[k] === undefined) {
      if (typeof c === 'function') return `${p}.${k} is missing`;
      continue;
    }
    const e = check(v[k], `${p}.${k}`);
    if (e) return e;
  }
  return undefined;
};
const byKind = (variants: Readonly<Record<string, Shape>>): Check => (v, p) => {
  if (!isObject(v)) return `${p} must be an object`;
  const kind = v.kind;
  if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(variants, kind)) return `${p}.kind must be one of ${Object.keys(variants).join(', ')}`;
  return obj({ kind: (x, q) => (x === kind ? undefined : `${q} must be "${kind}"`), ...variants[kind] })(v, p);
};

const requestCheck = byKind({
  'workspace.save': { to: oneOf(['autosave', 'current', 'new']), name: opt(str(HOST_LIMITS.maxName)), workspace: checkWorkspace },
  'workspace.open': { from: oneOf(['autosave', 'choose', 'recent']), name: opt(str(HOST_LIMITS.maxName)) },
  'workspace.list': {},
  'export.save': { name: str(HOST_LIMITS.maxName), text: str(HOST_LIMITS.maxExportText) },
});
const responseCheck = byKind({
  'workspace.saved': { name: str(HOST_LIMITS.maxName) },
  'workspace.opened': { name: str(HOST_LIMITS.maxName), workspace: checkWorkspace, notes: names },
  'workspace.list': { names, current: opt(str(HOST_LIMITS.maxName)) },
  'export.saved': { name: str(HOST_LIMITS.maxName) },
  dismissed: {},
  error: { code: str(200), message: str(10_000) },
});

export type HostChecked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function run<T>(check: Check, v: unknown, what: string): HostChecked<T> {
  let e: string | undefined;
  try {
    e = check(v, what);
  } catch {
    e = `${what} could not be inspected`;
  }
  return e === undefined ? { ok: true, value: v as T } : { ok: false, error: e };
}

export function checkHostRequest(v: unknown): HostChecked<HostRequest> {
  return run(requestCheck, v, 'request');
}

export function checkHostResponse(v: unknown): HostChecked<HostResponse> {
  return run(responseCheck, v, 'response');
}

export function checkHostRequestMessage(v: unknown): HostChecked<HostRequestMessage> {
  return run(obj({ type: (x, p) => (x === 'host-request' ? undefined : `${p} must be "host-request"`), id, request: requestCheck }), v, 'message');
}

export function checkHostResponseMessage(v: unknown): HostChecked<HostResponseMessage> {
  return run(obj({ type: (x, p) => (x === 'host-response' ? undefined : `${p} must be "host-response"`), id, response: responseCheck }), v, 'message');
}

export function checkHostMenuMessage(v: unknown): HostChecked<HostMenuMessage> {
  return run((x, p) => (isObject(x) && x.command === 'workspace.open-recent'
    ? obj({ command: oneOf(['workspace.open-recent']), name: str(HOST_LIMITS.maxName) })(x, p)
    : obj({ command: oneOf(['workspace.save', 'workspace.save-as', 'workspace.open', 'export-listing']) })(x, p)), v, 'menu');
}
