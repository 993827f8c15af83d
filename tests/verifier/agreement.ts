// Prints the verifier agreement table against the running kernel: `npx tsx tests/verifier/agreement.ts [-v]`.
import { CORPUS } from './corpus';
import { bpfAvailability, compare } from './differential';

const avail = bpfAvailability();
if (!avail.ok) {
  console.log(`kernel unavailable: ${avail.reason}`);
  process.exit(0);
}
const verbose = process.argv.includes('-v');
let v = 0;
let e = 0;
let l = 0;
for (const c of CORPUS) {
  const r = compare(c);
  v += Number(r.verdictAgrees);
  e += Number(r.errorAgrees);
  l += Number(r.logAgrees);
  const mark = (b: boolean): string => (b ? 'ok ' : 'XX ');
  console.log(`${mark(r.verdictAgrees)}${mark(r.errorAgrees)}${mark(r.logAgrees)}${c.name.padEnd(28)} kernel=${r.kernel.verdict}${r.kernel.error ? ` "${r.kernel.error}"` : ''}${r.errorAgrees ? '' : `  ours=${r.ours.verdict} "${r.ours.error?.message ?? ''}"`}`);
  if (verbose && !r.logAgrees) console.log(`--- kernel log\n${r.kernel.log}--- our log\n${r.ours.log}`);
}
console.log(`\nprograms ${CORPUS.length}: verdict agrees ${v}, first error agrees ${e}, level-1 log agrees ${l}`);
