// The web host (browser mode): serves the built renderer on 127.0.0.1 and bridges the engine worker over a WebSocket.
//
// Security model: only the loopback interface is bound; every HTTP request must name this host in
// its Host header (defeats DNS rebinding); the WebSocket accepts only the served origin; every frame
// is validated against the protocol before the engine sees it; files are served only from inside
// the renderer directory, with a strict Content-Security-Policy.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  checkHostRequestMessage, checkRequestMessage, LIMITS,
  type Checked, type EngineMessage, type HostResponseMessage, type RequestMessage,
} from '../../engine/protocol';
import { WorkerClient, type WorkerClientOptions } from '../../engine/host/worker-client';
import { answerHostRequest, type WebHostRequestState } from './host-requests';
import { WorkspaceDir } from './workspace-store';

export const WEB_HOST = '127.0.0.1';
export const ENGINE_PATH = '/engine';

export interface WebHostOptions {
  /** Directory holding the built renderer (index.html and assets). */
  readonly root: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly engine: WorkerClientOptions;
  /** Directory for workspace files (created if missing); without it, workspace requests answer 'workspace.unavailable'. */
  readonly workspaces?: string;
}

export interface WebHost {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The policy the page runs under: nothing but this origin; inline styles only because xterm injects a <style> element. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ws://${WEB_HOST}:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}

function plain(res: ServerResponse, port: number, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/**
 * Maps a URL path to a file inside root, or undefined when it would leave root. Decoding happens
 * once, NULs and backslashes are refused, and the real path (symlinks resolved) must stay inside.
 */
export async function resolveInside(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const realRoot = await realpath(root);
  const candidate = path.resolve(realRoot, rel);
  if (candidate !== realRoot && !candidate.startsWith(realRoot + path.sep)) return undefined;
  try {
    const real = await realpath(candidate);
    if (!real.startsWith(realRoot + path.sep)) return undefined;
    const s = await stat(real);
    return s.isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  let port = 0;
  const workspaces = options.workspaces === undefined ? undefined : await WorkspaceDir.open(options.workspaces);
  const expectedHost = (): string => `${WEB_HOST}:${port}`;
  const origin = (): string => `http://${WEB_HOST}:${port}`;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.headers.host !== expectedHost()) return plain(res, port, 421, 'wrong Host header');
      if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, port, 405, 'method not allowed');
      const url = new URL(req.url ?? '/', origin());
      const file = await resolveInside(options.root, url.pathname);
      if (!file) return plain(res, port, 404, 'not found');
      const body = await readFile(file);
      res.writeHead(200, { ...securityHeaders(port), 'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (!res.headersSent) plain(res, port, 500, 'internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.maxBase64 + 1024 * 1024,
  });

  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', origin()).pathname;
    // Browsers always send Origin on WebSocket handshakes; a missing or foreign one is another site or a non-browser.
    if (pathname !== ENGINE_PATH || req.headers.host !== expectedHost() || req.headers.origin !== origin()) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, options.engine, workspaces));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, WEB_HOST, () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `${origin()}/`,
    port,
    server,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * One engine worker per connection: tabs do not share documents, and a stuck engine affects one tab.
 * Frames of type 'host-request' (workspace files) are answered here and never reach the engine.
 */
function bridge(ws: WebSocket, engine: WorkerClientOptions, workspaces: WorkspaceDir | undefined): void {
  const client = new WorkerClient(engine);
  const hostState: WebHostRequestState = {};
  const send = (m: EngineMessage | HostResponseMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  client.onMessage(send);
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      send({ type: 'event', event: { kind: 'host-error', code: 'protocol.binary-frame', message: 'the engine socket accepts only JSON text frames' } });
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const value = safeParse(text);
    if (isObject(value) && value.type === 'host-request') {
      const host = checkHostRequestMessage(value);
      if (!host.ok) {
        const id = idOf(value);
        if (id !== undefined) send({ type: 'host-response', id, response: { kind: 'error', code: 'protocol.malformed', message: host.error } });
        else send({ type: 'event', event: { kind: 'host-error', code: 'protocol.malformed', message: host.error } });
        return;
      }
      const { id, request } = host.value;
      void answerHostRequest(workspaces, request, hostState)
        .catch((e: unknown) => ({ kind: 'error' as const, code: 'host.internal', message: `the web host failed: ${e instanceof Error ? e.message : String(e)}` }))
        .then((response) => send({ type: 'host-response', id, response }));
      return;
    }
    const checked: Checked<RequestMessage> = value === undefined ? { ok: false, error: 'message is not valid JSON' } : checkRequestMessage(value);
    if (!checked.ok) {
      const id = idOf(value);
      if (id !== undefined) send({ type: 'response', id, response: { kind: 'error', code: 'protocol.malformed', message: checked.error } });
      else send({ type: 'event', event: { kind: 'host-error', code: 'protocol.malformed', message: checked.error } });
      return;
    }
    client.post(checked.value);
  });
  ws.on('close', () => void client.close());
  ws.on('error', () => void client.close());
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The frame's JSON, parsed once (frames can carry 90 MB of base64), or undefined if it is not JSON. */
function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The id of a malformed request, if it has a usable one, so its sender gets an answer instead of waiting. */
function idOf(v: unknown): number | undefined {
  const id = isObject(v) ? v.id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}
