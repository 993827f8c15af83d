// The engine side of the protocol: answers validated requests from engine/session, one response per request id.
//
// Transport-free so the worker entry, tests and any future host share it. Requests run as async
// tasks; a long task polls its cancel token between slices (yielding to the event loop so a
// 'cancel' message can arrive), and answers 'cancelled' instead of a result.
import {
  decodeBase64, PROTOCOL_VERSION,
  type EngineMessage, type Feature, type InputsInfo, type ProgramInputs, type Request, type RequestMessage, type Response, type WireDiagnostic,
} from '../protocol';
import { DebugSessions, parseHexBytes, type InputsView, type SessionInputs } from '../session/debug-sessions';
import { describeState, verifyProgram, type Verification } from '../session/verifier-run';
import { Workspace, type WorkspaceDocument } from '../session/workspace';
import { COMPLEXITY_LIMIT_INSNS } from '../verifier';
import { cancelRequested } from './cancel-flag';

type Send = (message: EngineMessage) => void;

interface Task {
  readonly id: number;
  cancelled: boolean;
}

/** How often a long verification reports progress (ms): often enough for a live count, rarely enough to cost nothing. */
const PROGRESS_EVERY_MS = 250;

/** Features the engine offers today. Workspaces and export are not wired to the protocol yet, so they are not listed. */
export function engineFeatures(): Feature[] {
  const open: Feature[] = Workspace.formats.map((f): Feature => (f === 'object' ? 'open-object' : f === 'raw' ? 'open-raw' : f === 'asm' ? 'open-asm' : 'open-image2013'));
  return [...open, 'listing', 'run', 'step', 'step-back', 'breakpoints', 'registers', 'stack', 'maps', 'console', 'verifier', 'inputs', 'edit', 'watches'];
}

const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
const hexBytes = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

function sessionInputs(p: ProgramInputs): SessionInputs {
  return {
    type: p.type,
    ...(p.ctx !== undefined ? { ctx: parseHexBytes(p.ctx) } : {}),
    ...(p.packet !== undefined ? { packet: parseHexBytes(p.packet) } : {}),
    ...(p.mem !== undefined ? { mem: parseHexBytes(p.mem) } : {}),
    memory: p.memory.map((m) => ({ ...(m.address !== undefined ? { address: BigInt(m.address) } : {}), bytes: parseHexBytes(m.bytes), user: m.user })),
  };
}

function inputsInfo(v: InputsView): InputsInfo {
  const i = v.inputs;
  return {
    inputs: {
      type: i.type,
      ...(i.ctx ? { ctx: hexBytes(i.ctx) } : {}),
      ...(i.packet ? { packet: hexBytes(i.packet) } : {}),
      ...(i.mem ? { mem: hexBytes(i.mem) } : {}),
      memory: i.memory.map((m) => ({ ...(m.address !== undefined ? { address: hex64(m.address) } : {}), bytes: hexBytes(m.bytes), user: m.user })),
    },
    ctxStruct: v.ctxStruct, ctxSize: v.ctxSize, fields: v.fields, memoryAddresses: v.memoryAddresses.map(hex64),
  };
}

function documentInfo(workspace: Workspace, doc: WorkspaceDocument) {
  return {
    id: doc.id,
    name: doc.name,
    format: doc.format,
    size: doc.size,
    programs: doc.programs.map((p, index) => ({
      index,
      name: p.name,
      section: p.section,
      type: p.type,
      insnCount: p.insns.length,
      slotCount: p.insns.length === 0 ? 0 : p.pcs[p.pcs.length - 1] + (p.insns[p.insns.length - 1].form.kind === 'lddw' ? 2 : 1),
      hasSource: p.source.some((s) => s !== undefined),
      lineCount: workspace.lineCount(p),
    })),
  };
}

/** Copies a diagnostic field by field, so nothing but protocol fields (and no undefined) goes on the wire. */
function wireDiagnostic(d: WireDiagnostic): WireDiagnostic {
  const out: Record<string, unknown> = { code: d.code, severity: d.severity, message: d.message };
  for (const k of ['pc', 'byteOffset', 'line', 'column', 'section', 'file'] as const) if (d[k] !== undefined) out[k] = d[k];
  return out as unknown as WireDiagnostic;
}

function noSession(session: number): Response {
  return { kind: 'error', code: 'session.no-session', message: `no debug session ${session}` };
}

export class EngineService {
  private readonly workspace = new Workspace();
  private readonly sessions: DebugSessions;
  private readonly tasks = new Map<number, Task>();
  /** The last verification of each program ("document:program"), for verifier.state. */
  private readonly verifications = new Map<string, Verification>();
  /** Which document and program each session debugs, so answers can carry the listing line of the pc. */
  private readonly sessionPrograms = new Map<number, { readonly document: number; readonly program: number }>();

  /**
   * @param cancelSignal shared with the host thread, which sets it on 'cancel': a running debugger
   * command is synchronous, so the flag (polled by the interpreter) is how a cancel reaches it.
   */
  constructor(private readonly send: Send, private readonly cancelSignal?: Int32Array) {
    this.sessions = new DebugSessions(cancelSignal);
  }

  /** Handles one validated request message; always answers exactly once. */
  async handle(message: RequestMessage): Promise<void> {
    const { id, request } = message;
    if (request.kind === 'cancel') {
      const t = this.tasks.get(request.target);
      if (t) t.cancelled = true;
      this.reply(id, { kind: 'cancelled', target: request.target, found: t !== undefined });
      return;
    }
    const task: Task = { id, cancelled: false };
    this.tasks.set(id, task);
    let response: Response;
    try {
      response = await this.answer(request, task);
    } catch (e) {
      // A throw here is an engine bug, not a user mistake: report it instead of killing the worker.
      response = { kind: 'error', code: 'engine.internal', message: `internal engine error: ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      this.tasks.delete(id);
    }
    this.reply(id, task.cancelled ? { kind: 'error', code: 'engine.cancelled', message: 'cancelled' } : response);
  }

  /** What the program printed during the last command goes out as console events. */
  private flushOutput(session: number): void {
    for (const text of this.sessions.newOutput(session)) this.send({ type: 'event', event: { kind: 'console', stream: 'program', text } });
  }

  /**
   * The listing line of `pc` in the session's program: answers that move execution carry it, so the
   * renderer reveals the current line without a second ('locate') round trip per step.
   */
  private lineOf(session: number, pc: number, program?: number): { line: number } | Record<string, never> {
    const where = this.sessionPrograms.get(session);
    // After a tail call the pc is in another program of the document (the state says which).
    return where ? { line: this.workspace.locate(where.document, program ?? where.program, pc) } : {};
  }

  private reply(id: number, response: Response): void {
    this.send({ type: 'response', id, response });
  }

  /**
   * verify()'s progress hook for a verify request: it runs synchronously (up to the 1M-insn limit), so a cancel
   * reaches it only through the shared flag, polled here every few thousand insns; meanwhile 'progress' events
   * say how far it got. A stopped verification marks the task cancelled, which answers engine.cancelled.
   */
  private verifyProgress(task: Task): (processed: number) => boolean {
    const signal = this.cancelSignal;
    let last = performance.now();
    return (processed) => {
      // Only a cancel for this request counts (cancel-flag.ts): the flag is not reset here, so one that was
      // posted before the verification started is not lost.
      if (task.cancelled || (signal && cancelRequested(signal, task.id))) {
        // Consumed: the next command starts with a clear flag.
        if (signal) Atomics.store(signal, 0, 0);
        task.cancelled = true;
        return true;
      }
      const now = performance.now();
      if (now - last >= PROGRESS_EVERY_MS) {
        last = now;
        this.send({ type: 'event', event: { kind: 'progress', request: task.id, done: processed, total: COMPLEXITY_LIMIT_INSNS, label: 'verifying' } });
      }
      return false;
    };
  }

  private async answer(request: Exclude<Request, { kind: 'cancel' }>, task: Task): Promise<Response> {
    switch (request.kind) {
      case 'hello':
        return { kind: 'hello', version: PROTOCOL_VERSION, engine: 'bpfdbg engine', features: engineFeatures() };
      case 'open': {
        const bytes = decodeBase64(request.base64);
        if (!bytes) return { kind: 'error', code: 'protocol.bad-base64', message: 'file bytes are not valid base64' };
        const r = this.workspace.open(request.name, bytes, request.format);
        const diagnostics = r.diagnostics.map(wireDiagnostic);
        return r.document ? { kind: 'opened', document: documentInfo(this.workspace, r.document), diagnostics } : { kind: 'opened', diagnostics };
      }
      case 'close':
        if (!this.workspace.close(request.document)) return { kind: 'error', code: 'session.no-document', message: `no open document ${request.document}` };
        for (const k of [...this.verifications.keys()]) if (k.startsWith(`${request.document}:`)) this.verifications.delete(k);
        return { kind: 'closed', document: request.document };
      case 'listing': {
        const r = this.workspace.listing(request.document, request.program, request.start, request.count);
        if (!r.ok) return { kind: 'error', code: r.diagnostic.code, message: r.diagnostic.message };
        return { kind: 'listing', document: request.document, program: request.program, start: request.start, total: r.total, lines: r.lines };
      }
      case 'locate':
        return { kind: 'located', line: this.workspace.locate(request.document, request.program, request.pc) };
      case 'session.create': {
        const doc = this.workspace.document(request.document);
        if (!doc) return { kind: 'error', code: 'session.no-document', message: `no open document ${request.document}` };
        const r = this.sessions.create(doc, request.program, request.inputs ? sessionInputs(request.inputs) : undefined);
        const diagnostics = r.diagnostics.map(wireDiagnostic);
        if (r.id === undefined || !r.state) {
          const first = r.diagnostics.find((d) => d.severity === 'error');
          return { kind: 'error', code: first?.code ?? 'session.launch', message: first?.message ?? 'the program could not be started', diagnostics };
        }
        this.sessionPrograms.set(r.id, { document: request.document, program: request.program });
        return { kind: 'session', session: r.id, state: r.state, diagnostics, ...this.lineOf(r.id, r.state.pc, r.state.program) };
      }
      case 'session.restart': {
        const r = this.sessions.restart(request.session, sessionInputs(request.inputs));
        if (!r) return noSession(request.session);
        const diagnostics = r.diagnostics.map(wireDiagnostic);
        if (!r.state) {
          const first = r.diagnostics.find((d) => d.severity === 'error');
          return { kind: 'error', code: first?.code ?? 'session.launch', message: first?.message ?? 'the program could not be started with these inputs', diagnostics };
        }
        return { kind: 'session', session: request.session, state: r.state, diagnostics, ...this.lineOf(request.session, r.state.pc, r.state.program) };
      }
      case 'inputs': {
        const v = this.sessions.inputs(request.session);
        return v ? { kind: 'inputs', info: inputsInfo(v) } : noSession(request.session);
      }
      case 'register.set':
      case 'map.update':
      case 'map.delete':
      case 'prog-array.set': {
        const r = request.kind === 'register.set' ? this.sessions.setRegister(request.session, request.register, BigInt(request.value))
          : request.kind === 'map.update' ? this.sessions.updateMap(request.session, request.map, parseHexBytes(request.key), parseHexBytes(request.value), request.flag)
            : request.kind === 'prog-array.set' ? this.sessions.setTailSlot(request.session, request.map, request.index, request.program)
              : this.sessions.deleteMapEntry(request.session, request.map, parseHexBytes(request.key));
        if (!r) return noSession(request.session);
        if (!r.ok) return { kind: 'error', code: request.kind === 'register.set' ? 'session.edit-register' : 'session.edit-map', message: r.message };
        const state = this.sessions.snapshot(request.session)!;
        return { kind: 'state', state, message: r.message, ...this.lineOf(request.session, state.pc, state.program) };
      }
      case 'verify': {
        const doc = this.workspace.document(request.document);
        if (!doc) return { kind: 'error', code: 'session.no-document', message: `no open document ${request.document}` };
        const r = verifyProgram(doc, request.program, request.logLevel, request.progType, this.verifyProgress(task));
        if (task.cancelled) return { kind: 'error', code: 'engine.cancelled', message: 'cancelled' };
        if (!r.verification) {
          const first = r.diagnostics[0];
          return { kind: 'error', code: first?.code ?? 'verifier.failed', message: first?.message ?? 'the program could not be verified', diagnostics: r.diagnostics.map(wireDiagnostic) };
        }
        this.verifications.set(`${request.document}:${request.program}`, r.verification);
        return { kind: 'verified', report: r.verification.report };
      }
      case 'verifier.state': {
        const v = this.verifications.get(`${request.document}:${request.program}`);
        if (!v) return { kind: 'error', code: 'verifier.not-run', message: 'verify the program first' };
        return { kind: 'verifier-state', pc: request.pc, states: (v.states.get(request.pc) ?? []).map(describeState) };
      }
      case 'run':
      case 'step': {
        const r = request.kind === 'run' ? this.sessions.run(request.session) : this.sessions.step(request.session, request.mode);
        if (!r) return noSession(request.session);
        this.flushOutput(request.session);
        return { kind: 'stopped', reason: r.reason, message: r.message, state: r.state, ...this.lineOf(request.session, r.state.pc, r.state.program) };
      }
      case 'breakpoint.toggle': {
        const bps = this.sessions.toggleBreakpoint(request.session, request.pc, request.program);
        return bps ? { kind: 'breakpoints', breakpoints: bps } : noSession(request.session);
      }
      case 'state': {
        const state = this.sessions.snapshot(request.session);
        return state ? { kind: 'state', state, ...this.lineOf(request.session, state.pc, state.program) } : noSession(request.session);
      }
      case 'evaluate': {
        const r = this.sessions.evaluate(request.session, request.expressions);
        return r ? { kind: 'values', pc: r.pc, values: r.values } : noSession(request.session);
      }
      case 'console': {
        if (request.session === undefined) return { kind: 'console', lines: ['No program is loaded: open a file, then debug it (F5 or F11).'] };
        const r = this.sessions.console(request.session, request.line);
        if (!r) return noSession(request.session);
        this.flushOutput(request.session);
        return { kind: 'console', lines: r.text.replace(/\n$/, '').split('\n'), state: r.state, breakpoints: this.sessions.breakpoints(request.session) ?? [], ...this.lineOf(request.session, r.state.pc, r.state.program) };
      }
    }
  }
}
