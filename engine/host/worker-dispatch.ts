// The engine side of the protocol: answers validated requests from engine/session, one response per request id.
//
// Transport-free so the worker entry, tests and any future host share it. Requests run as async
// tasks; a long task polls its cancel token between slices (yielding to the event loop so a
// 'cancel' message can arrive), and answers 'cancelled' instead of a result.
import {
  decodeBase64, PROTOCOL_VERSION,
  type EngineMessage, type Feature, type Request, type RequestMessage, type Response, type WireDiagnostic,
} from '../protocol';
import { Workspace, type WorkspaceDocument } from '../session/workspace';

type Send = (message: EngineMessage) => void;

interface Task {
  cancelled: boolean;
}

/** Features the engine offers today; run/step/state wait for engine/interp and the debug session. */
export function engineFeatures(): Feature[] {
  const open: Feature[] = Workspace.formats.map((f): Feature => (f === 'object' ? 'open-object' : f === 'raw' ? 'open-raw' : f === 'asm' ? 'open-asm' : 'open-image2013'));
  return [...open, 'listing'];
}

const UNAVAILABLE: Partial<Record<Request['kind'], string>> = {
  'session.create': 'Debug sessions are not available yet: the engine has no interpreter wired in',
  run: 'Running programs is not available yet: the engine has no interpreter wired in',
  step: 'Stepping is not available yet: the engine has no interpreter wired in',
  'breakpoint.toggle': 'Breakpoints are not available yet: the engine has no interpreter wired in',
  state: 'Program state is not available yet: the engine has no interpreter wired in',
  console: 'The debugger console is not available yet: the engine has no interpreter wired in',
};

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

export class EngineService {
  private readonly workspace = new Workspace();
  private readonly tasks = new Map<number, Task>();

  constructor(private readonly send: Send) {}

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
      default:
        return { kind: 'error', code: 'engine.unavailable', message: UNAVAILABLE[request.kind] ?? `${request.kind} is not available yet` };
    }
  }
}
