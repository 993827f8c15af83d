// The worker client: a long engine command stops on cancel (shared flag), and a worker that does not answer in time is restarted.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { encodeBase64, type EngineMessage, type Request, type Response } from '../protocol';
import { WorkerClient } from './worker-client';

const WORKER = path.join(__dirname, 'worker.ts');
/** An endless loop: every run of it ends by the debugger's budget, by cancel, or not at all. */
const LOOP = 'r0 = 0\nloop:\nr0 += 1\ngoto loop\n';

let client: WorkerClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

function start(cancelGraceMs?: number) {
  const c = new WorkerClient({ script: WORKER, execArgv: ['--require', 'tsx/cjs'], ...(cancelGraceMs !== undefined ? { cancelGraceMs } : {}) });
  client = c;
  const seen: EngineMessage[] = [];
  const waiters: Array<() => void> = [];
  c.onMessage((m) => {
    seen.push(m);
    for (const w of waiters.splice(0)) w();
  });
  let id = 0;
  const answer = async (want: number): Promise<Response> => {
    for (;;) {
      const m = seen.find((x) => x.type === 'response' && x.id === want);
      if (m && m.type === 'response') return m.response;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const post = (request: Request): number => {
    c.post({ type: 'request', id: ++id, request });
    return id;
  };
  return { post, answer, seen };
}

async function loopSession(e: ReturnType<typeof start>): Promise<number> {
  const o = await e.answer(e.post({ kind: 'open', name: 'loop.s', base64: encodeBase64(new TextEncoder().encode(LOOP)), format: 'asm' }));
  if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
  const s = await e.answer(e.post({ kind: 'session.create', document: o.document.id, program: 0 }));
  if (s.kind !== 'session') throw new Error(JSON.stringify(s));
  return s.session;
}

describe('WorkerClient', () => {
  it('cancels a running command through the shared flag', async () => {
    const e = start(30_000);
    const session = await loopSession(e);
    const run = e.post({ kind: 'run', session });
    // Let the run get going inside the worker, then cancel it from this thread.
    await new Promise((r) => setTimeout(r, 200));
    const cancel = e.post({ kind: 'cancel', target: run });
    expect(await e.answer(run)).toMatchObject({ kind: 'stopped', reason: 'cancelled' });
    expect(await e.answer(cancel)).toEqual({ kind: 'cancelled', target: run, found: false });
    // The engine is still usable, and the flag was reset for the next command.
    expect(await e.answer(e.post({ kind: 'step', session, mode: 'into' }))).toMatchObject({ kind: 'stopped', reason: 'step' });
  });

  it('restarts an engine that does not answer within the grace period, answering what was pending', async () => {
    const e = start(1);
    const session = await loopSession(e);
    const run = e.post({ kind: 'run', session });
    await new Promise((r) => setTimeout(r, 100));
    e.post({ kind: 'cancel', target: run });
    const r = await e.answer(run);
    expect(r).toMatchObject({ kind: 'error', code: 'engine.restarted' });
    expect(e.seen.some((m) => m.type === 'event' && m.event.kind === 'engine-restarted')).toBe(true);
    // The new worker answers; the old documents are gone.
    expect(await e.answer(e.post({ kind: 'hello' }))).toMatchObject({ kind: 'hello' });
    expect(await e.answer(e.post({ kind: 'state', session }))).toMatchObject({ kind: 'error', code: 'session.no-session' });
  });
});
