// The host side of the engine worker: spawns it, validates what it says, and restarts it when it hangs or dies.
//
// Electron main and the web host both talk to the engine through this class. Requests are
// forwarded unchanged (their ids are the client's); a 'cancel' the worker does not answer within
// `cancelGraceMs` means a computation is not yielding, so the worker is terminated and restarted
// and every pending request is answered with an error: the UI never waits on a stuck engine.
import { Worker } from 'node:worker_threads';
import { checkEngineMessage, type EngineMessage, type RequestMessage } from '../protocol';
import { CANCEL_FLAG_LENGTH, requestCancel } from './cancel-flag';

export interface WorkerClientOptions {
  /** Path of the worker script (the built out/main/worker.js, or engine/host/worker.ts with a loader). */
  readonly script: string;
  /** e.g. ['--require', 'tsx/cjs'] to run the .ts entry under tests. */
  readonly execArgv?: readonly string[];
  readonly cancelGraceMs?: number;
}

type Listener = (m: EngineMessage) => void;

const newCancelFlag = (): Int32Array => new Int32Array(new SharedArrayBuffer(4 * CANCEL_FLAG_LENGTH));

export class WorkerClient {
  private worker: Worker | undefined;
  private readonly listeners = new Set<Listener>();
  /** Request ids the worker has not answered yet. */
  private readonly pending = new Set<number>();
  private closed = false;
  /** Set to ask a running engine command to stop (the engine polls it while it runs; layout in cancel-flag.ts). */
  private cancel = newCancelFlag();

  constructor(private readonly options: WorkerClientOptions) {
    this.spawn();
  }

  /** Receives every validated response and event. */
  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forwards a request the caller has already validated. */
  post(message: RequestMessage): void {
    if (this.closed) return;
    this.pending.add(message.id);
    if (message.request.kind === 'cancel' && this.pending.has(message.request.target)) requestCancel(this.cancel, message.request.target);
    this.worker?.postMessage(message);
    if (message.request.kind === 'cancel') {
      const target = message.request.target;
      const timer = setTimeout(() => {
        if (this.pending.has(target)) this.restart(`request ${target} did not stop within ${this.grace()} ms of being cancelled`);
      }, this.grace());
      timer.unref?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private grace(): number {
    return this.options.cancelGraceMs ?? 2000;
  }

  private emit(m: EngineMessage): void {
    for (const l of this.listeners) l(m);
  }

  private spawn(): void {
    this.cancel = newCancelFlag();
    const w = new Worker(this.options.script, { execArgv: [...(this.options.execArgv ?? [])], workerData: { cancel: this.cancel.buffer } });
    this.worker = w;
    w.on('message', (data: unknown) => {
      const checked = checkEngineMessage(data);
      if (!checked.ok) {
        this.emit({ type: 'event', event: { kind: 'host-error', code: 'protocol.malformed-from-engine', message: `the engine sent a malformed message: ${checked.error}` } });
        return;
      }
      if (checked.value.type === 'response') this.pending.delete(checked.value.id);
      this.emit(checked.value);
    });
    w.on('error', (e) => {
      if (this.worker === w) this.restart(`the engine crashed: ${e.message}`);
    });
    w.on('exit', (code) => {
      if (this.worker === w && !this.closed) this.restart(`the engine exited with code ${code}`);
    });
  }

  private restart(reason: string): void {
    if (this.closed) return;
    const old = this.worker;
    this.worker = undefined;
    if (old) void old.terminate();
    const ids = [...this.pending];
    this.pending.clear();
    for (const id of ids) this.emit({ type: 'response', id, response: { kind: 'error', code: 'engine.restarted', message: `${reason}; the engine was restarted` } });
    this.emit({ type: 'event', event: { kind: 'engine-restarted', reason } });
    this.spawn();
  }
}
