// The CLI's window on the world: output streams and file access, injectable so commands can be tested in-process.
import { readFileSync, writeFileSync } from 'node:fs';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array | string): void;
  readStdin(): Uint8Array;
}

export const processIO: CliIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readFile: (p) => new Uint8Array(readFileSync(p)),
  writeFile: (p, d) => writeFileSync(p, d),
  readStdin: () => new Uint8Array(readFileSync(0)),
};

/** Exit statuses of every bpfdbg command. */
export const EXIT = { OK: 0, INPUT_ERROR: 1, USAGE: 2 } as const;
