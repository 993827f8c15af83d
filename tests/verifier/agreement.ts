// Prints the verifier agreement table against the running kernel: `npx tsx tests/verifier/agreement.ts [-v]`.
// Columns: verdict, first error line, level-1 log, level-2 log (whole logs, kernel map addresses normalised). -v prints both logs for every level-1 disagreement.
import { CORPUS } from './corpus';
import { bpfAvailability, compare, kernelFor, normaliseLog, oursFor } from './differential';
import { EXAMPLE_EXCEPTIONS } from './exceptions';
import { examplePrograms, kernelForExample, oursForExample } from './examples';

const avail = bpfAvailability();
if (!avail.ok) {
  console.log(`kernel unavailable: ${avail.reason}`);
  process.exit(0);
}
const verbose = process.argv.includes('-v');
const totals = { verdict: 0, error: 0, log1: 0, log2: 0 };
const mark = (b: boolean): string => (b ? 'ok ' : 'XX ');
for (const c of CORPUS) {
  const r = compare(c);
  const l2 = c.noLevel2 !== undefined || normaliseLog(kernelFor(c, 2).log) === normaliseLog(oursFor(c, 2).log);
  totals.verdict += Number(r.verdictAgrees);
  totals.error += Number(r.errorAgrees);
  totals.log1 += Number(r.logAgrees);
  totals.log2 += Number(l2);
  const detail = r.errorAgrees ? '' : `  ours=${r.ours.verdict} "${r.ours.error?.message ?? ''}"`;
  console.log(`${mark(r.verdictAgrees)}${mark(r.errorAgrees)}${mark(r.logAgrees)}${mark(l2)}${c.name.padEnd(28)} kernel=${r.kernel.verdict}${r.kernel.error ? ` "${r.kernel.error}"` : ''}${detail}`);
  if (verbose && !r.logAgrees) console.log(`--- kernel log\n${r.kernel.log}--- our log\n${r.ours.log}`);
}
console.log(`\nprograms ${CORPUS.length}: verdict agrees ${totals.verdict}, first error agrees ${totals.error}, level-1 log agrees ${totals.log1}, level-2 log agrees ${totals.log2}`);

// Real programs: verdict, first error, logs, and processed-instruction counts.
console.log('\nresources/examples (real compiled programs): verdict, first error, level-1 log, level-2 log, processed count');
const ex = { n: 0, verdict: 0, error: 0, log1: 0, log2: 0, processed: 0, excepted: 0 };
const timings: string[] = [];
for (const e of examplePrograms()) {
  let t = performance.now();
  const k = kernelForExample(e);
  const kms = performance.now() - t;
  t = performance.now();
  const o = oursForExample(e);
  const oms = performance.now() - t;
  const l1 = normaliseLog(k.log) === normaliseLog(o.log);
  const l2 = normaliseLog(kernelForExample(e, 2).log) === normaliseLog(oursForExample(e, 2).log);
  const kp = /processed (\d+) insns/.exec(k.log)?.[1] ?? '?';
  const samep = kp === String(o.processed);
  ex.n++;
  ex.verdict += Number(k.verdict === o.verdict);
  ex.error += Number((o.error?.message ?? null) === k.error);
  ex.log1 += Number(l1);
  ex.log2 += Number(l2);
  ex.processed += Number(samep);
  // A listed exception holds while the kernel refuses the program before verifying it (tests/verifier/exceptions.ts).
  const exc = EXAMPLE_EXCEPTIONS[e.id];
  const excHolds = exc !== undefined && k.errorName === exc.kernelRefuses.errorName && k.log === exc.kernelRefuses.log && o.unsupported;
  ex.excepted += Number(excHolds);
  const note = exc ? (excHolds ? ` (listed exception: kernel refused with ${k.errorName} before verifying)` : ' (listed exception NO LONGER HOLDS)') : '';
  console.log(`${mark(k.verdict === o.verdict)}${mark((o.error?.message ?? null) === k.error)}${mark(l1)}${mark(l2)}${mark(samep)}${e.id.padEnd(34)} kernel=${k.verdict}${k.error ? ` "${k.error}"` : ''}${k.errorName && !k.log ? ` ${k.errorName}, empty log` : ''} processed ${kp} | ours=${o.verdict}${o.error ? ` "${o.error.message}"` : ''} processed ${o.processed}${note}`);
  timings.push(`  ${e.id.padEnd(34)} kernel ${kms.toFixed(1).padStart(8)} ms ${kp.padStart(8)} insns | ours ${oms.toFixed(1).padStart(8)} ms ${String(o.processed).padStart(8)} insns`);
}
console.log(`\nexamples ${ex.n}: verdict agrees ${ex.verdict}, first error agrees ${ex.error}, level-1 log agrees ${ex.log1}, level-2 log agrees ${ex.log2}, processed count agrees ${ex.processed}; listed exceptions holding ${ex.excepted} of ${Object.keys(EXAMPLE_EXCEPTIONS).length}`);

// Verification time at log level 1, ours and the kernel's (wall clock around verify() and BPF_PROG_LOAD in this run),
// for the examples and the program that hits the 1,000,000-insn limit.
console.log('\nverification time (log level 1, wall clock, this run)');
for (const line of timings) console.log(line);
const big = CORPUS.find((c) => c.name === 'loop-too-complex');
if (big) {
  let t = performance.now();
  const k = kernelFor(big, 1);
  const kms = performance.now() - t;
  t = performance.now();
  const o = oursFor(big, 1);
  const oms = performance.now() - t;
  const kp = /processed (\d+) insns/.exec(k.log)?.[1] ?? '?';
  console.log(`  ${'corpus/loop-too-complex'.padEnd(34)} kernel ${kms.toFixed(1).padStart(8)} ms ${kp.padStart(8)} insns | ours ${oms.toFixed(1).padStart(8)} ms ${String(o.processed).padStart(8)} insns`);
}
