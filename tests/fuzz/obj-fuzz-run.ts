// Command-line fuzz run for engine/obj, for runs bigger than the test suite's:
//   npx tsx tests/fuzz/obj-fuzz-run.ts [--count N] [--seed S]
//   npx tsx tests/fuzz/obj-fuzz-run.ts --seed S --index I --out input.o   (writes one input, to reproduce a finding)
// Prints the report; exits 1 if any input threw or produced a diagnostic without code or location.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzInputs, fuzzObjects } from './obj-fuzz-core';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const count = opt('count', 100_000);
const seed = opt('seed', 1);
const dir = join(__dirname, '../../resources/examples');
const seeds = readdirSync(dir).filter((f) => f.endsWith('.o')).sort().map((f) => ({ name: f.slice(0, -2), bytes: new Uint8Array(readFileSync(join(dir, f))) }));
const index = opt('index', -1);
if (index >= 0) {
  for (const input of fuzzInputs(seeds, index + 1, seed)) {
    if (input.index !== index) continue;
    const out = args[args.indexOf('--out') + 1] ?? 'fuzz-input.o';
    writeFileSync(out, input.bytes);
    console.log(`input ${index} of seed ${seed}: ${input.kind} mutation of ${input.seed.name}.o, ${input.bytes.byteLength} bytes -> ${out}`);
  }
  process.exit(0);
}
const t0 = performance.now();
const report = fuzzObjects(seeds, count, seed, () => performance.now());
const secs = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ ...report, crashes: report.crashes.slice(0, 5), badDiagnostics: report.badDiagnostics.slice(0, 5), inconsistent: report.inconsistent.slice(0, 5), crashCount: report.crashes.length, badDiagnosticCount: report.badDiagnostics.length, inconsistentCount: report.inconsistent.length, seconds: Number(secs.toFixed(1)) }, null, 2));
process.exit(report.crashes.length || report.badDiagnostics.length || report.inconsistent.length ? 1 : 0);
