// The engine side of the protocol: answers validated requests from engine/session, one response per request id.
//
// Transport-free so the worker entry, tests and any future host share it. Requests run as async
// tasks; a long task polls its cancel token between slices (yielding to the event loop so a
// 'cancel' message can arrive), and answers 'cancelled' instead of a result.
import {
  decodeBase64, PROTOCOL_VERSION,
  type EngineMessage, type Feature, type Request, type RequestMessage, type Response, type WireDiagnostic,
} from '../protocol';
import { DebugSessions } from '../session/debug-sessions';
import { Workspace, type WorkspaceDocument } from '../session/workspace';

type Send = (message: EngineMessage) => void;

interface Task {
  cancelled: boolean;
}

/**
 * Features the engine offers today. Maps (contents in the UI), inputs, the verifier view, workspaces
 * and export are not wired to the protocol yet, so they are not listed.
 */
export function engineFeatures(): Feature[] {
  const open: Feature[] = Workspace.formats.map((f): Feature => (f === 'object' ? 'open-object' : f === 'raw' ? 'open-raw' : f === 'asm' ? 'open-asm' : 'open-image2013'));
  return [...open, 'listing', 'run', 'step', 'step-back', 'breakpoints', 'registers', 'stack', 'console'];
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

  /**
   * @param cancelSignal shared with the host thread, which sets it on 'cancel': a running debugger
   * command is synchronous, so the flag (polled by the interpreter) is how a cancel reaches it.
   */
  constructor(private readonly send: Send, cancelSignal?: Int32Array) {
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
    const task: Task = { cancelled: false };
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

  private reply(id: number, response: Response): void {
    this.send({ type: 'response', id, response });
  }

  private async answer(request: Exclude<Request, { kind: 'cancel' }>, _task: Task): Promise<Response> {
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
        const r = this.sessions.create(doc, request.program);
        const diagnostics = r.diagnostics.map(wireDiagnostic);
        if (r.id === undefined || !r.state) {
          const first = r.diagnostics.find((d) => d.severity === 'error');
          return { kind: 'error', code: first?.code ?? 'session.launch', message: first?.message ?? 'the program could not be started', diagnostics };
        }
        return { kind: 'session', session: r.id, state: r.state, diagnostics };
      }
      case 'run':
      case 'step': {
        const r = request.kind === 'run' ? this.sessions.run(request.session) : this.sessions.step(request.session, request.mode);
        if (!r) return noSession(request.session);
        this.flushOutput(request.session);
        return { kind: 'stopped', reason: r.reason, message: r.message, state: r.state };
      }
      case 'breakpoint.toggle': {
        const bps = this.sessions.toggleBreakpoint(request.session, request.pc);
        return bps ? { kind: 'breakpoints', breakpoints: bps } : noSession(request.session);
      }
      case 'state': {
        const state = this.sessions.snapshot(request.session);
        return state ? { kind: 'state', state } : noSession(request.session);
      }
      case 'console': {
        if (request.session === undefined) return { kind: 'console', lines: ['No program is loaded: open a file, then debug it (F5 or F11).'] };
        const r = this.sessions.console(request.session, request.line);
        if (!r) return noSession(request.session);
        this.flushOutput(request.session);
        return { kind: 'console', lines: r.text.replace(/\n$/, '').split('\n'), state: r.state, breakpoints: this.sessions.breakpoints(request.session) ?? [] };
      }
    }
  }
}
