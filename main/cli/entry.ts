// Process entry of the bpfdbg CLI (started by bin/bpfdbg.cjs under tsx): runs main() and sets the exit status.
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bpfdbg: internal error: ${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  },
);
