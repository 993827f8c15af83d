// Differential run of our interpreter against the running kernel at scale: `npx tsx scripts/kernel-diff.ts [RANDOM] [PER_FORM] [PACKET] [SEED] [--no-special]`.
// Prints the agreement figures and every disagreement (seed, listing, both results).
import { bpfAvailability } from '../engine/host/bpf';
import { NOT_KERNEL_TESTED, runDifferential } from '../tests/kernel/gen/differential';

const argv = process.argv.slice(2);
// --no-special: keep packet programs away from SKF_NET_OFF / SKF_LL_OFF (a known interpreter gap).
const specialOffsets = !argv.includes('--no-special');
const [random = 20000, perForm = 20, packet = 5000, seed = 1] = argv.filter((a) => !a.startsWith('--')).map(Number);
const avail = bpfAvailability();
if (!avail.ok) {
  console.error(`kernel-diff: ${avail.reason}`);
  process.exit(2);
}
const t0 = Date.now();
const t = runDifferential({ random, perForm, packet, seedBase: seed, specialOffsets });
const secs = ((Date.now() - t0) / 1000).toFixed(1);
for (const d of t.disagreements.slice(0, 20)) {
  console.log(`--- seed ${d.seed}: ${d.what}\nkernel: ${d.kernel}\nours:   ${d.ours}${d.ctxIn ? `\nctx_in: ${d.ctxIn}` : ''}${d.dataIn ? `\ndata_in: ${d.dataIn}` : ''}\n${d.listing}`);
}
console.log(`forms covered: ${t.formsCovered.size}; not run in the kernel: ${Object.keys(NOT_KERNEL_TESTED).join(', ')}`);
console.log(`programs: ${t.programs}, agreements: ${t.agreements}, disagreements: ${t.disagreements.length - t.kernelRefused}, refused by the kernel: ${t.kernelRefused} (${secs} s)`);
process.exit(t.agreements === t.programs ? 0 : 1);
