// Runtime validators for the protocol: check unknown data against messages.ts and name the first bad field.
//
// Each host runs these on everything it receives (renderer -> main, browser -> web host, worker ->
// host, host -> worker) because a message that crossed a process boundary is untrusted until proven
// to have the declared shape. Validators never throw; unknown extra fields are rejected so a typo in
// a sender shows up instead of being silently ignored.
import {
  FEATURES, LIMITS, MENU_COMMANDS, RUN_TYPES,
  type EngineMessage, type Event, type MenuMessage, type RequestMessage, type Response,
} from './messages';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A check returns undefined when `v` fits, else the complaint about the path. */
type Check = (v: unknown, path: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (max: number = LIMITS.maxName): Check => (v, p) =>
  typeof v !== 'string' ? `${p} must be a string` : v.length > max ? `${p} is longer than ${max} characters` : undefined;

const int = (min = 0, max: number = LIMITS.maxId): Check => (v, p) =>
  typeof v !== 'number' || !Number.isInteger(v) ? `${p} must be an integer` : v < min || v > max ? `${p} must be in ${min}..${max}` : undefined;

const bool: Check = (v, p) => (typeof v === 'boolean' ? undefined : `${p} must be a boolean`);

const oneOf = (values: readonly string[]): Check => (v, p) =>
  typeof v === 'string' && values.includes(v) ? undefined : `${p} must be one of ${values.join(', ')}`;

const lit = (value: string): Check => (v, p) => (v === value ? undefined : `${p} must be "${value}"`);

const arr = (item: Check, max = 1_000_000): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p} must be an array`;
  if (v.length > max) return `${p} has more than ${max} items`;
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return undefined;
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64: Check = (v, p) =>
  typeof v !== 'string' ? `${p} must be a base64 string`
    : v.length > LIMITS.maxBase64 ? `${p} is larger than the ${LIMITS.maxBase64}-character limit`
      : v.length % 4 !== 0 || !BASE64.test(v) ? `${p} is not valid base64` : undefined;

interface Shape { readonly [field: string]: Check | { readonly optional: Check } }
const opt = (c: Check) => ({ optional: c });

const obj = (shape: Shape): Check => (v, p) => {
  if (!isObject(v)) return `${p} must be an object`;
  for (const k of Object.keys(v)) if (!Object.prototype.hasOwnProperty.call(shape, k)) return `${p}.${k} is not a known field`;
  for (const [k, c] of Object.entries(shape)) {
    const optional = typeof c !== 'function';
    const check = typeof c === 'function' ? c : c.optional;
    if (v[k] === undefined) {
      if (!optional) return `${p}.${k} is missing`;
      continue;
    }
    const e = check(v[k], `${p}.${k}`);
    if (e) return e;
  }
  return undefined;
};

/** A union discriminated by `kind`: each variant lists its fields besides kind. */
const byKind = (variants: Readonly<Record<string, Shape>>): Check => (v, p) => {
  if (!isObject(v)) return `${p} must be an object`;
  const kind = v.kind;
  if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(variants, kind)) {
    return `${p}.kind must be one of ${Object.keys(variants).join(', ')}`;
  }
  return obj({ kind: lit(kind), ...variants[kind] })(v, p);
};

const id = int(0);
const hex64: Check = (v, p) => (typeof v === 'string' && /^0x[0-9a-f]{1,16}$/.test(v) ? undefined : `${p} must be a "0x..." 64-bit hex string`);
const HEX_BYTES = /^([0-9a-f]{2}( [0-9a-f]{2})*)?$/;
const hexBytes: Check = (v, p) => (typeof v === 'string' && HEX_BYTES.test(v) ? undefined : `${p} must be hex byte pairs`);
/** Hex byte pairs of at most `max` bytes (checked on length before the pattern, so a huge string costs nothing). */
const hexBytesUpTo = (max: number): Check => (v, p) =>
  typeof v === 'string' && v.length > max * 3 ? `${p} is longer than ${max} bytes` : hexBytes(v, p);
const fileFormat = oneOf(['auto', 'object', 'raw', 'asm', 'image2013']);

const diagnostic = obj({
  code: str(200), severity: oneOf(['error', 'warning', 'note']), message: str(10_000),
  pc: opt(int()), byteOffset: opt(int()), line: opt(int()), column: opt(int()), section: opt(str()), file: opt(str()),
});
const diagnostics = arr(diagnostic);

const program = obj({
  index: int(), name: str(), section: str(), type: str(200), insnCount: int(), slotCount: int(), hasSource: bool, lineCount: int(),
});
const documentInfo = obj({
  id, name: str(), format: oneOf(['object', 'raw', 'asm', 'image2013']), size: int(), programs: arr(program, 100_000),
});
const sourceRef = obj({ file: str(), line: int(), column: int(), text: str(100_000) });
const listingLine = byKind({
  label: { index: int(), pc: int(), label: str() },
  source: { index: int(), source: sourceRef },
  insn: { index: int(), pc: int(), bytes: hexBytes, text: str(1000), invalid: bool },
});
const state = obj({
  session: id,
  pc: int(),
  program: opt(int()),
  status: oneOf(['ready', 'exited', 'fault']),
  registers: arr(obj({ name: str(20), value: hex64, abstractType: opt(str(1000)) }), 64),
  frames: arr(obj({
    index: int(), pc: int(), program: opt(int()), function: opt(str()), source: opt(sourceRef),
    slots: arr(obj({
      offset: int(-1_000_000, 0), bytes: opt(hexBytes), origin: str(1000),
      originKind: opt(oneOf(['spill', 'store', 'atomic', 'helper', 'edit', 'uninit'])), originPc: opt(int()), pointsTo: opt(str(1000)),
    }), 100_000),
  }), 64),
  maps: arr(obj({
    index: int(), name: str(), type: str(200), keySize: int(), valueSize: int(), maxEntries: int(),
    entries: arr(obj({ key: hexBytes, value: hexBytes }), LIMITS.maxMapEntries), total: int(), zeroesOmitted: opt(bool),
    editing: oneOf(['none', 'values', 'entries']), slots: opt(arr(obj({ index: int(), program: int() }), LIMITS.maxMapEntries)),
  })),
  message: opt(str(10_000)),
});

const runType = oneOf(RUN_TYPES);
const inputBytes = hexBytesUpTo(LIMITS.maxInputBytes);
const programInputs = obj({
  type: runType, ctx: opt(inputBytes), packet: opt(inputBytes), mem: opt(inputBytes),
  memory: arr(obj({ address: opt(hex64), bytes: inputBytes, user: bool }), LIMITS.maxMemoryInputs),
});
const inputsInfo = obj({
  inputs: programInputs, ctxStruct: str(200), ctxSize: int(), fields: arr(obj({ name: str(200), offset: int(), size: int() }), 1000),
  memoryAddresses: arr(hex64, LIMITS.maxMemoryInputs),
});
const logLevel: Check = (v, p) => (v === 1 || v === 2 ? undefined : `${p} must be 1 or 2`);
const verifyReport = obj({
  verdict: oneOf(['accept', 'reject']), error: opt(obj({ pc: int(), message: str(10_000), code: str(200) })), processed: int(),
  logLevel, log: str(LIMITS.maxVerifierLog), logOmitted: opt(int()), progType: str(200), unsupported: bool, progTypes: arr(str(200), 1000),
});
const abstractState = obj({
  frame: int(),
  registers: arr(obj({ name: str(20), value: str(10_000) }), 16),
  stack: arr(obj({ offset: int(-1_000_000, 0), value: str(10_000) }), 1000),
});

const breakpoint = obj({ id, pc: int(), enabled: bool, condition: opt(str(1000)), program: opt(int()), hits: opt(int()) });
/** A value, or an error in its place: the two shapes share no field. */
const watchValue: Check = (v, p) =>
  isObject(v) && 'error' in v
    ? obj({ error: str(10_000), column: opt(int()) })(v, p)
    : obj({ value: hex64, signed: bool })(v, p);

const requestCheck = byKind({
  hello: {},
  open: { name: str(), base64, format: fileFormat },
  close: { document: id },
  listing: { document: id, program: int(), start: int(), count: int(1, LIMITS.maxListingCount) },
  locate: { document: id, program: int(), pc: int() },
  'session.create': { document: id, program: int(), inputs: opt(programInputs) },
  'session.restart': { session: id, inputs: programInputs },
  inputs: { session: id },
  'register.set': { session: id, register: int(0, 9), value: hex64 },
  'map.update': { session: id, map: int(), key: hexBytesUpTo(LIMITS.maxInputBytes), value: hexBytesUpTo(LIMITS.maxInputBytes), flag: oneOf(['any', 'noexist', 'exist']) },
  'map.delete': { session: id, map: int(), key: hexBytesUpTo(LIMITS.maxInputBytes) },
  'prog-array.set': { session: id, map: int(), index: int(0, 0xffffffff), program: opt(int()) },
  verify: { document: id, program: int(), logLevel, progType: opt(str(200)) },
  'verifier.state': { document: id, program: int(), pc: int() },
  run: { session: id },
  step: { session: id, mode: oneOf(['into', 'over', 'out', 'back']) },
  'breakpoint.toggle': { session: id, pc: int(), program: opt(int()) },
  state: { session: id },
  evaluate: { session: id, expressions: arr(str(LIMITS.maxExpression), LIMITS.maxWatches) },
  console: { session: opt(id), line: str(LIMITS.maxConsoleLine) },
  cancel: { target: id },
});

const responseCheck = byKind({
  hello: { version: int(), engine: str(200), features: arr(oneOf(FEATURES), FEATURES.length) },
  opened: { document: opt(documentInfo), diagnostics },
  closed: { document: id },
  listing: { document: id, program: int(), start: int(), total: int(), lines: arr(listingLine, LIMITS.maxListingCount) },
  located: { line: int(-1) },
  session: { session: id, state, diagnostics, line: opt(int(-1)) },
  stopped: { reason: oneOf(['entry', 'step', 'breakpoint', 'exit', 'fault', 'cancelled', 'limit']), message: str(10_000), state, line: opt(int(-1)) },
  state: { state, message: opt(str(10_000)), line: opt(int(-1)) },
  inputs: { info: inputsInfo },
  verified: { report: verifyReport },
  'verifier-state': { pc: int(), states: arr(abstractState, 64) },
  breakpoints: { breakpoints: arr(breakpoint) },
  values: { pc: int(), values: arr(watchValue, LIMITS.maxWatches) },
  console: { lines: arr(str(100_000)), state: opt(state), breakpoints: opt(arr(breakpoint)), line: opt(int(-1)) },
  cancelled: { target: id, found: bool },
  error: { code: str(200), message: str(10_000), diagnostics: opt(diagnostics) },
});

const eventCheck = byKind({
  console: { stream: oneOf(['program', 'engine']), text: str(1_000_000) },
  progress: { request: id, done: int(), total: int(), label: str(200) },
  'host-error': { code: str(200), message: str(10_000) },
  'engine-restarted': { reason: str(10_000) },
});

const requestMessageCheck = obj({ type: lit('request'), id, request: requestCheck });
const engineMessageCheck: Check = (v, p) => {
  if (isObject(v) && v.type === 'response') return obj({ type: lit('response'), id, response: responseCheck })(v, p);
  if (isObject(v) && v.type === 'event') return obj({ type: lit('event'), event: eventCheck })(v, p);
  return `${p}.type must be "response" or "event"`;
};
const menuCheck: Check = (v, p) =>
  isObject(v) && v.command === 'open-file'
    ? obj({ command: lit('open-file'), name: str(), base64, format: fileFormat })(v, p)
    : obj({ command: oneOf(MENU_COMMANDS) })(v, p);

function run<T>(check: Check, v: unknown, what: string): Checked<T> {
  let e: string | undefined;
  try {
    e = check(v, what);
  } catch {
    // Getters or proxies on hostile input can throw; that is a malformed message too.
    e = `${what} could not be inspected`;
  }
  return e === undefined ? { ok: true, value: v as T } : { ok: false, error: e };
}

export function checkRequestMessage(v: unknown): Checked<RequestMessage> {
  return run(requestMessageCheck, v, 'message');
}

export function checkEngineMessage(v: unknown): Checked<EngineMessage> {
  return run(engineMessageCheck, v, 'message');
}

export function checkResponse(v: unknown): Checked<Response> {
  return run(responseCheck, v, 'response');
}

export function checkEvent(v: unknown): Checked<Event> {
  return run(eventCheck, v, 'event');
}

export function checkMenuMessage(v: unknown): Checked<MenuMessage> {
  return run(menuCheck, v, 'menu');
}

/** Parses a JSON text frame and validates it as a request message. */
export function parseRequestText(text: string): Checked<RequestMessage> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  return checkRequestMessage(v);
}

/** Parses a JSON text frame and validates it as an engine message. */
export function parseEngineText(text: string): Checked<EngineMessage> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  return checkEngineMessage(v);
}
