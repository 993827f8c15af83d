// The worker client: a long engine command or verification stops on cancel (shared flag), and a worker that does not answer in time is restarted.
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

async function openAsm(e: ReturnType<typeof start>, name: string, text: string): Promise<number> {
  const o = await e.answer(e.post({ kind: 'open', name, base64: encodeBase64(new TextEncoder().encode(text)), format: 'asm' }));
  if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
  return o.document.id;
}

async function loopSession(e: ReturnType<typeof start>, document?: number): Promise<number> {
  const doc = document ?? await openAsm(e, 'loop.s', LOOP);
  const s = await e.answer(e.post({ kind: 'session.create', document: doc, program: 0 }));
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

  it('stops a verification of the endless loop on cancel, without restarting the engine', async () => {
    // The grace period is long: only the verifier's own cancel check can end this verification early (left
    // alone it walks to the 1M-insn limit and answers 'verified' with a reject).
    const e = start(30_000);
    const doc = await openAsm(e, 'loop.s', LOOP);
    const session = await loopSession(e, doc);
    const verify = e.post({ kind: 'verify', document: doc, program: 0, logLevel: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const cancel = e.post({ kind: 'cancel', target: verify });
    expect(await e.answer(verify)).toEqual({ kind: 'error', code: 'engine.cancelled', message: 'cancelled' });
    expect(await e.answer(cancel)).toEqual({ kind: 'cancelled', target: verify, found: false });
    expect(e.seen.some((m) => m.type === 'event' && m.event.kind === 'engine-restarted')).toBe(false);
    // The same worker still has the document and the session.
    expect(await e.answer(e.post({ kind: 'step', session, mode: 'into' }))).toMatchObject({ kind: 'stopped', reason: 'step' });
    const listing = await e.answer(e.post({ kind: 'listing', document: doc, program: 0, start: 0, count: 10 }));
    expect(listing).toMatchObject({ kind: 'listing', document: doc });
    expect(JSON.stringify(listing)).toContain('goto');
    // The consumed cancel stops nothing else: a later verification runs to its verdict.
    const small = await openAsm(e, 'ret.s', 'r0 = 0\nexit\n');
    expect(await e.answer(e.post({ kind: 'verify', document: small, program: 0, logLevel: 1 }))).toMatchObject({ kind: 'verified', report: { verdict: 'accept' } });
  });

  it('honours a cancel posted before the verification has started', async () => {
    const e = start(30_000);
    const doc = await openAsm(e, 'loop.s', LOOP);
    const verify = e.post({ kind: 'verify', document: doc, program: 0, logLevel: 2 });
    e.post({ kind: 'cancel', target: verify });
    expect(await e.answer(verify)).toMatchObject({ kind: 'error', code: 'engine.cancelled' });
    expect(e.seen.some((m) => m.type === 'event' && m.event.kind === 'engine-restarted')).toBe(false);
    expect(await e.answer(e.post({ kind: 'hello' }))).toMatchObject({ kind: 'hello' });
  });

  it('restarts an engine that does not answer within the grace period, answering what was pending', async () => {
    const e = start(1);
    const session = await loopSession(e);
    // Opening (assembling) a 30000-line file does not poll the cancel flag and takes far longer than the 1 ms
    // grace; a run would stop by the flag, racing the restart.
    const big = `r0 = 0\n${'r0 += 1\n'.repeat(30_000)}exit\n`;
    const open = e.post({ kind: 'open', name: 'big.s', base64: encodeBase64(new TextEncoder().encode(big)), format: 'asm' });
    e.post({ kind: 'cancel', target: open });
    const r = await e.answer(open);
    expect(r).toMatchObject({ kind: 'error', code: 'engine.restarted' });
    expect(e.seen.some((m) => m.type === 'event' && m.event.kind === 'engine-restarted')).toBe(true);
    // The new worker answers; the old documents are gone.
    expect(await e.answer(e.post({ kind: 'hello' }))).toMatchObject({ kind: 'hello' });
    expect(await e.answer(e.post({ kind: 'state', session }))).toMatchObject({ kind: 'error', code: 'session.no-session' });
  });
});
