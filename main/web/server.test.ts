// The web host's security and bridging: loopback only, Origin and Host checked, every frame validated, no traversal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from './server';
import { checkEngineMessage, encodeBase64, type EngineMessage, type Response } from '../../engine/protocol';

const WORKER = path.join(__dirname, '..', '..', 'engine', 'host', 'worker.ts');
const EXAMPLE = path.join(__dirname, '..', '..', 'resources', 'examples', 'xdp_parse.o');

let host: WebHost;
let dir: string;
let root: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bpfdbg-web-'));
  root = path.join(dir, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(root, 'assets', 'a.js'), 'export {};');
  writeFileSync(path.join(dir, 'secret.txt'), 'secret');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'link.txt'));
  host = await startWebHost({ root, port: 0, engine: { script: WORKER, execArgv: ['--require', 'tsx/cjs'] } });
});

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path: pathname, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Connects with the given Origin; resolves with the socket, or the HTTP status of a refused handshake. */
function connect(origin: string | undefined): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/engine`, origin === undefined ? {} : { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

/** Collects engine messages from a socket, validating each. */
function inbox(ws: WebSocket): { next(pred: (m: EngineMessage) => boolean): Promise<EngineMessage> } {
  const seen: EngineMessage[] = [];
  const waiters: { pred: (m: EngineMessage) => boolean; resolve: (m: EngineMessage) => void }[] = [];
  ws.on('message', (data) => {
    const checked = checkEngineMessage(JSON.parse(String(data)));
    if (!checked.ok) throw new Error(checked.error);
    seen.push(checked.value);
    for (const w of [...waiters]) if (w.pred(checked.value)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(checked.value);
    }
  });
  return {
    next: (pred) => {
      const found = seen.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

const response = (id: number) => (m: EngineMessage) => m.type === 'response' && m.id === id;
const answer = (m: EngineMessage): Response => {
  if (m.type !== 'response') throw new Error('not a response');
  return m.response;
};

describe('web host', () => {
  it('listens on 127.0.0.1 only', () => {
    const addr = host.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
  });

  it('serves the renderer with a strict CSP', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>t</title>');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src ws://127.0.0.1:${host.port}`);
    expect(csp).not.toContain('unsafe-eval');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/a.js')).headers['content-type']).toContain('text/javascript');
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/link.txt', '/assets', '/%00', '/%E0%A4%A'])('refuses %s', async (p) => {
    const r = await get(p);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('secret');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(421);
    expect((await get('/', { host: `localhost:${host.port}` })).status).toBe(421);
  });

  it('refuses WebSocket handshakes from another origin or without one', async () => {
    expect(await connect('http://evil.example')).toBe(403);
    expect(await connect(`http://localhost:${host.port}`)).toBe(403);
    expect(await connect(`http://127.0.0.1:${host.port + 1}`)).toBe(403);
    expect(await connect(undefined)).toBe(403);
  });

  it('bridges the engine: hello, open an object, list it; malformed frames get errors, not crashes', async () => {
    const ws = await connect(`http://127.0.0.1:${host.port}`);
    if (typeof ws === 'number') throw new Error(`handshake refused: ${ws}`);
    const box = inbox(ws);
    ws.send(JSON.stringify({ type: 'request', id: 1, request: { kind: 'hello' } }));
    const hello = answer(await box.next(response(1)));
    expect(hello).toMatchObject({ kind: 'hello', version: 1 });
    if (hello.kind === 'hello') expect(hello.features).toContain('listing');

    ws.send(JSON.stringify({ type: 'request', id: 2, request: { kind: 'close', document: 'x' } }));
    expect(answer(await box.next(response(2)))).toEqual({ kind: 'error', code: 'protocol.malformed', message: 'message.request.document must be an integer' });

    ws.send('not json');
    const ev = await box.next((m) => m.type === 'event');
    expect(ev).toMatchObject({ type: 'event', event: { kind: 'host-error', code: 'protocol.malformed', message: 'message is not valid JSON' } });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await box.next((m) => m.type === 'event' && m.event.kind === 'host-error' && m.event.code === 'protocol.binary-frame');

    const bytes = readFileSync(EXAMPLE);
    ws.send(JSON.stringify({ type: 'request', id: 3, request: { kind: 'open', name: 'xdp_parse.o', base64: encodeBase64(bytes), format: 'auto' } }));
    const opened = answer(await box.next(response(3)));
    if (opened.kind !== 'opened' || !opened.document) throw new Error(`not opened: ${JSON.stringify(opened)}`);
    expect(opened.document.programs.map((p) => p.name)).toEqual(['xdp_drop_discard', 'tc_drop_discard']);

    ws.send(JSON.stringify({ type: 'request', id: 4, request: { kind: 'listing', document: opened.document.id, program: 0, start: 0, count: 3 } }));
    const listing = answer(await box.next(response(4)));
    expect(listing).toMatchObject({ kind: 'listing', lines: [{ kind: 'label', label: 'xdp_drop_discard' }, { kind: 'source' }, { kind: 'insn', pc: 0, bytes: '61 17 04 00 00 00 00 00', text: 'r7 = *(u32 *)(r1 + 0x4)' }] });

    ws.send(JSON.stringify({ type: 'request', id: 5, request: { kind: 'run', session: 1 } }));
    expect(answer(await box.next(response(5)))).toMatchObject({ kind: 'error', code: 'session.no-session' });

    ws.send(JSON.stringify({ type: 'request', id: 6, request: { kind: 'session.create', document: opened.document.id, program: 0 } }));
    const session = answer(await box.next(response(6)));
    if (session.kind !== 'session') throw new Error(JSON.stringify(session));
    ws.send(JSON.stringify({ type: 'request', id: 7, request: { kind: 'step', session: session.session, mode: 'into' } }));
    expect(answer(await box.next(response(7)))).toMatchObject({ kind: 'stopped', reason: 'step', state: { pc: 1, status: 'ready' } });
    ws.close();
  });
});
