// Step round-trip latency in browser mode: from the F11 key (or the Into button) to the updated panes, in Debian's Chromium.
//
//   npx electron-vite build && npx tsx scripts/latency-web.ts [--steps N] [--warmup N] [--gap MS] [--insns N] [--input key|click]
//     [--viewport WxH] [--chromium PATH] [--trace FILE.json] [--web out/main/web.js] [--against OTHER/main/web.js]
//
// Starts the built web host (out/main/web.js) on a free port, opens a straight-line program of
// --insns instructions (so every step moves the current line), starts it, then steps --steps times.
// Each step is timed inside the page: t0 when the keydown (or click) is dispatched to the app, t1 in
// the first task after the animation frame in which the status line shows the new pc and the
// listing marks that instruction as current (that frame is the one painted with the new panes).
// The page also timestamps its WebSocket frames, which splits each step into
//   before-send (key handler -> first request sent), engine round trip (first send -> last answer
//   the step needed), and render (last answer -> painted frame), the last one split again into
//   answer -> DOM updated (parse, validate, stores, Vue), DOM updated -> the frame starts (the wait for
//   the browser's next frame: Chromium starts one at once after idle, or at the next 60 Hz tick when it
//   drew one recently) and frame start -> painted (style, layout, paint, commit);
// "our work" is the total without that wait. The engine's own time for the same requests is measured
// in-process (EngineService, no transport).
// Before each step the script idles a random 0..--gap ms (default 100): a user's key presses fall at
// random points of the frame clock, and a step that comes soon after the last frame waits for the next
// tick. (Stepping back to back would lock every press to one phase of it; a page that animates would
// make every step wait for a tick, which this app does not do.)
// Target: p95 < 16 ms (one 60 Hz frame). `--trace FILE` writes a Chromium trace of the measured steps.
// `--against` measures a second build (e.g. a copy of an older out/) in turns with the first, each in its
// own browser context, so a comparison is not skewed by the machine's load changing between runs.
import { chromium, type Browser, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { encodeBase64, type EngineMessage, type Response } from '../engine/protocol';
import { EngineService } from '../engine/host/worker-dispatch';

const ROOT = path.join(__dirname, '..');

interface Args {
  width: number;
  height: number;
  steps: number;
  insns: number;
  input: 'key' | 'click';
  chromium: string;
  warmup: number;
  /** Chromium trace of the measured steps (chrome://tracing / Perfetto JSON), for finding where the time goes. */
  trace?: string;
  /** The built web host to start (default out/main/web.js; it serves the renderer beside it). */
  web: string;
  /** Idle time before each step, uniform in [0, gap] ms, so key presses fall at random points of the frame clock as a user's do. */
  gap: number;
  /** Another built web host to measure in turns with --web (an A/B comparison under the same load). */
  against?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { width: 1400, height: 900, steps: 1000, insns: 20_000, input: 'key', chromium: process.env.BPFDBG_CHROMIUM ?? '/usr/bin/chromium', warmup: 50, gap: 100, web: path.join(ROOT, 'out', 'main', 'web.js') };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--steps') a.steps = Number(v);
    else if (k === '--insns') a.insns = Number(v);
    else if (k === '--warmup') a.warmup = Number(v);
    else if (k === '--input' && (v === 'key' || v === 'click')) a.input = v;
    else if (k === '--chromium') a.chromium = v;
    else if (k === '--trace') a.trace = v;
    else if (k === '--web') a.web = path.resolve(v);
    else if (k === '--gap') a.gap = Number(v);
    else if (k === '--against') a.against = path.resolve(v);
    else if (k === '--viewport' && /^\d+x\d+$/.test(v)) [a.width, a.height] = v.split('x').map(Number);
    else throw new Error(`usage: latency-web.ts [--steps N] [--insns N] [--warmup N] [--input key|click] [--viewport WxH] [--chromium PATH] [--trace FILE.json] [--web out/main/web.js] [--gap MS] [--against OTHER/main/web.js] (bad '${k}')`);
  }
  if (a.insns < a.steps + a.warmup + 2) a.insns = a.steps + a.warmup + 2;
  return a;
}

function program(insns: number): string {
  const lines: string[] = [];
  for (let i = 0; i < insns - 1; i++) lines.push('r0 += 1');
  lines.push('exit', '');
  return lines.join('\n');
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function summary(name: string, xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(2).padStart(7);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return `${name.padEnd(34)} n=${String(s.length).padStart(5)}  p50 ${f(quantile(s, 0.5))}  p95 ${f(quantile(s, 0.95))}  p99 ${f(quantile(s, 0.99))}  max ${f(s[s.length - 1] ?? NaN)}  mean ${f(mean)}  ms`;
}

async function startHost(web: string): Promise<{ url: string; stop(): void }> {
  if (!existsSync(web)) throw new Error(`${web} is missing: run npx electron-vite build first`);
  const child = spawn(process.execPath, [web, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /browser mode: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}`)));
  });
  return { url, stop: () => void child.kill('SIGTERM') };
}

/** Installed before the app loads: timestamps every WebSocket frame the page sends and receives. */
function instrumentSockets(): void {
  const g = globalThis as unknown as { __ws: { sent: number[]; recv: number[] }; WebSocket: { prototype: { send(d: unknown): void; addEventListener: (...a: unknown[]) => void } } };
  g.__ws = { sent: [], recv: [] };
  const proto = g.WebSocket.prototype;
  const send = proto.send;
  proto.send = function (this: unknown, d: unknown) {
    g.__ws.sent.push(performance.now());
    return send.call(this, d);
  };
  const add = proto.addEventListener;
  proto.addEventListener = function (this: unknown, ...a: unknown[]) {
    if (a[0] === 'message' && typeof a[1] === 'function') {
      const f = a[1] as (e: unknown) => void;
      a[1] = (e: unknown) => {
        g.__ws.recv.push(performance.now());
        f(e);
      };
    }
    return add.apply(this, a);
  };
}

interface PageStep {
  total: number;
  beforeSend: number;
  roundTrip: number;
  render: number;
  /** Last answer -> the DOM shows the new state (parse, validate, stores, Vue render and patch). */
  update: number;
  /** DOM updated -> the animation frame that paints it starts (the wait for the next vsync). */
  vsync: number;
  /** That frame's start -> the first task after it (style, layout, paint, commit). */
  frame: number;
  /** WebSocket frames the step sent and received. */
  sent: number;
  received: number;
  /** The listing scrolled to bring the new instruction into view. */
  scrolled: boolean;
}

/** Runs in the page: one step, timed from dispatch to the painted frame showing pc `expect`. */
async function stepInPage(arg: { expect: number; input: 'key' | 'click' }): Promise<PageStep> {
  const g = globalThis as unknown as {
    __ws: { sent: number[]; recv: number[] };
    document: {
      querySelector(s: string): { textContent: string | null; scrollTop: number; click(): void } | null;
      dispatchEvent(e: unknown): boolean;
    };
    KeyboardEvent: new (t: string, i: object) => unknown;
    MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void; disconnect(): void };
    requestAnimationFrame(cb: () => void): void;
  };
  const doc = g.document;
  const status = doc.querySelector('[data-testid="status"]');
  const listing = doc.querySelector('[data-testid="listing"]');
  const done = (): boolean => {
    if (status?.textContent !== `ready at insn ${arg.expect}`) return false;
    const cur = doc.querySelector('[data-testid="listing"] .line.current .pc');
    return cur?.textContent?.trim() === String(arg.expect);
  };
  const viewport = doc.querySelector('[data-testid="listing"] .viewport');
  const scrollBefore = viewport?.scrollTop;
  const sentBefore = g.__ws.sent.length;
  const recvBefore = g.__ws.recv.length;
  let tDom = 0;
  let tFrame = 0;
  const t0 = performance.now();
  const finished = new Promise<number>((resolve) => {
    // Mutation observer callbacks run as a microtask after the task that changed the DOM (the answer's
    // message handler with Vue's flush in it), so tDom is when the new state is in the DOM.
    const check = (): void => {
      if (!done()) return;
      tDom = performance.now();
      obs.disconnect();
      // The frame with the new DOM, then the first task after it: the paint has been issued.
      g.requestAnimationFrame(() => {
        tFrame = performance.now();
        setTimeout(() => resolve(performance.now()), 0);
      });
    };
    const obs = new g.MutationObserver(check);
    for (const n of [status, listing]) if (n) obs.observe(n, { childList: true, subtree: true, characterData: true, attributes: true });
  });
  if (arg.input === 'key') doc.dispatchEvent(new g.KeyboardEvent('keydown', { key: 'F11', bubbles: true, cancelable: true }));
  else doc.querySelector('button[title^="Step into"]')?.click();
  const t1 = await finished;
  const sent = g.__ws.sent.slice(sentBefore).filter((t) => t <= t1);
  const recv = g.__ws.recv.slice(recvBefore).filter((t) => t <= t1);
  const firstSend = sent[0] ?? t0;
  const lastRecv = recv[recv.length - 1] ?? firstSend;
  return {
    total: t1 - t0, beforeSend: firstSend - t0, roundTrip: lastRecv - firstSend, render: t1 - lastRecv,
    update: tDom - lastRecv, vsync: tFrame - tDom, frame: t1 - tFrame,
    sent: sent.length, received: recv.length, scrolled: viewport?.scrollTop !== scrollBefore,
  };
}

/** Runs in the page: `n` hello requests on a socket of its own while the app is idle (transport + host + worker, no rendering). */
async function pingInPage(n: number): Promise<number[]> {
  interface Socket { addEventListener(t: string, f: () => void, o?: object): void; send(d: string): void; close(): void }
  const g = globalThis as unknown as { location: { host: string }; WebSocket: new (url: string) => Socket };
  const ws = new g.WebSocket(`ws://${g.location.host}/engine`);
  await new Promise<void>((resolve) => ws.addEventListener('open', () => resolve(), { once: true }));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.addEventListener('message', () => resolve(), { once: true });
      ws.send(JSON.stringify({ type: 'request', id: i + 1, request: { kind: 'hello' } }));
    });
    times.push(performance.now() - t0);
  }
  ws.close();
  return times;
}

/** The engine's own time for what one step asks (step + locate), without any transport. */
async function engineOnly(source: string, steps: number): Promise<{ step: number[]; locate: number[] }> {
  let last: Response | undefined;
  const svc = new EngineService((m: EngineMessage) => {
    if (m.type === 'response') last = m.response;
  });
  let id = 1;
  const ask = async (request: Parameters<EngineService['handle']>[0]['request']): Promise<Response> => {
    await svc.handle({ type: 'request', id: id++, request });
    if (!last) throw new Error('no answer');
    return last;
  };
  const opened = await ask({ kind: 'open', name: 'p.s', base64: encodeBase64(new TextEncoder().encode(source)), format: 'auto' });
  if (opened.kind !== 'opened' || !opened.document) throw new Error(`open failed: ${JSON.stringify(opened).slice(0, 300)}`);
  const s = await ask({ kind: 'session.create', document: opened.document.id, program: 0 });
  if (s.kind !== 'session') throw new Error(`session failed: ${JSON.stringify(s).slice(0, 300)}`);
  const step: number[] = [];
  const locate: number[] = [];
  for (let i = 0; i < steps; i++) {
    let t = performance.now();
    const r = await ask({ kind: 'step', session: s.session, mode: 'into' });
    step.push(performance.now() - t);
    if (r.kind !== 'stopped') throw new Error(JSON.stringify(r).slice(0, 300));
    t = performance.now();
    await ask({ kind: 'locate', document: opened.document.id, program: 0, pc: r.state.pc });
    locate.push(performance.now() - t);
  }
  return { step, locate };
}

interface App {
  label: string;
  page: Page;
  errors: string[];
  results: PageStep[];
}

/** A page of the app at `url` with the program open and its session stopped at the entry. */
async function openApp(browser: Browser, label: string, url: string, args: Args, source: string): Promise<App> {
  // A context of its own: its own renderer process, as a second window of the app would have.
  const context = await browser.newContext({ viewport: { width: args.width, height: args.height } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // tsx compiles with keepNames, so functions handed to the page call esbuild's __name helper: give the page one.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.addInitScript(instrumentSockets);
  await page.goto(url);
  await page.getByTestId('empty').waitFor();
  await page.getByTestId('file-input').setInputFiles({ name: 'p.s', mimeType: 'text/plain', buffer: Buffer.from(source) });
  await page.getByTestId('listing').getByText('r0 += 0x1', { exact: true }).first().waitFor().catch((e: unknown) => {
    throw new Error(`the program did not open: ${errors.join('; ')} ${String(e)}`);
  });
  // The first F11 creates the session and stops at the entry (pc 0).
  await page.keyboard.press('F11');
  await page.getByTestId('status').filter({ hasText: 'ready at insn 0' }).waitFor();
  return { label, page, errors, results: [] };
}

function report(results: readonly PageStep[], prefix = ''): void {
  const line = (name: string, xs: readonly number[]): void => console.log(summary(prefix + name, xs));
  line('click/key -> panes painted', results.map((r) => r.total));
  line('  key handler -> first request sent', results.map((r) => r.beforeSend));
  line('  first request -> last answer', results.map((r) => r.roundTrip));
  line('  last answer -> painted frame', results.map((r) => r.render));
  line('    answer -> DOM updated', results.map((r) => r.update));
  line('    DOM updated -> frame starts', results.map((r) => r.vsync));
  line('    frame start -> painted', results.map((r) => r.frame));
  line('our work (total minus vsync wait)', results.map((r) => r.total - r.vsync));
  const scrolled = results.filter((r) => r.scrolled);
  line('steps that scrolled the listing', scrolled.map((r) => r.total));
  line('steps that did not scroll', results.filter((r) => !r.scrolled).map((r) => r.total));
  const mean = (xs: readonly number[]): string => (xs.reduce((a, b) => a + b, 0) / (xs.length || 1)).toFixed(2);
  console.log(`${prefix}WebSocket frames per step: ${mean(results.map((r) => r.sent))} sent, ${mean(results.map((r) => r.received))} received; ${scrolled.length} of ${results.length} steps scrolled`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const source = program(args.insns);
  const hosts = [await startHost(args.web)];
  if (args.against) hosts.push(await startHost(args.against));
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const apps = [await openApp(browser, path.relative(ROOT, args.web), hosts[0].url, args, source)];
    if (args.against) apps.push(await openApp(browser, path.relative(ROOT, args.against), hosts[1].url, args, source));
    const first = apps[0];

    for (let i = 0; i < args.warmup + args.steps; i++) {
      if (i === args.warmup && args.trace) {
        await browser.startTracing(first.page, {
          path: args.trace,
          screenshots: false,
          categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'blink', 'cc', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'toplevel'],
        });
      }
      // With --against, the two apps take turns (the first one alternating), so both step under the same load.
      for (const app of i % 2 ? [...apps].reverse() : apps) {
        // Without the pause, each step would start a fixed time after the previous frame (the script
        // answers right after it), locking the key press to one phase of the 60 Hz frame clock.
        if (args.gap > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * args.gap));
        const r = await app.page.evaluate(stepInPage, { expect: i + 1, input: args.input });
        if (i >= args.warmup) app.results.push(r);
      }
    }
    if (args.trace) await browser.stopTracing();
    for (const app of apps) if (app.errors.length) throw new Error(`page errors (${app.label}): ${app.errors.join('; ')}`);
    const pings = await first.page.evaluate(pingInPage, 200);
    const chromiumVersion = browser.version();
    for (const app of apps) await app.page.close();

    const engine = await engineOnly(source, args.steps + args.warmup);
    console.log(`bpfdbg step latency, browser mode (web host + engine worker + Chromium ${chromiumVersion}), ${args.steps} steps after ${args.warmup} warm-up, program of ${args.insns} insns, viewport ${args.width}x${args.height}, input ${args.input === 'key' ? 'F11 keydown' : 'Into button click'}, idle gap 0-${args.gap} ms`);
    if (apps.length > 1) {
      for (const app of apps) {
        console.log(`-- ${app.label} (steps taken in turns with the other)`);
        report(app.results);
      }
      console.log('--');
    } else report(first.results);
    console.log(summary('idle page: hello round trip', pings));
    console.log(summary('engine only: step request', engine.step.slice(args.warmup)));
    console.log(summary('engine only: locate request', engine.locate.slice(args.warmup)));
    console.log(`load average while measuring: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
    for (const app of apps) {
      const p95 = quantile([...app.results.map((r) => r.total)].sort((a, b) => a - b), 0.95);
      const ours = quantile([...app.results.map((r) => r.total - r.vsync)].sort((a, b) => a - b), 0.95);
      console.log(`${apps.length > 1 ? `${app.label}: ` : ''}target p95 < 16 ms: ${p95 < 16 ? 'met' : 'MISSED'} end to end (p95 ${p95.toFixed(2)} ms); ${ours < 16 ? 'met' : 'MISSED'} for our own work, without the wait for the frame to start (p95 ${ours.toFixed(2)} ms)`);
    }
  } finally {
    await browser.close();
    for (const h of hosts) h.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exit(1);
});
