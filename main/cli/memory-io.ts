// An in-memory CliIO for running commands in-process (tests, the app's console): files from a map, output captured.
import type { CliIO } from './io';

export interface MemoryIO {
  readonly io: CliIO;
  readonly written: Map<string, Uint8Array>;
  out(): string;
  err(): string;
}

export function memoryIO(files: Record<string, Uint8Array | string>, stdin: Uint8Array | string = ''): MemoryIO {
  const enc = (d: Uint8Array | string): Uint8Array => (typeof d === 'string' ? new TextEncoder().encode(d) : d);
  const written = new Map<string, Uint8Array>();
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: (p) => {
      const f = written.get(p) ?? (p in files ? enc(files[p]) : undefined);
      if (!f) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return f;
    },
    writeFile: (p, d) => void written.set(p, enc(d)),
    readStdin: () => enc(stdin),
  };
  return { io, written, out: () => out.join(''), err: () => err.join('') };
}
