// Soundness run: `npx tsx tests/verifier/gen/run-soundness.ts [N] [--inputs K] [--seed S]` prints the counts.
import { describeViolation, runSoundness } from './soundness';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const n = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 2000);
const inputs = flag('--inputs', 4);
const first = flag('--seed', 1);
const t0 = performance.now();
const st = runSoundness(Array.from({ length: n }, (_, i) => first + i), inputs);
console.log(`soundness: programs ${st.programs}, accepted by our verifier ${st.accepted}, runs ${st.runs} (${inputs} random inputs each), ` +
  `clean exits ${st.clean}, faults after acceptance ${st.violations.length}; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`control: programs our verifier rejects, same inputs: ${st.controlRuns} runs, ${st.controlFaults} fault`);
for (const [code, k] of st.limited) console.log(`  not simulated by the interpreter: ${code} ${k}`);
for (const v of st.violations.slice(0, 5)) console.log(`\n${describeViolation(v)}`);
process.exit(st.violations.length === 0 ? 0 : 1);
