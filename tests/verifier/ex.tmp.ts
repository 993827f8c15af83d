import { examplePrograms, kernelForExample, oursForExample } from './examples';
for (const e of examplePrograms()) {
  const o = oursForExample(e);
  const k = kernelForExample(e);
  const kp = /processed (\d+)/.exec(k.log)?.[1];
  console.log(`kp=${kp} ${e.id.padEnd(36)} ${e.prog.type.name.padEnd(14)} kernel=${k.verdict} ${k.error ?? ''} | ours=${o.verdict} ${o.error?.message ?? ''} ${o.processed}`);
}
