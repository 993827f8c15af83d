// Browser mode's command: start the web host on 127.0.0.1 and print the URL to open.
//
// Built as out/main/web.js beside out/main/worker.js and out/renderer/, so the defaults below are
// that layout; --root and --worker point elsewhere (a .ts worker runs through tsx).
import path from 'node:path';
import { startWebHost } from './server';

interface StartArgs {
  port: number;
  root: string;
  worker: string;
  workspaces?: string;
}

function parse(argv: readonly string[]): StartArgs | string {
  const out: StartArgs = { port: 0, root: path.join(__dirname, '..', 'renderer'), worker: path.join(__dirname, 'worker.js') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = argv[i + 1];
    if (a === '--port' && value !== undefined && /^\d+$/.test(value) && Number(value) <= 65535) out.port = Number(value);
    else if (a === '--root' && value !== undefined) out.root = path.resolve(value);
    else if (a === '--worker' && value !== undefined) out.worker = path.resolve(value);
    else if (a === '--workspaces' && value !== undefined) out.workspaces = path.resolve(value);
    else return `usage: web [--port N] [--root DIR] [--worker FILE] [--workspaces DIR]  (unexpected '${a}')`;
    i++;
  }
  return out;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(args + '\n');
    process.exit(2);
  }
  const envPort = process.env.BPFDBG_WEB_PORT;
  const port = args.port || (envPort && /^\d+$/.test(envPort) ? Number(envPort) : 0);
  const envWorkspaces = process.env.BPFDBG_WORKSPACES;
  const workspaces = args.workspaces ?? (envWorkspaces ? path.resolve(envWorkspaces) : undefined);
  const host = await startWebHost({
    root: args.root,
    port,
    ...(workspaces ? { workspaces } : {}),
    engine: { script: args.worker, execArgv: args.worker.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [] },
  });
  process.stdout.write(`bpfdbg browser mode: ${host.url}\n`);
  process.stdout.write(workspaces ? `workspaces: ${workspaces}\n` : 'workspaces: off (pass --workspaces DIR to save and restore them)\n');
  const stop = (): void => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`web host failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
