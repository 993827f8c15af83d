// Verifier fuzz run: `npx tsx tests/verifier/gen/run-fuzz.ts [N] [--seed S]` prints counts, failures and time per input.
import { runFuzz } from './fuzz';
import { printKernelInsn } from '../../../engine/verifier';

const args = process.argv.slice(2);
const n = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--seed') ?? 10000);
const si = args.indexOf('--seed');
const first = si >= 0 ? Number(args[si + 1]) : 1;
const st = runFuzz(Array.from({ length: n }, (_, i) => first + i));
console.log(`fuzz inputs ${st.inputs} (random ${st.byKind.random}, mutated corpus ${st.byKind.corpus}, mutated examples ${st.byKind.example}); seeds ${first}..${first + n - 1}`);
console.log(`verdicts: accept ${st.accepts}, reject ${st.rejects} (of which unsupported.* ${st.unsupported}); crashes ${st.failures.length}`);
console.log(`time per input: mean ${(st.totalMs / Math.max(1, st.inputs)).toFixed(3)} ms, max ${st.maxMs.toFixed(1)} ms (${st.maxLabel}); total ${(st.totalMs / 1000).toFixed(1)} s; max processed ${st.maxProcessed}`);
for (const f of st.failures.slice(0, 5)) {
  console.log(`\n${f.input.label} (${f.input.progType}, log level ${f.input.logLevel}): ${f.what}`);
  f.input.insns.forEach((insn, i) => console.log(`  ${i}: ${insn.form.id === 'invalid' ? `invalid 0x${insn.code.toString(16)}` : printKernelInsn(insn)}`));
}
process.exit(st.failures.length === 0 ? 0 : 1);
