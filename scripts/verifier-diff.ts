// Generated verifier differential against the running kernel:
// `npx tsx scripts/verifier-diff.ts [N] [--seed S] [--show K] [--snippets K] [--mistakes P] [--level2] [--bounds]`.
// Prints `programs N, verdict agrees V, first error agrees E`, the kernel's accept count, the reasoned exceptions
// (tests/verifier/gen/exceptions.ts) with their counts, and the first K unexplained disagreements in full.
// --level2 also compares whole level-2 logs (a second load per program) and lists the seeds that differ.
// --bounds generates small scalar-bounds programs (tests/verifier/gen/bounds-gen.ts) instead of snippet programs.
import { bpfAvailability } from '../engine/host/bpf';
import { GEN_EXCEPTIONS } from '../tests/verifier/gen/exceptions';
import { describeOutcome, runGenerated } from '../tests/verifier/gen/gen-diff';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const n = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 2000);
const first = flag('--seed', 1);
const show = flag('--show', 5);
// Longer programs or other mistake rates: --snippets K (default 2..6 at random), --mistakes P (default 0.1).
const snippets = flag('--snippets', 0);
const mistakes = flag('--mistakes', 0.1);

const avail = bpfAvailability();
if (!avail.ok) {
  console.log(`kernel unavailable: ${avail.reason}`);
  process.exit(0);
}
const seeds = Array.from({ length: n }, (_, i) => first + i);
const t0 = performance.now();
const level2 = args.includes('--level2');
const family = args.includes('--bounds') ? { family: 'bounds' as const } : {};
const t = runGenerated(seeds, { mistakeRate: mistakes, ...(snippets ? { snippets } : {}), ...family }, undefined, level2);
const secs = ((performance.now() - t0) / 1000).toFixed(1);
console.log(`programs ${t.programs}, verdict agrees ${t.verdictAgrees}, first error agrees ${t.errorAgrees}`);
console.log(`kernel accepts ${t.kernelAccepts} of ${t.programs}; seeds ${first}..${first + n - 1}; ${secs} s`);
console.log(`level-1 log agrees ${t.logAgrees}; both accept ${t.bothAccept}, processed count agrees ${t.processedAgrees}`);
if (level2) console.log(`level-2 log agrees ${t.log2Agrees}${t.log2Differs.length ? `; differs for seeds ${t.log2Differs.slice(0, 20).join(' ')}` : ''}`);
const unexplained = t.unexplained.length;
const excepted = [...t.excepted.values()].reduce((a, b) => a + b, 0);
console.log(`disagreements ${unexplained + excepted}: reasoned exceptions ${excepted}, unexplained ${unexplained}`);
for (const e of GEN_EXCEPTIONS) if (t.excepted.get(e.id)) console.log(`  ${String(t.excepted.get(e.id)).padStart(5)}  ${e.id}: ${e.reason}`);
for (const o of t.unexplained.slice(0, show)) console.log(`\n${describeOutcome(o)}`);
process.exit(unexplained === 0 ? 0 : 1);
